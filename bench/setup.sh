#!/usr/bin/env bash
# What the benchmarks need beyond scripts/install-deps.sh: matplotlib for
# /usr/bin/python3 (the chart), Node.js with npm, and ONNX Runtime from npm
# (its install script would download; the CPU library ships in the
# package). What is already there is used, wherever it came from: Debian's
# nodejs and npm are installed only when there is no `node` or `npm` at
# all (they conflict with a Node.js installed otherwise).
set -euo pipefail
cd "$(dirname "$0")"
need=()
/usr/bin/python3 -c "import matplotlib" 2>/dev/null || need+=(python3-matplotlib)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${need[@]}" >/dev/null
fi
[ -d node_modules/onnxruntime-node ] ||
  npm install --ignore-scripts --no-audit --no-fund
