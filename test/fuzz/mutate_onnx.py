#!/usr/bin/python3
"""Mutation fuzzing of anvil-compile: random byte flips in ONNX's node test
models must compile or fail with exit code 2 or 3, never crash or hang.

usage: mutate_onnx.py SEED COUNT [BIN_DIR]   (prints each failure, then a count)
"""
import glob
import os
import random
import subprocess
import sys
import tempfile

rng = random.Random(int(sys.argv[1]))
bin_dir = sys.argv[3] if len(sys.argv) > 3 else "build/bin"
work = tempfile.mkdtemp(prefix="anvil-fuzz-")
models = sorted(glob.glob('/usr/share/libonnx-testdata/data/node/*/model.onnx'))
bad = 0
for i in range(int(sys.argv[2])):
    src = rng.choice(models)
    data = bytearray(open(src, 'rb').read())
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(data))
        data[pos] = rng.randrange(256)
    path = os.path.join(work, 'm%d.onnx' % (i % 4))
    open(path, 'wb').write(data)
    try:
        r = subprocess.run([os.path.join(bin_dir, 'anvil-compile'), path, '-o', os.path.join(work, 'out.so')],
                           capture_output=True, timeout=60)
        code = r.returncode
    except subprocess.TimeoutExpired:
        code = 'timeout'
    if code not in (0, 2, 3):
        bad += 1
        keep = os.path.join(work, 'crash%d.onnx' % bad)
        open(keep, 'wb').write(data)
        print(code, src, keep, (r.stderr.decode('utf-8', 'replace').strip().splitlines() or [''])[-1][:200] if code != 'timeout' else '')
print('%d mutated models, %d crashes or hangs (kept in %s)' % (int(sys.argv[2]), bad, work))
sys.exit(1 if bad else 0)
