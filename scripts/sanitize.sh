#!/usr/bin/env bash
# Builds Anvil with AddressSanitizer and UndefinedBehaviorSanitizer (leak
# checking on) in build-asan/ and runs the quick suite, lit, the malformed
# corpus, the C API threads test, the ONNX conformance lists on the host and
# mtia-v1 and the torch.export fixtures under it; then counts the
# sanitizers' reports, which every test also writes under
# build-asan/sanitizer-reports/ (docs/Testing.md). Exits non-zero on a
# failed test or any report. About three hours on two cores: a nightly job.
#   scripts/sanitize.sh              all of the above
#   scripts/sanitize.sh CTEST-ARGS   only those tests (e.g. -L quick)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${ANVIL_ASAN_BUILD:-$root/build-asan}
"$root/scripts/install-deps.sh" || exit 1
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DANVIL_SANITIZE=address,undefined -DANVIL_FUZZ=ON > /dev/null || exit 1
fi
CCACHE_BASEDIR=$root cmake --build "$build" || exit 1
if [ $# -eq 0 ]; then
  set -- -R '^(.*Test\..*|lit|malformed-inputs|c-api-threads|gemm-.*|sim-.*|onnx-conformance|onnx-conformance-mtia-v1|torch-export-fixtures|torch-export-fixtures-mtia-v1)$'
fi
rm -rf "$build/sanitizer-reports"
mkdir -p "$build/sanitizer-reports"
(cd "$build" && ctest --output-on-failure --timeout 7200 "$@")
status=$?
# LeakSanitizer's statistics of the suppressions it applied land in the
# same files; a report is an ERROR or a runtime error.
reports=$(grep -lE "ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:" \
  "$build"/sanitizer-reports/* 2>/dev/null | wc -l)
echo "sanitize: $reports report(s) in $build/sanitizer-reports"
[ "$reports" -eq 0 ] || status=1
exit $status
