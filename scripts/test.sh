#!/usr/bin/env bash
# Builds Anvil and runs every test: lit (passes, verifiers, importer errors,
# tools), unit tests, ONNX conformance against the checked-in expected
# outcomes, the torchvision model comparison, the torch.export fixtures and
# the FX-traced models. Prints the conformance
# counts and model results, and ends with ctest's summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh || exit 1
cd build
# Without arguments, everything but the model suite (ctest -L suite).
if [ $# -eq 0 ]; then set -- -LE suite; fi
ctest --output-on-failure --timeout 3000 "$@" > ctest.log 2>&1
status=$?
grep -v "tests passed" ctest.log
echo
echo "Highlights:"
grep -hE "^(node|pytorch-converted|pytorch-operator|simple|conformance)[: ]|: (ok|FAIL)$" \
  Testing/Temporary/LastTest.log | sed 's/^/  /'
grep "tests passed" ctest.log
exit $status
