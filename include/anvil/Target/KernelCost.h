//===- KernelCost.h - Predicted time of tasks and kernels -------*- C++ -*-===//
//
// The cost model one level up from CostModel.h's per-operation formulas:
// what a kernel's task costs with its DMA, SE, DPE and core work overlapped
// as the PE's units allow and its waits force, and what a kernel costs with
// its tasks in waves over its PEs, the launch and the closing barrier. A
// sequence of kernels costs the sum of its kernels (jobs run one after
// another). Policies call these to compare their choices; the lowering
// records each launch's prediction (anvil.predicted_cycles), and the
// simulator's report sets it beside the measured cycles, which is how the
// model is calibrated (bench/calibrate.py, docs/CostModel.md).
//
// Depends on LLVMSupport and the machine description only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TARGET_KERNELCOST_H
#define ANVIL_TARGET_KERNELCOST_H

#include "anvil/Target/TargetDesc.h"

#include <cstdint>

namespace anvil::target {

/// T_kernel = launch + body + barrier: the span of a job in the
/// simulator's report, from its launch to the end of its barrier.
int64_t kernelCycles(const TargetDesc &desc, int64_t bodyCycles);

/// The PEs of a job of `pes` PEs that share a level's bandwidth when each
/// transfers there during `transferCycles` of every `periodCycles`: the PE
/// itself and its share of the others, which overlap it halfway between
/// independent phases and lockstep, or, once the PEs have `drifted` apart
/// (after their first tasks), as independent phases.
int64_t expectedSharers(int64_t pes, int64_t transferCycles,
                        int64_t periodCycles, bool drifted = false);

/// A product kernel, C[b] = A[b] B[b] on the DPE, as the MTIA lowering
/// emits it (docs/Targets.md, "DPE kernels"): C in tm x tn tiles, task t
/// the t-th tile row-major over (batch, tile row, tile column), PE p taking
/// tasks p, p + pes, ...; each tile reduces tk-deep slices of A and B
/// brought into a ring of `buffers` slices (the DMA up to buffers - 1
/// slices ahead), an operand that arrives in f32 converted by the SE into
/// one of two DPE-type copies while the DPE multiplies the previous slice,
/// then is stored.
struct ProductKernel {
  /// The DPE's input type, and the types A and B have in DRAM (f32, or
  /// already `input`: quantized, or an im2col buffer written in it).
  DType input = DType::F16, loadedA = DType::F32, loadedB = DType::F32;
  /// C's type in DRAM: f32, or a 16-bit model's type, which the SE
  /// converts each tile to (and from, when it is loaded).
  DType stored = DType::F32;
  bool quantized = false;
  int64_t batches = 1, m = 0, n = 0, k = 0;
  int64_t tm = 0, tn = 0, tk = 0;
  int64_t buffers = 2;
  int64_t pes = 1;
  /// Each C tile is read before its reduction adds to it.
  bool loadC = false;
  /// Where A, B and C live (DRAM, or SRAM where the intermediates' plan
  /// put them), and where each C tile is stored (C's level, or a folded
  /// epilogue's output's).
  MemoryLevel levelA = MemoryLevel::DRAM, levelB = MemoryLevel::DRAM,
              levelC = MemoryLevel::DRAM, levelStored = MemoryLevel::DRAM;
  /// An operand's copy into SRAM, in the DPE's input type, before the
  /// products (then a barrier): `steps` copies of `rows` x `cols`
  /// elements, step s by PE s % pes, two in flight. A copy that converts
  /// goes through local memory, where the SE converts it; one that does
  /// not goes straight from DRAM to SRAM where the machine prefetches,
  /// else through local memory. The slices of a staged operand are then
  /// read from SRAM, already converted.
  struct Staging {
    int64_t steps = 0, rows = 0, cols = 0;
  };
  Staging stagingA, stagingB;
};

/// The predicted cycles of the kernel's body (launch and barrier not
/// included): its staging, then the PE with the most work, and no less
/// than its bytes take at each shared level's whole bandwidth.
int64_t productBodyCycles(const TargetDesc &desc, const ProductKernel &kernel);

} // namespace anvil::target

#endif // ANVIL_TARGET_KERNELCOST_H
