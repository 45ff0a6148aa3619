//===- CostModel.cpp - Analytic timing of the MTIA-like machine -----------===//

#include "anvil/Target/CostModel.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>

using namespace anvil::target;

int64_t anvil::target::dmaBytesMoved(const TargetDesc &desc, MemoryLevel level,
                                     int64_t rows, int64_t rowBytes) {
  int64_t transaction = desc.level(level).transactionBytes;
  return rows * llvm::divideCeil(rowBytes, transaction) * transaction;
}

double anvil::target::dmaBytesPerCycle(const TargetDesc &desc,
                                       MemoryLevel level, int64_t sharers) {
  double levelRate = desc.bytesPerCycle(level);
  if (desc.level(level).shared)
    levelRate /= std::max<int64_t>(sharers, 1);
  return std::min(static_cast<double>(desc.dma.bytesPerCycle), levelRate);
}

int64_t anvil::target::dmaTransferCycles(const TargetDesc &desc,
                                         MemoryLevel level, int64_t bytes,
                                         int64_t sharers) {
  return static_cast<int64_t>(
      std::ceil(bytes / dmaBytesPerCycle(desc, level, sharers)));
}

int64_t anvil::target::dmaCycles(const TargetDesc &desc, MemoryLevel level,
                                 int64_t bytes, int64_t sharers) {
  return desc.level(level).latencyCycles +
         dmaTransferCycles(desc, level, bytes, sharers);
}

int64_t anvil::target::localCycles(const TargetDesc &desc, int64_t bytes) {
  return static_cast<int64_t>(
      std::ceil(bytes / desc.bytesPerCycle(MemoryLevel::Local)));
}

int64_t anvil::target::vectorTaskCycles(const TargetDesc &desc, DType type,
                                        int64_t ops, MemoryLevel level,
                                        int64_t bytes, int64_t sharers) {
  int64_t memory = level == MemoryLevel::Local
                       ? localCycles(desc, bytes)
                       : dmaCycles(desc, level, bytes, sharers);
  return vectorCycles(desc, type, ops) + memory;
}

int64_t anvil::target::taskWavesCycles(const TargetDesc &desc, int64_t tasks,
                                       int64_t pes, int64_t taskCycles,
                                       MemoryLevel level, int64_t levelBytes) {
  int64_t waves = llvm::divideCeil(tasks, std::max<int64_t>(pes, 1));
  auto streaming =
      static_cast<int64_t>(std::ceil(levelBytes / desc.bytesPerCycle(level)));
  return std::max(waves * taskCycles, streaming);
}

int64_t anvil::target::dpeTilePasses(const TargetDesc &desc, DType input,
                                     int64_t m, int64_t k) {
  return llvm::divideCeil(m, desc.dpe.tileRows) *
         llvm::divideCeil(k * dtypeBytes(input), desc.dpe.tileRowBytes);
}

int64_t anvil::target::dpeCycles(const TargetDesc &desc, DType input, int64_t m,
                                 int64_t k, int64_t n) {
  int64_t passes = dpeTilePasses(desc, input, m, k);
  return llvm::divideCeil(passes, desc.dpe.arrays) *
         (n + desc.dpe.reloadCycles);
}

int64_t anvil::target::seCycles(const TargetDesc &desc, DType type,
                                int64_t elements, int64_t opsPerElement) {
  return llvm::divideCeil(elements * opsPerElement, desc.seOpsPerCycle(type));
}

int64_t anvil::target::vectorCycles(const TargetDesc &desc, DType type,
                                    int64_t elements, int64_t opsPerElement) {
  return llvm::divideCeil(elements * opsPerElement,
                          desc.vectorOpsPerCycle(type));
}

double Roofline::boundCycles() const {
  return std::max({dpeCycles, seCycles, vectorCycles, dramCycles, sramCycles});
}

const char *Roofline::limiter() const {
  double bound = boundCycles();
  if (bound == dramCycles)
    return "dram";
  if (bound == sramCycles)
    return "sram";
  if (bound == dpeCycles)
    return "dpe";
  if (bound == seCycles)
    return "se";
  return "vector";
}

Roofline anvil::target::roofline(const TargetDesc &desc, const Work &work) {
  Roofline r;
  double pes = static_cast<double>(desc.numPEs());
  for (int t = 0; t < 5; ++t) {
    DType type = static_cast<DType>(t);
    if (work.dpeMacs[t] > 0) {
      // Work the DPE cannot take is not charged here; the lowering never
      // gives it any.
      if (int64_t rate = desc.dpeMacsPerCycle(type))
        r.dpeCycles += work.dpeMacs[t] / (rate * pes);
    }
    r.seCycles += work.seOps[t] / (desc.seOpsPerCycle(type) * pes);
    r.vectorCycles += work.vectorOps[t] / (desc.vectorOpsPerCycle(type) * pes);
  }
  r.dramCycles = work.dramBytes / desc.bytesPerCycle(MemoryLevel::DRAM);
  r.sramCycles = work.sramBytes / desc.bytesPerCycle(MemoryLevel::SRAM);
  return r;
}
