//===- KernelCost.cpp - Predicted time of tasks and kernels ---------------===//

#include "anvil/Target/KernelCost.h"
#include "anvil/Target/CostModel.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

using namespace anvil::target;

int64_t anvil::target::kernelCycles(const TargetDesc &desc,
                                    int64_t bodyCycles) {
  return desc.costs.launchCycles + bodyCycles + desc.costs.barrierCycles;
}

int64_t anvil::target::expectedSharers(int64_t pes, int64_t transferCycles,
                                       int64_t periodCycles, bool drifted) {
  if (pes <= 1 || periodCycles <= 0)
    return 1;
  double busy = std::min(1.0, static_cast<double>(transferCycles) /
                                  static_cast<double>(periodCycles));
  // The PEs of a kernel start together and run the same program, so their
  // transfers overlap more than independent phases would (busy) and less
  // than in lockstep (1): halfway, which matches the simulator best on
  // both machines (docs/CostModel.md, "Calibration"). After their first
  // tasks they have drifted apart: independent phases.
  double overlap = drifted ? busy : (1 + busy) / 2;
  return 1 + static_cast<int64_t>(std::llround((pes - 1) * overlap));
}

namespace {

/// One PE's clocks as the simulator keeps them: the core issues in order,
/// paying the issue cost; an operation starts when its unit is free and
/// its result is in place its latency after the unit is done.
struct PETimeline {
  const TargetDesc &desc;
  /// PEs sharing each level's bandwidth while this one transfers there.
  int64_t sharers[kNumMemoryLevels];
  /// The PEs running beside this one, which reach the same point of the
  /// same program at about the same time.
  int64_t active = 1;
  int64_t clock = 0, dmaFree = 0, seFree = 0, dpeFree = 0;
  /// Cycles the DMA engine spent moving data at DRAM and SRAM, and the
  /// bytes it moved there.
  int64_t transferCycles[kNumMemoryLevels] = {0, 0, 0};
  int64_t bytes[kNumMemoryLevels] = {0, 0, 0};

  /// Returns when the operation's result is in place.
  int64_t issue(int64_t &unitFree, int64_t cycles, int64_t latency = 0) {
    clock += desc.costs.issueCycles;
    int64_t start = std::max(clock, unitFree);
    unitFree = start + cycles;
    return unitFree + latency;
  }

  /// A DMA of `rows` rows of `rowBytes` between local memory and `far`,
  /// sharing it with the PEs that transfer there meanwhile, or with every
  /// active PE for a transfer they all make at once (`together`: a C
  /// tile's load and store, which follow or end the same work on each).
  int64_t dma(MemoryLevel far, int64_t rows, int64_t rowBytes,
              bool together = false) {
    int64_t moved = dmaBytesMoved(desc, far, rows, rowBytes);
    int64_t cycles = dmaTransferCycles(
        desc, far, moved,
        together ? active : sharers[static_cast<int>(far)]);
    transferCycles[static_cast<int>(far)] += cycles;
    bytes[static_cast<int>(far)] += moved;
    return issue(dmaFree, cycles, desc.level(far).latencyCycles);
  }

  int64_t se(DType type, int64_t elements) {
    return issue(seFree, seCycles(desc, type, elements));
  }

  int64_t dpe(DType input, int64_t m, int64_t k, int64_t n) {
    return issue(dpeFree, dpeCycles(desc, input, m, k, n));
  }

  /// Ordinary code on the core over local memory (mtia.core_cost).
  void core(DType type, int64_t ops, int64_t localBytes) {
    clock += desc.costs.issueCycles + vectorCycles(desc, type, ops) +
             localCycles(desc, localBytes);
  }

