"""Seeds a fuzz target's corpus from Anvil's test data and ONNX's.

usage: make_seeds.py TARGET DIR SOURCE_ROOT
"""
import glob
import hashlib
import os
import sys
import zipfile

target, out, root = sys.argv[1:4]
ONNX_TESTS = "/usr/share/libonnx-testdata/data"
# Seeds past this would make each execution slow; the fuzzer grows
# smaller ones.
MAX_SEED = 256 * 1024


def add(data):
    if len(data) > MAX_SEED:
        return
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def pt2_members(path):
    """model.json, a NUL and the weights config, as pt2_importer.cpp reads."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        model = [n for n in names if n.endswith("/models/model.json")]
        config = [n for n in names
                  if n.endswith("/data/weights/model_weights_config.json")]
        if model:
            data = z.read(model[0])
            if config:
                data += b"\0" + z.read(config[0])
            add(data)


if target == "onnx":
    for path in glob.glob(f"{ONNX_TESTS}/*/*/model.onnx"):
        add(read(path))
    for path in glob.glob(f"{root}/test/fixtures/*/*.onnx"):
        add(read(path))
elif target == "pt2":
    for path in glob.glob(f"{root}/test/fixtures/*/*.pt2"):
        pt2_members(path)
elif target == "tensor":
    for path in glob.glob(f"{root}/test/fixtures/*/*.npy"):
        add(b"\0" + read(path))
    for path in glob.glob(f"{ONNX_TESTS}/node/*/test_data_set_0/*.pb")[:400]:
        add(b"\1" + read(path))
elif target == "machine":
    for path in glob.glob(f"{root}/targets/*.json"):
        add(b"\0" + read(path))
    for path in glob.glob(f"{root}/test/Target/Host/Inputs/*.json"):
        add(b"\1" + read(path))
elif target == "metadata":
    for path in glob.glob(f"{root}/fuzz/seeds/metadata/*.json"):
        add(read(path))
else:
    sys.exit(f"unknown fuzz target {target}")
print(f"{target}: {len(os.listdir(out))} seeds")
