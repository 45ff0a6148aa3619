//===- Common.cpp - What the host kernels share ---------------------------===//

#include "Common.h"

#include <cstdlib>
#include <cstring>

namespace anvil::kernels {

namespace {

Isa detectIsa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const char *pinned = std::getenv("ANVIL_GEMM_ISA");
  bool allow512 = !pinned || std::strcmp(pinned, "avx512") == 0;
  bool allow2 = allow512 || std::strcmp(pinned, "avx2") == 0;
  if (allow512 && __builtin_cpu_supports("avx512f"))
    return Isa::Avx512;
  if (allow2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Isa::Avx2;
#endif
  return Isa::Generic;
}

// Plain pointers (no destructor, no guarded statics) keep the kernels free
// of the C++ runtime, which an artifact does not link.
thread_local float *scratchData[kNumScratchSlots];
thread_local size_t scratchSize[kNumScratchSlots];

} // namespace

Isa hostIsa() {
  // Detected once; a race only detects twice, with the same answer.
  static int chosen = -1;
  int v = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
  if (v < 0) {
    v = static_cast<int>(detectIsa());
    __atomic_store_n(&chosen, v, __ATOMIC_RELAXED);
  }
  return static_cast<Isa>(v);
}

float *scratch(ScratchSlot slot, size_t floats) {
  if (floats > scratchSize[slot]) {
    std::free(scratchData[slot]);
    scratchData[slot] = static_cast<float *>(
        std::aligned_alloc(64, (floats * 4 + 63) / 64 * 64));
    scratchSize[slot] = floats;
  }
  return scratchData[slot];
}

} // namespace anvil::kernels
