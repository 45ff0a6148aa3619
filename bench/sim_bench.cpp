//===- sim_bench.cpp - What the simulated machine can reach ---------------===//
//
// Two PE programs written against anvil-c/MTIA.h, run on the simulator:
//
//  - an FP16 GEMM (default 2048^3), C = A B with A and B in SRAM and C
//    written back to SRAM in f16: each PE owns a block of C, computes it
//    in sub-blocks that fit its local memory, and double-buffers the A and
//    B slices it streams in while the DPE works;
//  - an elementwise f32 add of two DRAM tensors into a third, each PE
//    streaming its share through double-buffered local memory.
//
// Each reports the simulated time of its job against the machine's limit
// (DPE peak, DRAM bandwidth), and the results are checked against a
// reference computed here. The GEMM also reports the cost of staging A and
// B from DRAM into SRAM and of writing C back, as separate jobs.
//
//===----------------------------------------------------------------------===//

#include "anvil-c/MTIA.h"
#include "anvil/Sim/Half.h"
#include "anvil/Sim/Simulator.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace anvil::sim;
using namespace anvil::target;
namespace cl = llvm::cl;

namespace {

cl::opt<std::string> targetName("target", cl::desc("Machine description"),
                                cl::init("mtia-v1"));
cl::opt<int64_t> gemmSize("gemm",
                          cl::desc("M = N = K of the FP16 GEMM (0: skip)"),
                          cl::init(2048));
cl::opt<int64_t> addElements("add",
                             cl::desc("Elements of the f32 add (0: skip)"),
                             cl::init(int64_t(1) << 24));
cl::opt<double> minGemmPercent(
    "min-gemm-percent",
    cl::desc("Fail unless the GEMM's compute job reaches this share of DPE "
             "peak (simulated time, so the check is deterministic)"),
    cl::init(0));
cl::opt<double> minAddPercent(
    "min-add-percent",
    cl::desc("Fail unless the add reaches this share of DRAM bandwidth"),
    cl::init(0));
cl::opt<std::string> tracePath("trace",
                               cl::desc("Write a Chrome trace of the GEMM"),
                               cl::init(""));

int64_t cyclesOf(Simulator &sim, llvm::function_ref<void()> run) {
  int64_t before = sim.report().cycles;
  run();
  return sim.report().cycles - before;
}

/// Copies a rows x rowBytes region between DRAM and SRAM through local
/// memory, spread over all PEs (each moves whole rows).
void stage(Simulator &sim, char *dst, int32_t dstLevel, const char *src,
           int32_t srcLevel, int64_t rows, int64_t rowBytes) {
  int64_t pes = sim.desc().numPEs();
  int64_t chunkRows = std::max<int64_t>(
      1, sim.desc().level(MemoryLevel::Local).capacityBytes / 2 / rowBytes);
  sim.runJob(pes, [&](int64_t pe) {
    char *local = static_cast<char *>(anvil_mtia_local_base());
    int64_t first = rows * pe / pes, last = rows * (pe + 1) / pes;
    for (int64_t r = first; r < last; r += chunkRows) {
      int64_t n = std::min(chunkRows, last - r);
      anvil_mtia_wait(anvil_mtia_dma(local, ANVIL_MTIA_LOCAL, rowBytes,
                                     src + r * rowBytes, srcLevel, rowBytes, n,
                                     rowBytes));
      anvil_mtia_wait(anvil_mtia_dma(dst + r * rowBytes, dstLevel, rowBytes,
                                     local, ANVIL_MTIA_LOCAL, rowBytes, n,
                                     rowBytes));
    }
  });
}

struct GemmTiles {
  int64_t blockRows, blockCols; ///< C block of one PE
  int64_t sub;                  ///< square C sub-block held in local memory
  int64_t kStep;                ///< reduction slice streamed per DPE call
  int64_t stripe;               ///< rows of C converted and stored at once
  /// Operand slices in local memory: the DMA engine runs two slices ahead
  /// of the DPE, so a result leaving for SRAM does not stall it.
  static constexpr int64_t kBuffers = 3;
  /// f16 result stripes: one converts while the other leaves for SRAM.
  static constexpr int64_t kOutStripes = 2;