  void wait(int64_t until) { clock = std::max(clock, until); }
};

/// Where a slice of an operand living at `level` is read from.
MemoryLevel sourceOf(bool staged, MemoryLevel level) {
  return staged ? MemoryLevel::SRAM : level;
}

/// The type an operand read as `loaded` arrives in: a staged copy holds
/// the DPE's type (Tiling.h's landedType).
DType landedType(const ProductKernel &p, DType loaded,
                 const ProductKernel::Staging &s) {
  return s.steps > 0 ? p.input : loaded;
}

/// Where a task stands among its PE's: the PEs start their first tasks
/// together and end their last ones together, and drift apart between.
struct TaskPlace {
  bool first = true, last = true;
};

/// One C tile of `rows` x `cols`: what DPEKernel::emit issues for it, in
/// its order, on `pe`'s timeline (which starts where the previous task
/// ended). The C tile's load in a first task and its store in a last one
/// share DRAM with every PE of the wave, which reach them together.
void productTask(PETimeline &pe, const ProductKernel &p, int64_t rows,
                 int64_t cols, TaskPlace place) {
  int64_t cBytes = dtypeBytes(p.stored);
  bool convertC = p.stored != DType::F32;
  DType landedA = landedType(p, p.loadedA, p.stagingA);
  DType landedB = landedType(p, p.loadedB, p.stagingB);
  bool convertA = landedA != p.input, convertB = landedB != p.input;
  if (p.loadC) {
    pe.wait(pe.dma(p.levelC, rows, cols * cBytes, place.first));
    if (convertC)
      pe.wait(pe.se(p.stored, p.tm * p.tn));
  }
  int64_t slices = llvm::divideCeil(p.k, p.tk);
  auto load = [&](int64_t slice) {
    int64_t depth = std::min(p.tk, p.k - slice * p.tk);
    // Partial slice buffers are zeroed first.
    if (rows < p.tm || depth < p.tk)
      pe.core(landedA, p.tm * p.tk, p.tm * p.tk * dtypeBytes(landedA));
    if (cols < p.tn || depth < p.tk)
      pe.core(landedB, p.tk * p.tn, p.tk * p.tn * dtypeBytes(landedB));
    pe.dma(sourceOf(p.stagingA.steps > 0, p.levelA), rows,
           depth * dtypeBytes(landedA));
    return pe.dma(sourceOf(p.stagingB.steps > 0, p.levelB), depth,
                  cols * dtypeBytes(landedB));
  };
  std::vector<int64_t> arrived(slices), product(slices);
  int64_t ahead = std::max<int64_t>(p.buffers - 1, 1);
  for (int64_t s = 0; s < std::min(ahead, slices); ++s)
    arrived[s] = load(s);
  for (int64_t s = 0; s < slices; ++s) {
    pe.wait(arrived[s]);
    if (convertA || convertB) {
      if (s >= 2)
        pe.wait(product[s - 2]);
      int64_t a = convertA ? pe.se(p.input, p.tm * p.tk) : 0;
      int64_t b = convertB ? pe.se(p.input, p.tk * p.tn) : 0;
      pe.wait(std::max(a, b));
    }
    product[s] = pe.dpe(p.input, p.tm, p.tk, p.tn);
    if (s + ahead < slices) {
      if ((!convertA || !convertB) && s >= 1)
        pe.wait(product[s - 1]);
      arrived[s + ahead] = load(s + ahead);
    }
  }
  pe.wait(product[slices - 1]);
  if (p.quantized) {
    int64_t f32 = dtypeBytes(DType::F32);
    int64_t scales = std::max(pe.dma(MemoryLevel::DRAM, 1, rows * f32),
                              pe.dma(MemoryLevel::DRAM, 1, cols * f32));
    pe.wait(scales);
    int64_t elements = rows * cols;
    pe.core(DType::F32, 4 * elements,
            elements * (dtypeBytes(DType::I32) + (p.loadC ? 2 : 1) * f32));
  }
  if (convertC)
    pe.wait(pe.se(p.stored, p.tm * p.tn));
  pe.wait(pe.dma(p.levelStored, rows, cols * cBytes, place.last));
}

/// The staging of one operand on one PE: its steps, two in flight.
void stagingCopy(PETimeline &pe, const ProductKernel &p, DType loaded,
                 MemoryLevel from, const ProductKernel::Staging &staging,
                 int64_t steps) {
  auto in = [&] {
    return pe.dma(from, staging.rows, staging.cols * dtypeBytes(loaded));
  };
  auto out = [&] {
    return pe.dma(MemoryLevel::SRAM, staging.rows,
                  staging.cols * dtypeBytes(p.input));
  };
  int64_t last = 0;
  if (loaded != p.input) {
    // DRAM to local, the SE's conversion, local to SRAM; the next step's
    // load in flight while this one converts.
    int64_t arrived = steps > 0 ? in() : 0;
    for (int64_t s = 0; s < steps; ++s) {
      pe.wait(arrived);
      if (s + 1 < steps)
        arrived = in();
      pe.wait(pe.se(p.input, staging.rows * staging.cols));
      last = out();
    }
  } else {
    bool prefetch = pe.desc.dma.dramPrefetch && from == MemoryLevel::DRAM;
    for (int64_t s = 0; s < steps; ++s) {
      int64_t arrived = in();
      pe.wait(last);
      last = prefetch ? arrived : (pe.wait(arrived), out());
    }
  }
  pe.wait(last);
}

/// The share of its time a PE of the kernel spends transferring at each
/// level: of `active` PEs running, expectedSharers(active, ...) share it.
struct Busy {
  int64_t transferCycles[kNumMemoryLevels] = {1, 1, 1};
  int64_t periodCycles = 1;

