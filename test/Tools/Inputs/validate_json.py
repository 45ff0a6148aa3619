"""Validates a JSON document (argv[2]) against a JSON Schema (argv[1]).

A schema may refer to the others beside it by their $id ("$ref":
"urn:anvil:sim-report:1"). Debian's jsonschema resolves a referenced
schema's own "#/$defs/..." against the referring one, so those references
are inlined first, with their $defs merged into the root's, and the
root's $id dropped."""
import glob
import json
import os
import sys

import jsonschema


def inline(node, store, defs):
    if isinstance(node, list):
        return [inline(n, store, defs) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if ref in store:
        other = dict(store[ref])
        for name, definition in other.pop("$defs", {}).items():
            defs.setdefault(name, inline(definition, store, defs))
        other.pop("$id", None)
        other.pop("$schema", None)
        merged = {k: v for k, v in node.items() if k != "$ref"}
        merged.update(inline(other, store, defs))
        return merged
    return {k: inline(v, store, defs) for k, v in node.items()}


with open(sys.argv[1]) as f:
    schema = json.load(f)
with open(sys.argv[2]) as f:
    document = json.load(f)
store = {}
for path in glob.glob(os.path.join(os.path.dirname(sys.argv[1]), "*.json")):
    with open(path) as f:
        other = json.load(f)
    store[other["$id"]] = other
defs = dict(schema.get("$defs", {}))
schema = inline(schema, store, defs)
# Relative ids ("anvil-run/1") would be taken as the base of "#/..." too.
schema.pop("$id", None)
if defs:
    schema["$defs"] = defs
jsonschema.validate(document, schema)
print("valid")
