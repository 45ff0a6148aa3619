#!/usr/bin/python3
"""The C API under threads and repeated loads, through ctypes.

1. Four threads share one host model and one simulator model, and run each
   in turn until RUNS runs are done; every output must equal, bit for bit,
   that of a run on one thread before them.
2. Resident memory after CYCLES load/run/free cycles of the host model, and
   after THREADS threads that each run it once, must grow by less than
   LIMIT_MB over a warmed-up start.
3. Indices out of range give an invalid tensor, and a failed run a message.

Under a sanitizer build (ANVIL_SANITIZED=1 in the environment) part 2 is
skipped: AddressSanitizer's quarantine keeps freed memory resident on
purpose.

usage: c_api_threads.py --bin BUILD/bin --lib BUILD/lib/libanvil_runtime.so
                        MODEL.onnx [--runs N] [--cycles N] [--threads N]
"""

import argparse
import ctypes as C
import os
import subprocess
import sys
import tempfile
import threading

import numpy as np

LIMIT_MB = 5.0


class Tensor(C.Structure):
    _fields_ = [("name", C.c_char_p), ("dtype", C.c_int),
                ("rank", C.c_int32), ("shape", C.POINTER(C.c_int64)),
                ("data", C.c_void_p)]


DTYPES = {1: np.float32, 2: np.float64, 6: np.int32, 7: np.int64}


def bind(path):
    # Accelerator artifacts call the PE operations the runtime exports.
    lib = C.CDLL(path, mode=C.RTLD_GLOBAL)
    lib.anvilModelLoad.restype = C.c_void_p
    lib.anvilModelLoad.argtypes = [C.c_char_p, C.POINTER(C.c_void_p)]
    lib.anvilModelFree.argtypes = [C.c_void_p]
    lib.anvilModelNumInputs.argtypes = [C.c_void_p]
    lib.anvilModelNumOutputs.argtypes = [C.c_void_p]
    for f in (lib.anvilModelInput, lib.anvilModelOutput):
        f.restype = Tensor
        f.argtypes = [C.c_void_p, C.c_int32]
    lib.anvilModelRun.argtypes = [C.c_void_p, C.POINTER(Tensor), C.c_int32,
                                  C.POINTER(Tensor), C.c_int32,
                                  C.POINTER(C.c_void_p)]
    lib.anvilFreeError.argtypes = [C.c_void_p]
    return lib


class Model:
    def __init__(self, lib, path):
        self.lib = lib
        err = C.c_void_p()
        self.handle = lib.anvilModelLoad(path.encode(), C.byref(err))
        if not self.handle:
            raise RuntimeError(C.string_at(err.value).decode())
        self.ins = [lib.anvilModelInput(self.handle, i)
                    for i in range(lib.anvilModelNumInputs(self.handle))]
        self.outs = [lib.anvilModelOutput(self.handle, i)
                     for i in range(lib.anvilModelNumOutputs(self.handle))]

    @staticmethod
    def array(info, fill):
        shape = [info.shape[i] for i in range(info.rank)]
        return fill(shape, DTYPES[info.dtype])

    def run(self, inputs):
        """Runs on `inputs` (arrays); the outputs, or raises the error."""
        outputs = [self.array(o, np.zeros) for o in self.outs]
        views = []
        for info, a in zip(self.ins + self.outs, inputs + outputs):
            views.append(Tensor(None, info.dtype, info.rank, info.shape,
                                a.ctypes.data_as(C.c_void_p)))
        n_in = len(self.ins)
        ins = (Tensor * max(n_in, 1))(*views[:n_in])
        outs = (Tensor * max(len(outputs), 1))(*views[n_in:])
        err = C.c_void_p()
        if self.lib.anvilModelRun(self.handle, ins, n_in, outs, len(outputs),
                                  C.byref(err)):
            message = C.string_at(err.value).decode() if err.value else None
            self.lib.anvilFreeError(err)
            raise RuntimeError(message)
        return outputs

    def free(self):
        self.lib.anvilModelFree(self.handle)


def resident_mb():
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def shared_threads(host, sim, runs, inputs):
    want = {id(m): m.run(inputs[id(m)]) for m in (host, sim)}
    done, bad, lock = [0], [], threading.Lock()

    def worker():
        while True:
            with lock:
                if done[0] >= runs:
                    return
                done[0] += 1
                model = host if done[0] % 2 else sim
            got = model.run(inputs[id(model)])
            if any(not np.array_equal(g, w) for g, w in
                   zip(got, want[id(model)])):
                with lock:
                    bad.append(done[0])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("4 threads, %d runs of a shared host and simulator model: %d "
          "differ from the single-threaded outputs" % (runs, len(bad)))
    return not bad


def growth(lib, path, inputs, cycles, threads):
    ok = True
    for _ in range(3):
        m = Model(lib, path)
        m.run(inputs)
        m.free()
    start = resident_mb()
    for _ in range(cycles):
        m = Model(lib, path)
        m.run(inputs)
        m.free()
    grew = resident_mb() - start
    print("%d load/run/free cycles: resident memory grew %.1f MB" %
          (cycles, grew))
    ok &= grew < LIMIT_MB
    m = Model(lib, path)
    m.run(inputs)
    start = resident_mb()
    for _ in range(threads):
        t = threading.Thread(target=m.run, args=(inputs,))
        t.start()
        t.join()
    grew = resident_mb() - start
    print("%d threads running once each: resident memory grew %.1f MB" %
          (threads, grew))
    m.free()
    return ok and grew < LIMIT_MB


def edges(model, inputs):
    lib = model.lib
    bad = lib.anvilModelInput(model.handle, 99)
    ok = bad.dtype == 0 and not bad.name and not bad.shape
    ok &= lib.anvilModelOutput(model.handle, -1).dtype == 0
    try:
        model.run(inputs[:-1] if len(inputs) > 1 else [])
        ok = False
    except RuntimeError as e:
        ok &= bool(str(e))
    print("out-of-range indices and a failed run: %s" % ("ok" if ok else
                                                          "FAIL"))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--lib", required=True)
    parser.add_argument("model")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--threads", type=int, default=100)
    args = parser.parse_args()
    lib = bind(args.lib)
    with tempfile.TemporaryDirectory() as work:
        paths = {}
        # A sanitizer build preloads its runtime into this process only.
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        for target in ("host", "mtia-v1"):
            paths[target] = os.path.join(work, target + ".so")
            subprocess.run([os.path.join(args.bin, "anvil-compile"),
                            args.model, "--target=" + target, "-o",
                            paths[target]], check=True, env=env)
        host, sim = Model(lib, paths["host"]), Model(lib, paths["mtia-v1"])
        rng = np.random.default_rng(0)
        inputs = {id(m): [Model.array(i, lambda s, d: rng.standard_normal(
            s).astype(d)) for i in m.ins] for m in (host, sim)}
        ok = shared_threads(host, sim, args.runs, inputs)
        ok &= edges(host, inputs[id(host)])
        host.free()
        sim.free()
        if os.environ.get("ANVIL_SANITIZED"):
            print("memory bounds skipped under the sanitizer build")
        else:
            ok &= growth(lib, paths["host"], inputs[id(host)], args.cycles,
                         args.threads)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
