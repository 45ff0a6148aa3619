"""Validates a JSON document (argv[2]) against a JSON Schema (argv[1])."""
import json
import sys

import jsonschema

with open(sys.argv[1]) as f:
    schema = json.load(f)
with open(sys.argv[2]) as f:
    document = json.load(f)
jsonschema.validate(document, schema)
print("valid")