  PETimeline timeline(const TargetDesc &desc, int64_t active,
                      bool drifted = false) const {
    PETimeline pe{desc, {}};
    pe.active = std::max<int64_t>(active, 1);
    for (int l = 0; l < kNumMemoryLevels; ++l)
      pe.sharers[l] = expectedSharers(active, transferCycles[l], periodCycles,
                                      drifted);
    return pe;
  }
};

/// The body on the busiest PE's timeline.
struct ProductRun {
  int64_t cycles = 0;
  /// The busiest PE's transfer cycles at each level, and the job's bytes.
  Busy busy;
  int64_t bytes[kNumMemoryLevels] = {0, 0, 0};
};

/// The staging copies on the PE with the most steps, and their bytes.
int64_t stagingCycles(const TargetDesc &desc, const ProductKernel &p,
                      ProductRun &run) {
  int64_t pes = std::max<int64_t>(p.pes, 1), cycles = 0;
  for (auto [staging, loaded, from] :
       {std::make_tuple(&p.stagingA, p.loadedA, p.levelA),
        std::make_tuple(&p.stagingB, p.loadedB, p.levelB)}) {
    if (staging->steps == 0)
      continue;
    // The PEs share the levels as the staging's own transfers, not the
    // products', keep them busy: price it with every PE transferring, then
    // with the sharers that run implies.
    int64_t active = std::min(pes, staging->steps);
    int64_t perPE = llvm::divideCeil(staging->steps, pes);
    PETimeline first = Busy().timeline(desc, active);
    stagingCopy(first, p, loaded, from, *staging, perPE);
    Busy own;
    std::copy(std::begin(first.transferCycles), std::end(first.transferCycles),
              own.transferCycles);
    own.periodCycles = std::max<int64_t>(first.clock, 1);
    PETimeline pe = own.timeline(desc, active);
    stagingCopy(pe, p, loaded, from, *staging, perPE);
    cycles += pe.clock;
    run.bytes[static_cast<int>(from)] +=
        staging->steps * dmaBytesMoved(desc, from, staging->rows,
                                       staging->cols * dtypeBytes(loaded));
    run.bytes[static_cast<int>(MemoryLevel::SRAM)] +=
        staging->steps * dmaBytesMoved(desc, MemoryLevel::SRAM, staging->rows,
                                       staging->cols * dtypeBytes(p.input));
  }
  return cycles > 0 ? cycles + desc.costs.barrierCycles : 0;
}

ProductRun runProduct(const TargetDesc &desc, const ProductKernel &p,
                      const Busy &busy) {
  ProductRun run;
  int64_t pes = std::max<int64_t>(p.pes, 1);
  int64_t stagingEnd = stagingCycles(desc, p, run);

  // Tasks differ only in their tile's rows and columns, in how many PEs
  // run beside them (fewer in the last wave) and in whether they are a
  // PE's first or last: price each such task once, then sum each PE's
  // tasks.
  struct Priced {
    int64_t cycles;
    int64_t transfer[kNumMemoryLevels];
    int64_t bytes[kNumMemoryLevels];
  };
  std::map<std::tuple<int64_t, int64_t, int64_t, bool, bool>, Priced> shapes;
  auto price = [&](int64_t rows, int64_t cols, int64_t active,
                   TaskPlace place) -> const Priced & {
    auto [it, inserted] =
        shapes.try_emplace({rows, cols, active, place.first, place.last});
    if (inserted) {
      // A PE's later tasks no longer start with the others'.
      PETimeline pe = busy.timeline(desc, active, !place.first);
      productTask(pe, p, rows, cols, place);
      it->second.cycles = pe.clock;
      std::copy(std::begin(pe.transferCycles), std::end(pe.transferCycles),
                it->second.transfer);
      std::copy(std::begin(pe.bytes), std::end(pe.bytes), it->second.bytes);
    }
    return it->second;
  };
  int64_t rowTiles = llvm::divideCeil(p.m, p.tm);
  int64_t colTiles = llvm::divideCeil(p.n, p.tn);
  int64_t tasks = p.batches * rowTiles * colTiles;
  std::vector<ProductRun> perPE(std::min(pes, tasks));
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t inBatch = t % (rowTiles * colTiles);
    int64_t i = inBatch / colTiles, j = inBatch % colTiles;
    int64_t active = std::min(pes, tasks - t / pes * pes);
    TaskPlace place{t < pes, t + pes >= tasks};
    const Priced &task = price(std::min(p.tm, p.m - i * p.tm),
                               std::min(p.tn, p.n - j * p.tn), active, place);
    ProductRun &pe = perPE[t % pes];
    pe.cycles += task.cycles;
    for (int l = 0; l < kNumMemoryLevels; ++l) {
      pe.busy.transferCycles[l] += task.transfer[l];
      run.bytes[l] += task.bytes[l];
    }
  }
  const ProductRun *busiest = &perPE.front();
  for (const ProductRun &pe : perPE)
    if (pe.cycles > busiest->cycles)
      busiest = &pe;
  run.cycles = stagingEnd + busiest->cycles;
  run.busy = busiest->busy;
  run.busy.periodCycles = std::max<int64_t>(busiest->cycles, 1);
  return run;
}

} // namespace

int64_t anvil::target::productBodyCycles(const TargetDesc &desc,
                                         const ProductKernel &kernel) {
  // Each PE shares a level with the others that are transferring there at
  // the time, so the rates depend on the time they set: start from every
  // PE transferring at once and settle on the sharers the run implies.
  ProductRun run = runProduct(desc, kernel, Busy());
  for (int round = 0; round < 4; ++round)
    run = runProduct(desc, kernel, run.busy);
  int64_t body = run.cycles;
  for (MemoryLevel level : {MemoryLevel::DRAM, MemoryLevel::SRAM})
    body = std::max(body, static_cast<int64_t>(std::ceil(
                              run.bytes[static_cast<int>(level)] /
                              desc.bytesPerCycle(level))));
  return body;
}
