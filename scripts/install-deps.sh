#!/usr/bin/env bash
# Installs, from Debian's archive, everything Anvil's build and tests need
# that a fresh Debian 12 machine lacks. Installs nothing already present.
set -euo pipefail

packages=(
  cmake ninja-build clang ccache time libclang-rt-14-dev
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools libomp-22-dev
  liblld-22-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libgtest-dev
  libzip-dev pkg-config
  python3-numpy python3-onnx python3-torch python3-torchvision
  python3-jsonschema
  libonnx-testdata
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
