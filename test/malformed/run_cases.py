#!/usr/bin/python3
"""Runs the malformed-input corpus (cases.json, made by make_cases.py).

Each case runs in a directory of its own holding copies of its input
files, with a time limit, and that directory as TMPDIR. It passes when the
tool exits with the case's code, its stderr matches the case's message,
nothing crashed (no stack dump, no "internal compiler error", no signal),
and the directory holds afterwards only the inputs, unchanged, and the
output the command names (no temporary left behind).
Cases that run an artifact use one compiled from inputs/relu.onnx first.

usage: run_cases.py --bin BUILD/bin [NAME ...]
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "inputs")
TIMEOUT = 120
CRASH = re.compile(r"Stack dump|internal compiler error|PLEASE submit|"
                   r"terminate called|Segmentation fault|AddressSanitizer")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(root):
    found = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            found[os.path.relpath(path, root)] = digest(path)
    return found


def drain(fifo):
    """Reads `fifo` until its writer closes it, in a thread; returns a
    function that ends the reading when no writer ever came."""
    def read():
        with open(fifo, "rb") as f:
            while f.read(1 << 16):
                pass
    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def finish():
        if reader.is_alive():
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        reader.join(10)
    return finish


def edited_metadata(data, path, value):
    """`data` with the field at `path` of its metadata JSON set to `value`,
    in the same bytes: the host description (which the runtime does not
    read) makes room, and spaces fill what is left."""
    start = data.index(b'{"compiler"')
    end = data.index(b"\0", start)
    metadata = json.loads(data[start:end])
    metadata.pop("host_description", None)
    field = metadata
    for key in path[:-1]:
        field = field[key]
    field[path[-1]] = value
    text = json.dumps(metadata, separators=(",", ":")).encode()
    assert len(text) <= end - start, "the edited metadata does not fit"
    data[start:end] = text + b" " * (end - start - len(text))
    return data


def damaged_artifact(artifact, damage, path):
    """Writes a copy of `artifact` at `path`, damaged as `damage` says."""
    with open(artifact, "rb") as f:
        data = bytearray(f.read())
    if "truncate" in damage:
        del data[damage["truncate"]:]
    if "patch" in damage:
        offset, hexbytes = damage["patch"]
        patch = bytes.fromhex(hexbytes)
        data[offset:offset + len(patch)] = patch
    if "metadata" in damage:
        data = edited_metadata(data, *damage["metadata"])
    if "replace" in damage:
        old, new = (t.encode() for t in damage["replace"])
        assert len(old) == len(new) and old in data, damage
        data = data.replace(old, new, 1)
    with open(path, "wb") as f:
        f.write(data)


def run_case(case, bin_dir, artifact):
    problems = []
    with tempfile.TemporaryDirectory(prefix="anvil-malformed-") as work:
        inputs = os.path.join(work, "inputs")
        out = os.path.join(work, "out")
        os.makedirs(inputs)
        os.makedirs(out)
        place = out if case.get("place") == "out" else inputs
        for name in case["files"]:
            shutil.copy(os.path.join(INPUTS, name), place)
        if case.get("artifact"):
            damaged_artifact(artifact, case["artifact"],
                             os.path.join(inputs, "model.so"))
        fifo = os.path.join(out, case["fifo"]) if case.get("fifo") else None
        if fifo:
            os.mkfifo(fifo)
        before = snapshot(inputs)
        given = snapshot(out) if not fifo else {}
        first = os.path.join(place, case["files"][0]) if case["files"] else ""
        command = [a.format(input=first, inputs=inputs, out=out,
                            artifact=artifact) for a in case["command"]]
        command[0] = os.path.join(bin_dir, command[0])
        finish = drain(fifo) if fifo else (lambda: None)
        try:
            env = dict(os.environ, TMPDIR=work)
            env.update({k: v.format(inputs=inputs)
                        for k, v in case.get("env", {}).items()})
            run = subprocess.run(command, cwd=work, capture_output=True,
                                 text=True, errors="replace", timeout=TIMEOUT,
                                 env=env)
        except subprocess.TimeoutExpired:
            return ["timed out after %d s" % TIMEOUT]
        finally:
            finish()
        if fifo and not stat.S_ISFIFO(os.stat(fifo).st_mode):
            problems.append("the FIFO it wrote to was replaced")
        if case["exit"] is None or case["message"] is None:
            return ["PROBE exit %d: %s" % (run.returncode,
                                           run.stderr.strip()[-600:])]
        if run.returncode != case["exit"]:
            problems.append("exit %d, expected %d" % (run.returncode,
                                                       case["exit"]))
        if case["message"] and not re.search(case["message"], run.stderr):
            problems.append("stderr does not match /%s/" % case["message"])
        if CRASH.search(run.stderr) or run.returncode < 0:
            problems.append("crashed")
        if snapshot(inputs) != before:
            problems.append("an input was changed or a file written beside it")
        after = snapshot(out) if not fifo else {}
        if any(after.get(name) != sha for name, sha in given.items()):
            problems.append("a file given in the output directory changed")
        stray = [p for p in os.listdir(work) if p not in ("inputs", "out")]
        written = [p for p in os.listdir(out)
                   if p not in given and os.path.join(out, p) != fifo]
        allowed = {os.path.basename(a) for a in command if a.startswith(out)}
        if stray or not set(written) <= allowed:
            problems.append("wrote %s" % sorted(stray + written))
        if case["exit"] != 0 and written:
            problems.append("failed but left %s" % written)
        if problems:
            problems.append("stderr: " + run.stderr.strip()[-400:])
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    with open(os.path.join(HERE, "cases.json")) as f:
        cases = json.load(f)
    if args.names:
        cases = [c for c in cases if c["name"] in args.names]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="anvil-malformed-") as scratch:
        artifact = os.path.join(scratch, "relu.so")
        subprocess.run([os.path.join(args.bin, "anvil-compile"),
                        os.path.join(INPUTS, "relu.onnx"), "-o", artifact],
                       check=True)
        for case in cases:
            problems = run_case(case, args.bin, artifact)
            status = "FAIL" if problems else "ok"
            print("%-40s %s" % (case["name"], status))
            for p in problems:
                print("    " + p)
            failed += bool(problems)
    print("%d of %d cases clean" % (len(cases) - failed, len(cases)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