  int64_t localBytes() const {
    return sub * sub * 4 + kBuffers * 2 * sub * kStep * 2 +
           kOutStripes * stripe * sub * 2;
  }
};

/// Sub-blocks from the machine description: the reduction slice is one
/// native tile pass deep, or more if A's slice rows would be shorter than
/// an SRAM transaction (a partial transaction costs a whole one); results
/// leave in stripes of the DPE's native tile rows; and the C sub-block is
/// the largest multiple of the tile that divides the PE's block and fits
/// local memory with the operand buffers and result stripes.
GemmTiles chooseTiles(const TargetDesc &desc, int64_t size) {
  GemmTiles t;
  t.blockRows = size / desc.peRows;
  t.blockCols = size / desc.peCols;
  t.kStep = std::max(desc.dpe.tileRowBytes,
                     desc.level(MemoryLevel::SRAM).transactionBytes) /
            2;
  t.stripe = desc.dpe.tileRows;
  int64_t capacity = desc.level(MemoryLevel::Local).capacityBytes;
  t.sub = t.stripe;
  for (int64_t s = t.stripe; s <= std::min(t.blockRows, t.blockCols);
       s += t.stripe) {
    GemmTiles candidate = t;
    candidate.sub = s;
    if (t.blockRows % s == 0 && t.blockCols % s == 0 &&
        candidate.localBytes() <= capacity)
      t.sub = s;
  }
  return t;
}

/// One PE's share of C = A B: A, B and C (f16) in SRAM, row-major n x n.
void gemmProgram(int64_t pe, const TargetDesc &desc, const GemmTiles &t,
                 int64_t n, const uint16_t *a, const uint16_t *b, uint16_t *c) {
  char *local = static_cast<char *>(anvil_mtia_local_base());
  int64_t s = t.sub, ks = t.kStep, rows = t.stripe;
  auto *acc = reinterpret_cast<float *>(local);
  char *buffers = local + s * s * 4;
  int64_t sliceA = s * ks * 2, sliceB = ks * s * 2;
  auto bufA = [&](int64_t i) { return buffers + i * (sliceA + sliceB); };
  auto bufB = [&](int64_t i) { return bufA(i) + sliceA; };
  auto out = [&](int64_t i) {
    return reinterpret_cast<uint16_t *>(bufA(GemmTiles::kBuffers) +
                                        i * rows * s * 2);
  };

  int64_t row0 = (pe / desc.peCols) * t.blockRows;
  int64_t col0 = (pe % desc.peCols) * t.blockCols;
  int64_t subCols = t.blockCols / s;
  int64_t stepsPerSub = n / ks;
  int64_t steps = (t.blockRows / s) * subCols * stepsPerSub;
  // Step g multiplies reduction slice g % stepsPerSub of sub-block
  // g / stepsPerSub; one sequence over all sub-blocks lets the first slices
  // of a sub-block load while the last of the previous one multiply.
  auto origin = [&](int64_t g) {
    int64_t sub = g / stepsPerSub;
    return std::make_pair(row0 + (sub / subCols) * s,
                          col0 + (sub % subCols) * s);
  };
  auto load = [&](int64_t g) {
    auto [i0, j0] = origin(g);
    int64_t k0 = (g % stepsPerSub) * ks, buf = g % GemmTiles::kBuffers;
    anvil_mtia_dma(bufA(buf), ANVIL_MTIA_LOCAL, ks * 2, a + i0 * n + k0,
                   ANVIL_MTIA_SRAM, n * 2, s, ks * 2);
    // DMA runs in issue order: B's arrival implies A's.
    return anvil_mtia_dma(bufB(buf), ANVIL_MTIA_LOCAL, s * 2, b + k0 * n + j0,
                          ANVIL_MTIA_SRAM, n * 2, ks, s * 2);
  };
  // loaded[g % kBuffers]: slice g's arrival; multiplied[..]: when the
  // product that read its buffer is done; stored[..]: when a result stripe
  // buffer has left.
  anvil_mtia_token loaded[GemmTiles::kBuffers], multiplied[GemmTiles::kBuffers];
  anvil_mtia_token stored[GemmTiles::kOutStripes];
  std::fill(std::begin(multiplied), std::end(multiplied), -1);
  std::fill(std::begin(stored), std::end(stored), -1);
  for (int64_t g = 0; g < std::min(steps, GemmTiles::kBuffers - 1); ++g)
    loaded[g] = load(g);
  std::vector<anvil_mtia_token> stripeDone(s / rows);
  for (int64_t g = 0; g < steps; ++g) {
    int64_t buf = g % GemmTiles::kBuffers, slice = g % stepsPerSub;
    int64_t ahead = g + GemmTiles::kBuffers - 1;
    if (ahead < steps) {
      int64_t next = ahead % GemmTiles::kBuffers;
      if (multiplied[next] >= 0)
        anvil_mtia_wait(multiplied[next]);
      loaded[next] = load(ahead);
    }
    anvil_mtia_wait(loaded[buf]);
    if (slice + 1 < stepsPerSub) {
      multiplied[buf] =
          anvil_mtia_dpe_matmul(acc, s, bufA(buf), ks, bufB(buf), s, s, ks, s,
                                ANVIL_MTIA_F16, slice > 0);
      continue;
    }
    // The last slice goes in stripes of rows, so that each stripe converts
    // and leaves while the DPE works on the next; the next sub-block's
    // first product then waits for the last stripe's conversion only.
    for (size_t r = 0; r < stripeDone.size(); ++r)
      stripeDone[r] = anvil_mtia_dpe_matmul(
          acc + r * rows * s, s, bufA(buf) + r * rows * ks * 2, ks, bufB(buf),
          s, rows, ks, s, ANVIL_MTIA_F16, stepsPerSub > 1);
    multiplied[buf] = stripeDone.back();
    auto [i0, j0] = origin(g);
    for (size_t r = 0; r < stripeDone.size(); ++r) {
      int64_t o = r % GemmTiles::kOutStripes;
      anvil_mtia_wait(stripeDone[r]);
      if (stored[o] >= 0)
        anvil_mtia_wait(stored[o]);
      anvil_mtia_wait(anvil_mtia_se_convert(out(o), ANVIL_MTIA_F16,
                                            acc + r * rows * s, ANVIL_MTIA_F32,
                                            rows * s));
      // Left in flight: later loads queue behind it, and the job's end
      // waits for it.
      stored[o] =
          anvil_mtia_dma(c + (i0 + r * rows) * n + j0, ANVIL_MTIA_SRAM, n * 2,
                         out(o), ANVIL_MTIA_LOCAL, s * 2, rows, s * 2);
    }
  }
}

/// 1 (with a message) when `percent` falls short of `bar`.
int belowBar(llvm::StringRef what, double percent, double bar) {
  if (percent >= bar)
    return 0;
  llvm::WithColor::error() << llvm::formatv(
      "the {0} reaches {1:f1}% of its bound; at least {2:f1}% was required\n",
      what, percent, bar);
  return 1;
}

/// Largest relative error of sampled elements of C against a double
/// reference computed from the same f16 inputs.
double checkGemm(int64_t n, const std::vector<uint16_t> &a,
                 const std::vector<uint16_t> &b,
                 const std::vector<uint16_t> &c) {
  double worst = 0;
  std::mt19937 rng(3);
  for (int sample = 0; sample < 256; ++sample) {
    int64_t i = rng() % n, j = rng() % n;
    double want = 0, scale = 0;
    for (int64_t k = 0; k < n; ++k) {
      double p = double(halfToFloat(a[i * n + k])) * halfToFloat(b[k * n + j]);
      want += p;
      scale += std::fabs(p);
    }
    double got = halfToFloat(c[i * n + j]);
    worst = std::max(worst, std::fabs(got - want) / scale);
  }
  return worst;
}

int runGemm(const TargetDesc &desc) {
  int64_t n = gemmSize;
  if (n % (desc.peRows * 32) || n % (desc.peCols * 32)) {
    llvm::WithColor::error() << "--gemm must be a multiple of 32 x the PE "
                                "grid's rows and columns\n";
    return 1;
  }
  std::vector<uint16_t> a(n * n), b(n * n), c(n * n);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (uint16_t &x : a)
    x = floatToHalf(dist(rng));
  for (uint16_t &x : b)
    x = floatToHalf(dist(rng));

  Simulator sim(desc, SimOptions{!tracePath.empty()});
  if (int64_t(3) * n * n * 2 > desc.level(MemoryLevel::SRAM).capacityBytes) {
    llvm::WithColor::error() << "A, B and C do not fit in SRAM\n";
    return 1;
  }
  auto *sramA = reinterpret_cast<uint16_t *>(sim.sramBase());
  uint16_t *sramB = sramA + n * n, *sramC = sramB + n * n;
  int64_t rowBytes = n * 2;
  int64_t stageIn = cyclesOf(sim, [&] {
    stage(sim, reinterpret_cast<char *>(sramA), ANVIL_MTIA_SRAM,
          reinterpret_cast<const char *>(a.data()), ANVIL_MTIA_DRAM, n,
          rowBytes);
    stage(sim, reinterpret_cast<char *>(sramB), ANVIL_MTIA_SRAM,
          reinterpret_cast<const char *>(b.data()), ANVIL_MTIA_DRAM, n,
          rowBytes);
  });
  GemmTiles tiles = chooseTiles(desc, n);
  int64_t compute = cyclesOf(sim, [&] {
    sim.runJob(desc.numPEs(), [&](int64_t pe) {
      gemmProgram(pe, desc, tiles, n, sramA, sramB, sramC);
    });
  });
  int64_t stageOut = cyclesOf(sim, [&] {
    stage(sim, reinterpret_cast<char *>(c.data()), ANVIL_MTIA_DRAM,
          reinterpret_cast<const char *>(sramC), ANVIL_MTIA_SRAM, n, rowBytes);
  });
  if (sim.faulted()) {
    llvm::WithColor::error() << sim.faultText() << "\n";
    return 1;
  }
  double ideal = 2.0 * n * n * n / desc.dpePeakOpsPerSecond(DType::F16) /
                 desc.secondsPerCycle();
  double error = checkGemm(n, a, b, c);
  llvm::outs() << llvm::formatv(
      "gemm {0}^3 f16 on {1}: C sub-blocks {2}x{2} leaving in stripes of "
      "{12} rows, reduction slices of {3}\n"
      "  compute job (A, B, C in SRAM): {4} cycles, {5:f1} us; DPE peak "
      "needs {6:f0}: {7:f1}% of peak\n"
      "  staging A, B DRAM->SRAM: {8} cycles; C SRAM->DRAM: {9} cycles; "
      "with them: {10:f1}% of peak\n"
      "  largest error of sampled elements (relative to sum |products|): "
      "{11:e}\n",
      n, desc.name, tiles.sub, tiles.kStep, compute,
      compute * desc.secondsPerCycle() * 1e6, ideal, 100 * ideal / compute,
      stageIn, stageOut, 100 * ideal / (stageIn + compute + stageOut), error,
      tiles.stripe);
  sim.printReport(llvm::outs());
  if (!tracePath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(tracePath, ec);
    if (ec) {
      llvm::WithColor::error() << tracePath << ": " << ec.message() << "\n";
      return 1;
    }
    sim.writeTrace(os);
  }
  // f16 output of a sum of 2048 products: half an f16 ulp of the result
  // is at most 2^-11 of the sum of magnitudes.
  int status = error <= 0x1.0p-11 ? 0 : 1;
  return status | belowBar("GEMM", 100 * ideal / compute, minGemmPercent);
}

int runAdd(const TargetDesc &desc) {
  int64_t n = addElements;
  std::vector<float> a(n), b(n), c(n);
  for (int64_t i = 0; i < n; ++i) {
    a[i] = static_cast<float>(i % 1000) * 0.5f;
    b[i] = static_cast<float>(i % 777) * 0.25f;
  }
  Simulator sim(desc);
  int64_t pes = desc.numPEs();
  // Three streams, two buffers each, in local memory.
  int64_t chunk = desc.level(MemoryLevel::Local).capacityBytes / (6 * 4);
  chunk -= chunk % 64;
  sim.addCompulsoryDRAMBytes(3 * n * 4);
  sim.runJob(pes, [&](int64_t pe) {
    float *local = static_cast<float *>(anvil_mtia_local_base());
    int64_t first = n * pe / pes, last = n * (pe + 1) / pes;
    auto bufIn = [&](int64_t buf, int64_t which) {
      return local + (buf * 3 + which) * chunk;
    };
    auto load = [&](int64_t start, int64_t buf) {
      int64_t len = std::min(chunk, last - start);
      anvil_mtia_dma(bufIn(buf, 0), ANVIL_MTIA_LOCAL, 0, a.data() + start,
                     ANVIL_MTIA_DRAM, 0, 1, len * 4);
      return anvil_mtia_dma(bufIn(buf, 1), ANVIL_MTIA_LOCAL, 0,
                            b.data() + start, ANVIL_MTIA_DRAM, 0, 1, len * 4);
    };
    anvil_mtia_token loaded = load(first, 0), stored = -1;
    int64_t buf = 0;
    for (int64_t start = first; start < last; start += chunk, buf ^= 1) {
      int64_t len = std::min(chunk, last - start);
      // DMA runs in order: the second load done means the first is too.
      anvil_mtia_wait(loaded);
      // The other buffers' store must be out before they are reloaded.
      if (stored >= 0)
        anvil_mtia_wait(stored);
      if (start + chunk < last)
        loaded = load(start + chunk, buf ^ 1);
      anvil_mtia_wait(anvil_mtia_se_binary(
          bufIn(buf, 2), bufIn(buf, 0), bufIn(buf, 1), len, ANVIL_MTIA_SE_ADD));
      stored = anvil_mtia_dma(c.data() + start, ANVIL_MTIA_DRAM, 0,
                              bufIn(buf, 2), ANVIL_MTIA_LOCAL, 0, 1, len * 4);
    }
  });
  if (sim.faulted()) {
    llvm::WithColor::error() << sim.faultText() << "\n";
    return 1;
  }
  int64_t wrong = 0;
  for (int64_t i = 0; i < n; ++i)
    wrong += c[i] != a[i] + b[i];
  SimReport r = sim.report();
  double dramBytes = r.bytes[static_cast<int>(MemoryLevel::DRAM)];
  double ideal = dramBytes / desc.bytesPerCycle(MemoryLevel::DRAM);
  llvm::outs() << llvm::formatv(
      "add of {0} f32 elements on {1}: {2} cycles, {3:f1} us; {4} DRAM bytes "
      "need {5:f0} cycles at full bandwidth: {6:f1}% of DRAM bandwidth; "
      "{7} wrong elements\n",
      n, desc.name, r.cycles, r.microseconds, int64_t(dramBytes), ideal,
      100 * ideal / r.cycles, wrong);
  sim.printReport(llvm::outs());
  return (wrong == 0 ? 0 : 1) |
         belowBar("add", 100 * ideal / r.cycles, minAddPercent);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "GEMM and elementwise add on the simulator\n");
  llvm::Expected<TargetDesc> desc = resolveTarget(targetName);
  if (!desc) {
    llvm::WithColor::error() << llvm::toString(desc.takeError()) << "\n";
    return 2;
  }
  int status = 0;
  if (gemmSize > 0)
    status |= runGemm(*desc);
  if (addElements > 0)
    status |= runAdd(*desc);
  return status;
}
