#!/usr/bin/python3
"""Mutation fuzzer for anvil-compile's .pt2 importer.

usage: mutate_pt2.py SEED COUNT BIN_DIR [ARCHIVE ...]

Each round takes one of the given archives (by default the torch2
fixtures), mutates its models/model.json (drops, retypes or renumbers a
random JSON value) or flips bytes of a random entry, and requires
`anvil-compile --check` to exit 0, 2 or 3 within 60 s: no crash, internal
error or hang. Failing inputs are kept in ./pt2-fuzz-failures.
"""

import copy
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def values(node, path=()):
    """Every (container, key) pair in a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield node, k
            yield from values(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield node, i
            yield from values(v, path + (i,))


def mutate_json(doc, rng):
    slots = list(values(doc))
    container, key = rng.choice(slots)
    choice = rng.randrange(5)
    if choice == 0 and isinstance(container, dict):
        del container[key]
    elif choice == 1:
        container[key] = rng.choice([None, "x", -1, 0, 2**40, 1.5, [], {}])
    elif choice == 2 and isinstance(container[key], int):
        container[key] = container[key] + rng.choice([-3, -1, 1, 7, 1000])
    elif choice == 3 and isinstance(container, list) and container:
        container.pop(key)
    else:
        other_container, other_key = rng.choice(slots)
        container[key] = copy.deepcopy(other_container[other_key])


def mutate(src, dst, rng):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        infos = zin.infolist()
        target = rng.choice(infos).filename
        json_round = rng.random() < 0.7
        for info in infos:
            data = zin.read(info.filename)
            if json_round and info.filename.endswith("models/model.json"):
                doc = json.loads(data)
                for _ in range(rng.randint(1, 3)):
                    mutate_json(doc, rng)
                data = json.dumps(doc).encode()
            elif not json_round and info.filename == target and data:
                data = bytearray(data)
                for _ in range(rng.randint(1, 8)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
                data = bytes(data)
            zout.writestr(info.filename, data)


def main():
    seed, count, bin_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    archives = sys.argv[4:] or sorted(glob.glob(
        os.path.join(HERE, "..", "fixtures", "torch2", "*.pt2")))
    rng = random.Random(seed)
    compiler = os.path.join(bin_dir, "anvil-compile")
    failures = 0
    work = tempfile.mkdtemp()
    for i in range(count):
        path = os.path.join(work, "m%d.pt2" % i)
        mutate(rng.choice(archives), path, rng)
        try:
            code = subprocess.run([compiler, "--check", path],
                                  capture_output=True, timeout=60).returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
        if code not in (0, 2, 3):
            failures += 1
            os.makedirs("pt2-fuzz-failures", exist_ok=True)
            shutil.copy(path, "pt2-fuzz-failures/seed%d-%d.pt2" % (seed, i))
            print("round %d: exit %s" % (i, code))
        else:
            os.remove(path)
    shutil.rmtree(work)
    print("%d rounds, %d failures" % (count, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
