#!/usr/bin/env bash
# Builds Anvil and runs every test: lit (passes, verifiers, importer errors,
# tools), unit tests, ONNX conformance against the checked-in expected
# outcomes, and the torchvision model comparison. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cd build
ctest --output-on-failure --timeout 3000 "$@"
