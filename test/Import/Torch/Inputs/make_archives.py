"""Writes broken and unsupported .pt2 archives derived from a good one.

usage: make_archives.py GOOD.pt2 OUT_DIR
"""

import json
import os
import struct
import sys
import zipfile


def rewrite(good, path, edit_json=None, edit_entry=None):
    """Copies `good` to `path`, passing model.json through `edit_json` and
    every entry's bytes through `edit_entry(name, data)`."""
    with zipfile.ZipFile(good) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if edit_json and info.filename.endswith("models/model.json"):
                doc = json.loads(data)
                edit_json(doc)
                data = json.dumps(doc).encode()
            if edit_entry:
                data = edit_entry(info.filename, data)
            dst.writestr(info.filename, data)


def nodes(doc):
    return doc["graph_module"]["graph"]["nodes"]


def unsupported(doc):
    # Two ops no importer knows, each keeping its node's stack trace.
    nodes(doc)[1]["target"] = "torch.ops.aten.special_bessel_j0.default"
    nodes(doc)[3]["target"] = "torch.ops.aten.fft_rfft.default"


def future_schema(doc):
    doc["schema_version"] = {"major": 99, "minor": 1}


def strided_weights(good, path):
    """Stores l1.weight [128, 64] transposed in its blob (strides [1, 128])
    after 7 unused elements (storage_offset 7): the same tensor, another
    layout."""
    with zipfile.ZipFile(good) as src:
        root = [n for n in src.namelist()
                if n.endswith("models/model.json")][0][:-len("models/model.json")]
        config = json.loads(src.read(root + "data/weights/"
                                     "model_weights_config.json"))
        entry = config["config"]["l1.weight"]
        blob = src.read(root + "data/weights/" + entry["path_name"])
    rows, cols = (s["as_int"] for s in entry["tensor_meta"]["sizes"])
    values = struct.unpack("<%df" % (rows * cols), blob)
    transposed = [values[r * cols + c] for c in range(cols) for r in range(rows)]
    layout = struct.pack("<%df" % (7 + len(transposed)), *([0.0] * 7),
                         *transposed)
    entry["tensor_meta"]["strides"] = [{"as_int": 1}, {"as_int": rows}]
    entry["tensor_meta"]["storage_offset"] = {"as_int": 7}

    def edit(name, data):
        if name.endswith("data/weights/" + entry["path_name"]):
            return layout
        if name.endswith("model_weights_config.json"):
            return json.dumps(config).encode()
        return data
    rewrite(good, path, edit_entry=edit)


def main():
    good, out = sys.argv[1], sys.argv[2]
    strided_weights(good, os.path.join(out, "strided.pt2"))
    rewrite(good, os.path.join(out, "unsupported.pt2"), unsupported)
    rewrite(good, os.path.join(out, "future.pt2"), future_schema)

    def truncate_weight(name, data):
        return data[:100] if name.endswith("weights/weight_0") else data
    rewrite(good, os.path.join(out, "short_weight.pt2"),
            edit_entry=truncate_weight)

    with open(good, "rb") as f:
        raw = f.read()
    with open(os.path.join(out, "truncated.pt2"), "wb") as f:
        f.write(raw[:len(raw) // 2])
    with zipfile.ZipFile(os.path.join(out, "no_model.pt2"), "w") as z:
        z.writestr("thing/readme.txt", "not a model")

    # Zero bytes inside the first stored weight: its CRC no longer matches.
    corrupt = bytearray(raw)
    at = raw.find(b"data/weights/weight_0") + 200
    corrupt[at:at + 16] = bytes(16)
    with open(os.path.join(out, "bad_crc.pt2"), "wb") as f:
        f.write(corrupt)


if __name__ == "__main__":
    main()
