#!/usr/bin/env bash
# Builds Anvil's libFuzzer targets with AddressSanitizer and
# UndefinedBehaviorSanitizer in build-asan/ (the build scripts/sanitize.sh uses) and runs each on a corpus seeded
# from the test data (docs/Testing.md):
#   scripts/fuzz.sh smoke         every target about 10 s, deterministically, as CI does
#   scripts/fuzz.sh run NAME ...  one target, with libFuzzer's own arguments
#                                 (-runs=10000000, -max_total_time=7200, -jobs=N)
# Targets: onnx, pt2, tensor, machine, metadata. Crashes are written to
# build-asan/fuzz-findings/NAME/; the corpus grows in build-asan/fuzz-corpus/NAME/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${ANVIL_ASAN_BUILD:-$root/build-asan}
targets=(onnx pt2 tensor machine metadata)
# The smoke run is deterministic (a fixed seed and count of executions from
# the seed corpus), so that CI fails only for a change, never by luck; about
# ten seconds each.
declare -A smoke_runs=([onnx]=8000 [pt2]=300 [tensor]=20000 [machine]=40000
                       [metadata]=60000)

configure_and_build() {
  "$root/scripts/install-deps.sh"
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DANVIL_SANITIZE=address,undefined -DANVIL_FUZZ=ON > /dev/null
  fi
  CCACHE_BASEDIR=$root cmake --build "$build" --target anvil-fuzzers
}

# Seeds from the test data, the first byte choosing the format where a
# target reads two.
seed() {
  local name=$1 dir=$build/fuzz-corpus/$1
  mkdir -p "$dir"
  [ -n "$(ls -A "$dir")" ] && return
  /usr/bin/python3 "$root/fuzz/make_seeds.py" "$name" "$dir" "$root"
}

run_target() {
  local name=$1; shift
  seed "$name"
  mkdir -p "$build/fuzz-findings/$name"
  # allow_user_poisoning=0: as in the sanitizer tests (test/CMakeLists.txt),
  # LLVM's allocators poison memory in Anvil's instrumented copies of their
  # templates that Debian's uninstrumented MLIR then hands out.
  ASAN_OPTIONS=allow_user_poisoning=0:allocator_may_return_null=1:detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/fuzz/anvil-fuzz-$name" -rss_limit_mb=4096 -timeout=20 \
      -max_len=1048576 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-findings/$name/" "$@" \
      "$build/fuzz-corpus/$name"
}

mode=${1:-smoke}
shift || true
configure_and_build
case $mode in
  smoke)
    failed=0
    mkdir -p "$build/fuzz-findings"
    for name in "${targets[@]}"; do
      echo "== $name"
      log=$build/fuzz-findings/$name.log
      status=0
      run_target "$name" -seed=1 -runs="${smoke_runs[$name]}" \
        -max_total_time=120 > "$log" 2>&1 || status=$?
      grep -E "^(stat::(number_of_executed|new_units|peak_rss)|INFO: seed corpus|Done|==[0-9]+==ERROR|SUMMARY)" "$log" || true
      if [ "$status" -ne 0 ]; then
        echo "fuzz target $name failed (exit $status); its log: $log"
        failed=1
      fi
    done
    exit $failed ;;
  run)
    run_target "$@" ;;
  *)
    echo "usage: scripts/fuzz.sh [smoke | run NAME [libFuzzer flags]]" >&2
    exit 2 ;;
esac
