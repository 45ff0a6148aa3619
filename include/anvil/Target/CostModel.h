//===- CostModel.h - Analytic timing of the MTIA-like machine ---*- C++ -*-===//
//
// The formulas of docs/Targets.md ("Timing"), in one place: the simulator
// charges every operation with them, and the compiler's passes (tiling,
// fusion, scheduling) predict with the same ones. Every figure comes from a
// TargetDesc.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TARGET_COSTMODEL_H
#define ANVIL_TARGET_COSTMODEL_H

#include "anvil/Target/TargetDesc.h"

namespace anvil::target {

/// Bytes a transfer of `rows` rows of `rowBytes` bytes occupies at `level`:
/// each row is rounded up to whole transactions.
int64_t dmaBytesMoved(const TargetDesc &desc, MemoryLevel level, int64_t rows,
                      int64_t rowBytes);

/// Bytes per cycle one PE's DMA gets from `level` while `sharers` PEs
/// (at least 1) use it: min(DMA rate, level bandwidth / sharers).
double dmaBytesPerCycle(const TargetDesc &desc, MemoryLevel level,
                        int64_t sharers);

/// Cycles a transfer occupies the DMA engine: bytes / dmaBytesPerCycle.
/// Transfers are pipelined, so the next one starts after this, not after
/// the latency as well.
int64_t dmaTransferCycles(const TargetDesc &desc, MemoryLevel level,
                          int64_t bytes, int64_t sharers);

/// T_dma = latency + bytes / dmaBytesPerCycle, for `bytes` already rounded
/// to transactions (dmaBytesMoved): when the data has arrived.
int64_t dmaCycles(const TargetDesc &desc, MemoryLevel level, int64_t bytes,
                  int64_t sharers);

/// Native tile passes of an MxK by KxN product: ceil(M / tile rows) *
/// ceil(K * bytes / tile row bytes).
int64_t dpeTilePasses(const TargetDesc &desc, DType input, int64_t m,
                      int64_t k);

/// Cycles `bytes` take at a PE's local memory's bandwidth (no latency: the
/// core's own loads and stores, the reduction network).
int64_t localCycles(const TargetDesc &desc, int64_t bytes);

/// T_dpe = ceil(passes / arrays) * (N + reload): each pass caches one
/// operand tile and streams the N columns of the other through it.
int64_t dpeCycles(const TargetDesc &desc, DType input, int64_t m, int64_t k,
                  int64_t n);

/// T_se = ceil(elements * opsPerElement / SE lanes of `type`).
int64_t seCycles(const TargetDesc &desc, DType type, int64_t elements,
                 int64_t opsPerElement = 1);

/// The same on the vector core.
int64_t vectorCycles(const TargetDesc &desc, DType type, int64_t elements,
                     int64_t opsPerElement = 1);

/// T_task of ordinary code on a vector core: `ops` element operations of
/// `type`, then its `bytes` of loads and stores at `level` (latency, then
/// the rate one of `sharers` PEs transferring there gets). What the
/// simulator charges a task's mtia.core_cost.
int64_t vectorTaskCycles(const TargetDesc &desc, DType type, int64_t ops,
                         MemoryLevel level, int64_t bytes, int64_t sharers);

/// The time of `tasks` equal tasks of `taskCycles` over `pes` PEs taking
/// them in turn (ceil(tasks / pes) waves), and no less than `levelBytes`
/// take at `level`'s whole bandwidth.
int64_t taskWavesCycles(const TargetDesc &desc, int64_t tasks, int64_t pes,
                        int64_t taskCycles, MemoryLevel level,
                        int64_t levelBytes);

/// The work of a program, summed over all PEs.
struct Work {
  /// DPE multiply-accumulates per input type.
  double dpeMacs[5] = {0, 0, 0, 0, 0};
  /// SE and vector-core element operations per type.
  double seOps[5] = {0, 0, 0, 0, 0};
  double vectorOps[5] = {0, 0, 0, 0, 0};
  /// Compulsory traffic: bytes that must cross each level at least once.
  double dramBytes = 0;
  double sramBytes = 0;
};

/// Lower bounds, in cycles, of a program's time on the whole chip.
struct Roofline {
  double dpeCycles = 0;
  double seCycles = 0;
  double vectorCycles = 0;
  double dramCycles = 0;
  double sramCycles = 0;
  /// The largest bound: no schedule finishes sooner.
  double boundCycles() const;
  /// Which bound that is ("dpe", "se", "vector", "dram" or "sram").
  const char *limiter() const;
};

Roofline roofline(const TargetDesc &desc, const Work &work);

} // namespace anvil::target

#endif // ANVIL_TARGET_COSTMODEL_H
