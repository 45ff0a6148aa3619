//===- Common.h - What the host kernels share -------------------*- C++ -*-===//
//
// Instruction-set choice and per-thread scratch buffers for the kernels of
// anvil-c/Kernels.h. Plain C++ without its runtime: artifacts link these
// kernels and nothing else.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_LIB_RUNTIME_KERNELS_COMMON_H
#define ANVIL_LIB_RUNTIME_KERNELS_COMMON_H

#include <cstddef>

namespace anvil::kernels {

enum class Isa { Generic, Avx2, Avx512 };

/// The widest vector instructions of this CPU, detected once.
/// ANVIL_GEMM_ISA=avx2|generic pins a narrower path (for testing them on a
/// wider CPU).
Isa hostIsa();

/// Scratch buffers, one per slot, kept for the thread's life and grown on
/// demand; 64-byte aligned. Each kernel owns its slots.
enum ScratchSlot {
  kGemmPanelA,
  kGemmPanelB,
  kGemmPackedA,
  kDepthwisePhases,
  kDepthwisePaddedRow,
  kDepthwiseRows,
  kDepthwiseTaps,
  kNumScratchSlots
};
float *scratch(ScratchSlot slot, size_t floats);

} // namespace anvil::kernels

#endif // ANVIL_LIB_RUNTIME_KERNELS_COMMON_H
