#!/usr/bin/env bash
# What the benchmarks need beyond scripts/install-deps.sh: Debian's
# matplotlib (the chart) and nodejs, and ONNX Runtime from npm (its install
# script would download; the CPU library ships in the package).
set -euo pipefail
cd "$(dirname "$0")"
need=()
for p in python3-matplotlib nodejs npm; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${need[@]}" >/dev/null
fi
[ -d node_modules/onnxruntime-node ] || npm install --ignore-scripts --no-audit --no-fund
