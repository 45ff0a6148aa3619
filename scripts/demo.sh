#!/usr/bin/env bash
# The main job: build Anvil, export ResNet-18 (random weights) with this
# machine's PyTorch, compile it, run it, and compare with PyTorch: prints
# the compile time, the largest difference, the top-1 agreement and the
# median run time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
/usr/bin/python3 test/models/torchvision_models.py --bin build/bin \
  --cache build/model-cache "${@:-resnet18}"
