//===- Operations.cpp - The PE operations of anvil-c/MTIA.h, simulated ----===//
//
// Each operation checks its operands against the machine (local operands in
// this PE's local memory, types the units take), computes its result
// exactly, and charges its time to the current simulator. A bad operand is
// a fault of the run, reported by the runtime; the operation is skipped.
//
//===----------------------------------------------------------------------===//

#include "anvil-c/Kernels.h"
#include "anvil-c/MTIA.h"
#include "anvil/Sim/Half.h"
#include "anvil/Sim/Simulator.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstring>
#include <vector>

using namespace anvil::sim;
using namespace anvil::target;

namespace {

Simulator *simulatorFor(const char *operation) {
  Simulator *sim = Simulator::current();
  // Outside a job there is no PE to run on; the runtime never does this,
  // so it is a broken invariant of the caller, not bad input.
  if (!sim) {
    fprintf(stderr, "anvil: %s called outside a simulated job\n", operation);
    abort();
  }
  return sim->faulted() ? nullptr : sim;
}

/// Faults the run with `reason` for `operation` on the current PE; returns
/// the token a skipped operation gives.
anvil_mtia_token faultOp(Simulator &sim, const char *operation,
                         const std::string &reason) {
  sim.fault(
      llvm::formatv("PE {0}: {1}: {2}", sim.currentPE(), operation, reason));
  return 0;
}

bool checkLocal(Simulator &sim, const void *ptr, int64_t bytes,
                const char *operation, const char *operand) {
  if (sim.inLocal(ptr, bytes))
    return true;
  faultOp(sim, operation,
          llvm::formatv("operand {0} ({1} bytes) is not in the PE's local "
                        "memory",
                        operand, bytes)
              .str());
  return false;
}

/// Checks that a DMA operand at `level` lies in that level's memory: the
/// PE's local memory or the SRAM scratchpad (DRAM is the host's).
bool checkEnd(Simulator &sim, const void *ptr, int32_t level, int64_t bytes,
              const char *operand) {
  if (level == ANVIL_MTIA_LOCAL)
    return checkLocal(sim, ptr, bytes, "dma", operand);
  if (level != ANVIL_MTIA_SRAM || sim.inSRAM(ptr, bytes))
    return true;
  faultOp(sim, "dma",
          llvm::formatv("operand {0} ({1} bytes) is not in the SRAM", operand,
                        bytes)
              .str());
  return false;
}

/// Bytes a row-major operand of `rows` rows spans.
int64_t spanBytes(int64_t rows, int64_t cols, int64_t ld, int64_t elemBytes) {
  return rows == 0 || cols == 0 ? 0 : ((rows - 1) * ld + cols) * elemBytes;
}

int8_t floatToI8(float f) {
  float r = std::nearbyint(f);
  return static_cast<int8_t>(std::fmin(127.f, std::fmax(-128.f, r)));
}

/// Widens `rows` x `cols` elements of type T at `src` (rows `ld` apart)
/// into a dense f32 matrix, each with `load`.
template <typename T, typename Load>
void widenWith(const void *src, int64_t ld, int64_t rows, int64_t cols,
               Load load, std::vector<float> &out) {
  out.resize(rows * cols);
  auto *in = static_cast<const T *>(src);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[r * cols + c] = load(in[r * ld + c]);
}

void widen(const void *src, int64_t ld, int64_t rows, int64_t cols, DType type,
           std::vector<float> &out) {
  switch (type) {
  case DType::F16:
    return widenWith<uint16_t>(src, ld, rows, cols, halfToFloat, out);
  case DType::BF16:
    return widenWith<uint16_t>(src, ld, rows, cols, bf16ToFloat, out);
  case DType::I8:
    return widenWith<int8_t>(
        src, ld, rows, cols, [](int8_t v) { return float(v); }, out);
  default:
    return widenWith<float>(
        src, ld, rows, cols, [](float v) { return v; }, out);
  }
}

void integerMatmul(int32_t *c, int64_t ldc, const int8_t *a, int64_t lda,
                   const int8_t *b, int64_t ldb, int64_t m, int64_t k,
                   int64_t n, bool accumulate) {
  for (int64_t i = 0; i < m; ++i) {
    int32_t *row = c + i * ldc;
    if (!accumulate)
      std::fill(row, row + n, 0);
    for (int64_t p = 0; p < k; ++p) {
      int32_t av = a[i * lda + p];
      for (int64_t j = 0; j < n; ++j)
        row[j] += av * b[p * ldb + j];
    }
  }
}

/// The SE's lookup-table functions, to f32 precision.
float lookup(int32_t function, float x) {
  switch (function) {
  case ANVIL_MTIA_LUT_RELU:
    return std::fmax(x, 0.f);
  case ANVIL_MTIA_LUT_EXP:
    return std::exp(x);
  case ANVIL_MTIA_LUT_SIGMOID:
    return 1.f / (1.f + std::exp(-x));
  case ANVIL_MTIA_LUT_TANH:
    return std::tanh(x);
  default: // GELU, the erf form
    return 0.5f * x * (1.f + std::erf(x * static_cast<float>(M_SQRT1_2)));
  }
}

/// The reduction engine's operands: n local elements of f32 or i32 each.
bool checkReduction(Simulator &sim, const char *operation, const void *dst,
                    const void *src, int64_t n, int32_t type) {
  if (type != ANVIL_MTIA_F32 && type != ANVIL_MTIA_I32) {
    faultOp(sim, operation,
            llvm::formatv("takes f32 or i32, not type {0}", type).str());
    return false;
  }
  return checkLocal(sim, src, n * 4, operation, "src") &&
         checkLocal(sim, dst, n * 4, operation, "dst");
}

void accumulate(void *dst, const void *src, int64_t n, int32_t type) {
  if (type == ANVIL_MTIA_I32) {
    auto *out = static_cast<int32_t *>(dst);
    auto *in = static_cast<const int32_t *>(src);
    for (int64_t i = 0; i < n; ++i)
      out[i] = static_cast<int32_t>(static_cast<uint32_t>(out[i]) +
                                    static_cast<uint32_t>(in[i]));
    return;
  }
  auto *out = static_cast<float *>(dst);
  auto *in = static_cast<const float *>(src);
  for (int64_t i = 0; i < n; ++i)
    out[i] += in[i];
}

/// The PE next to the current one in `direction` on the grid, if it is in
/// the job.
std::optional<int64_t> neighbourOf(Simulator &sim, int32_t direction) {
  int64_t cols = sim.desc().peCols, self = sim.currentPE();
  int64_t row = self / cols, col = self % cols;
  switch (direction) {
  case ANVIL_MTIA_NORTH:
    --row;
    break;
  case ANVIL_MTIA_SOUTH:
    ++row;
    break;
  case ANVIL_MTIA_EAST:
    ++col;
    break;
  case ANVIL_MTIA_WEST:
    --col;
    break;
  default:
    return std::nullopt;
  }
  int64_t p = row * cols + col;
  if (row < 0 || col < 0 || col >= cols || p >= sim.jobPEs())
    return std::nullopt;
  return p;
}

} // namespace

extern "C" {

void anvil_mtia_job_run(int64_t numPEs, anvil_mtia_program program, void *ctx,
                        const char *name, const char *nodes,
                        int64_t predicted_cycles) {
  if (Simulator *sim = simulatorFor("job_run"))
    sim->runJob(
        numPEs, [&](int64_t pe) { program(pe, ctx); },
        name ? llvm::StringRef(name) : "", nodes ? llvm::StringRef(nodes) : "",
        predicted_cycles);
}

int64_t anvil_mtia_pe_id(void) {
  Simulator *sim = Simulator::current();
  return sim ? sim->currentPE() : 0;
}

int64_t anvil_mtia_num_pes(void) {
  Simulator *sim = Simulator::current();
  return sim ? sim->jobPEs() : 1;
}

void *anvil_mtia_local_base(void) {
  Simulator *sim = Simulator::current();
  return sim ? sim->localBase() : nullptr;
}

void *anvil_mtia_sram_base(void) {
  Simulator *sim = Simulator::current();
  return sim ? sim->sramBase() : nullptr;
}

anvil_mtia_token anvil_mtia_dma(void *dst, int32_t dstLevel, int64_t dstStride,
                                const void *src, int32_t srcLevel,
                                int64_t srcStride, int64_t rows,
                                int64_t rowBytes) {
  Simulator *sim = simulatorFor("dma");
  if (!sim)
    return 0;
  bool prefetch = srcLevel == ANVIL_MTIA_DRAM && dstLevel == ANVIL_MTIA_SRAM;
  if (srcLevel < 0 || srcLevel > 2 || dstLevel < 0 || dstLevel > 2 ||
      (!prefetch && srcLevel != ANVIL_MTIA_LOCAL &&
       dstLevel != ANVIL_MTIA_LOCAL)) {
    return faultOp(*sim, "dma",
                   llvm::formatv("levels {0} -> {1}: one end must be the PE's "
                                 "local memory, or DRAM to SRAM",
                                 srcLevel, dstLevel)
                       .str());
  }
  if (prefetch && !sim->desc().dma.dramPrefetch)
    return faultOp(*sim, "dma",
                   "DRAM to SRAM: this machine has no DRAM-to-SRAM prefetch");
  if (!checkEnd(*sim, src, srcLevel, spanBytes(rows, rowBytes, srcStride, 1),
                "src") ||
      !checkEnd(*sim, dst, dstLevel, spanBytes(rows, rowBytes, dstStride, 1),
                "dst"))
    return 0;
  for (int64_t r = 0; r < rows; ++r)
    std::memmove(static_cast<char *>(dst) + r * dstStride,
                 static_cast<const char *>(src) + r * srcStride, rowBytes);
  return sim->dma(static_cast<MemoryLevel>(srcLevel),
                  static_cast<MemoryLevel>(dstLevel), rows, rowBytes);
}

anvil_mtia_token anvil_mtia_dma_broadcast(void *dst, int64_t dstStride,
                                          const void *src, int32_t srcLevel,
                                          int64_t srcStride, int64_t rows,
                                          int64_t rowBytes, int32_t axis) {
  Simulator *sim = simulatorFor("dma_broadcast");
  if (!sim)
    return 0;
  const TargetDesc &desc = sim->desc();
  if (!desc.dma.broadcast)
    return faultOp(*sim, "dma_broadcast",
                   desc.name + " has no broadcast DMA (dma.broadcast)");
  if (srcLevel != ANVIL_MTIA_DRAM && srcLevel != ANVIL_MTIA_SRAM)
    return faultOp(*sim, "dma_broadcast", "the source must be SRAM or DRAM");
  if (axis != ANVIL_MTIA_ROW && axis != ANVIL_MTIA_COLUMN)
    return faultOp(*sim, "dma_broadcast",
                   llvm::formatv("unknown axis {0}", axis).str());
  if (!checkLocal(*sim, dst, spanBytes(rows, rowBytes, dstStride, 1),
                  "dma_broadcast", "dst"))
    return 0;
  int64_t self = sim->currentPE(),
          offset = static_cast<char *>(dst) - sim->localBase();
  int64_t receivers = 0;
  for (int64_t p = 0; p < sim->jobPEs(); ++p) {
    bool sameLine = axis == ANVIL_MTIA_ROW
                        ? p / desc.peCols == self / desc.peCols
                        : p % desc.peCols == self % desc.peCols;
    if (!sameLine)
      continue;
    ++receivers;
    char *to = sim->localBase(p) + offset;
    for (int64_t r = 0; r < rows; ++r)
      std::memmove(to + r * dstStride,
                   static_cast<const char *>(src) + r * srcStride, rowBytes);
  }
  return sim->dmaBroadcast(static_cast<MemoryLevel>(srcLevel), receivers, rows,
                           rowBytes);
}

anvil_mtia_token anvil_mtia_dma_gather(void *dst, int64_t dstStride,
                                       const void *table, int32_t tableLevel,
                                       int64_t tableStride, int64_t tableRows,
                                       int64_t rowBytes, const void *indices,
                                       int32_t indexBytes, int64_t count) {
  Simulator *sim = simulatorFor("dma_gather");
  if (!sim)
    return 0;
  if (!sim->desc().dma.gather)
    return faultOp(*sim, "dma_gather",
                   sim->desc().name + " has no indexed DMA (dma.gather)");
  if (tableLevel != ANVIL_MTIA_DRAM && tableLevel != ANVIL_MTIA_SRAM)
    return faultOp(*sim, "dma_gather", "the table must be in SRAM or DRAM");
  if (indexBytes != 4 && indexBytes != 8)
    return faultOp(*sim, "dma_gather",
                   llvm::formatv("indices of {0} bytes", indexBytes).str());
  if (!checkLocal(*sim, indices, count * indexBytes, "dma_gather", "indices") ||
      !checkLocal(*sim, dst, spanBytes(count, rowBytes, dstStride, 1),
                  "dma_gather", "dst"))
    return 0;
  for (int64_t i = 0; i < count; ++i) {
    int64_t index = indexBytes == 4 ? static_cast<const int32_t *>(indices)[i]
                                    : static_cast<const int64_t *>(indices)[i];
    if (index < 0 || index >= tableRows)
      return faultOp(*sim, "dma_gather",
                     llvm::formatv("index {0} (position {1}) is outside the "
                                   "table's {2} rows",
                                   index, i, tableRows)
                         .str());
    std::memcpy(static_cast<char *>(dst) + i * dstStride,
                static_cast<const char *>(table) + index * tableStride,
                rowBytes);
  }
  return sim->dma(static_cast<MemoryLevel>(tableLevel), MemoryLevel::Local,
                  count, rowBytes);
}

void anvil_mtia_wait(anvil_mtia_token token) {
  if (Simulator *sim = simulatorFor("wait"))
    sim->wait(token);
}

anvil_mtia_token anvil_mtia_dpe_matmul(void *c, int64_t ldc, const void *a,
                                       int64_t lda, const void *b, int64_t ldb,
                                       int64_t m, int64_t k, int64_t n,
                                       int32_t inType, int32_t accumulate) {
  Simulator *sim = simulatorFor("dpe_matmul");
  if (!sim)
    return 0;
  auto input = static_cast<DType>(inType);
  std::optional<DType> acc = inType >= 0 && inType <= 4
                                 ? sim->desc().dpeAccumulator(input)
                                 : std::nullopt;
  if (!acc) {
    return faultOp(*sim, "dpe_matmul",
                   llvm::formatv("{0} does not take input type {1}",
                                 sim->desc().name, inType)
                       .str());
  }
  int64_t inBytes = dtypeBytes(input);
  if (!checkLocal(*sim, a, spanBytes(m, k, lda, inBytes), "dpe_matmul", "A") ||
      !checkLocal(*sim, b, spanBytes(k, n, ldb, inBytes), "dpe_matmul", "B") ||
      !checkLocal(*sim, c, spanBytes(m, n, ldc, 4), "dpe_matmul", "C"))
    return 0;
  if (*acc == DType::I32) {
    integerMatmul(static_cast<int32_t *>(c), ldc,
                  static_cast<const int8_t *>(a), lda,
                  static_cast<const int8_t *>(b), ldb, m, k, n, accumulate);
  } else {
    // Products of 16-bit floats are exact in f32; the sum is in f32.
    thread_local std::vector<float> wideA, wideB;
    widen(a, lda, m, k, input, wideA);
    widen(b, ldb, k, n, input, wideB);
    anvil_sgemm(m, n, k, wideA.data(), k, wideB.data(), n,
                static_cast<float *>(c), ldc, accumulate);
  }
  return sim->dpe(input, m, k, n);
}

anvil_mtia_token anvil_mtia_se_convert(void *dst, int32_t dstType,
                                       const void *src, int32_t srcType,
                                       int64_t n) {
  Simulator *sim = simulatorFor("se_convert");
  if (!sim)
    return 0;
  bool toNarrow = srcType == ANVIL_MTIA_F32 &&
                  (dstType == ANVIL_MTIA_F16 || dstType == ANVIL_MTIA_BF16 ||
                   dstType == ANVIL_MTIA_I8);
  bool toWide = dstType == ANVIL_MTIA_F32 &&
                (srcType == ANVIL_MTIA_F16 || srcType == ANVIL_MTIA_BF16 ||
                 srcType == ANVIL_MTIA_I8 || srcType == ANVIL_MTIA_I32);
  if (!toNarrow && !toWide) {
    return faultOp(
        *sim, "se_convert",
        llvm::formatv("no conversion from type {0} to {1}", srcType, dstType)
            .str());
  }
  auto from = static_cast<DType>(srcType), to = static_cast<DType>(dstType);
  if (!checkLocal(*sim, src, n * dtypeBytes(from), "se_convert", "src") ||
      !checkLocal(*sim, dst, n * dtypeBytes(to), "se_convert", "dst"))
    return 0;
  if (toWide) {
    if (from == DType::I32) {
      auto *in = static_cast<const int32_t *>(src);
      auto *out = static_cast<float *>(dst);
      for (int64_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(in[i]);
    } else {
      thread_local std::vector<float> wide;
      widen(src, n, 1, n, from, wide);
      std::memcpy(dst, wide.data(), n * 4);
    }
  } else {
    auto *in = static_cast<const float *>(src);
    for (int64_t i = 0; i < n; ++i) {
      if (to == DType::F16)
        static_cast<uint16_t *>(dst)[i] = floatToHalf(in[i]);
      else if (to == DType::BF16)
        static_cast<uint16_t *>(dst)[i] = floatToBF16(in[i]);
      else
        static_cast<int8_t *>(dst)[i] = floatToI8(in[i]);
    }
  }
  // The SE works at the rate of the narrower type.
  DType rate = toNarrow ? to : from;
  return sim->se(rate, n, 1, "se.convert");
}

anvil_mtia_token anvil_mtia_se_binary(float *dst, const float *a,
                                      const float *b, int64_t n, int32_t op) {
  Simulator *sim = simulatorFor("se_binary");
  if (!sim)
    return 0;
  if (!checkLocal(*sim, a, n * 4, "se_binary", "a") ||
      !checkLocal(*sim, b, n * 4, "se_binary", "b") ||
      !checkLocal(*sim, dst, n * 4, "se_binary", "dst"))
    return 0;
  for (int64_t i = 0; i < n; ++i) {
    switch (op) {
    case ANVIL_MTIA_SE_ADD:
      dst[i] = a[i] + b[i];
      break;
    case ANVIL_MTIA_SE_SUB:
      dst[i] = a[i] - b[i];
      break;
    case ANVIL_MTIA_SE_MUL:
      dst[i] = a[i] * b[i];
      break;
    case ANVIL_MTIA_SE_MAX:
      dst[i] = std::fmax(a[i], b[i]);
      break;
    case ANVIL_MTIA_SE_MIN:
      dst[i] = std::fmin(a[i], b[i]);
      break;
    default:
      return faultOp(*sim, "se_binary",
                     llvm::formatv("unknown operation {0}", op).str());
    }
  }
  return sim->se(DType::F32, n, 1, "se.binary");
}

anvil_mtia_token anvil_mtia_se_lut(float *dst, const float *src, int64_t n,
                                   int32_t function) {
  Simulator *sim = simulatorFor("se_lut");
  if (!sim)
    return 0;
  if (function < ANVIL_MTIA_LUT_RELU || function > ANVIL_MTIA_LUT_GELU)
    return faultOp(*sim, "se_lut",
                   llvm::formatv("unknown function {0}", function).str());
  if (!checkLocal(*sim, src, n * 4, "se_lut", "src") ||
      !checkLocal(*sim, dst, n * 4, "se_lut", "dst"))
    return 0;
  for (int64_t i = 0; i < n; ++i)
    dst[i] = lookup(function, src[i]);
  return sim->se(DType::F32, n, 1, "se.lut");
}

anvil_mtia_token anvil_mtia_re_accumulate(void *dst, const void *src, int64_t n,
                                          int32_t type) {
  Simulator *sim = simulatorFor("re_accumulate");
  if (!sim)
    return 0;
  if (!checkReduction(*sim, "re_accumulate", dst, src, n, type))
    return 0;
  accumulate(dst, src, n, type);
  return sim->reAccumulate(static_cast<DType>(type), n);
}

anvil_mtia_token anvil_mtia_re_forward(void *dst, const void *src, int64_t n,
                                       int32_t type, int32_t direction) {
  Simulator *sim = simulatorFor("re_forward");
  if (!sim)
    return 0;
  if (!checkReduction(*sim, "re_forward", dst, src, n, type))
    return 0;
  std::optional<int64_t> neighbour = neighbourOf(*sim, direction);
  if (!neighbour)
    return faultOp(*sim, "re_forward",
                   llvm::formatv("no neighbour in direction {0} within the "
                                 "job",
                                 direction)
                       .str());
  int64_t offset = static_cast<char *>(dst) - sim->localBase();
  accumulate(sim->localBase(*neighbour) + offset, src, n, type);
  return sim->reForward(n * 4);
}

void anvil_mtia_barrier(void) {
  if (Simulator *sim = simulatorFor("barrier"))
    sim->barrier();
}

void anvil_mtia_barrier_pes(int64_t first, int64_t count) {
  if (Simulator *sim = simulatorFor("barrier_pes"))
    sim->barrier(first, count);
}

void anvil_mtia_wave(const char *kernels, const char *nodes,
                     int64_t predicted_cycles) {
  if (Simulator *sim = simulatorFor("wave"))
    sim->enterWave(kernels ? kernels : "", nodes ? nodes : "",
                   predicted_cycles);
}

void anvil_mtia_sem_signal(int64_t pe, int32_t sem) {
  if (Simulator *sim = simulatorFor("sem_signal"))
    sim->semSignal(pe, sem);
}

void anvil_mtia_sem_wait(int32_t sem, int64_t count) {
  // Even a faulted run lets the wait return, so that programs finish.
  if (Simulator *sim = Simulator::current())
    sim->semWait(sem, count);
}

void anvil_mtia_vector_work(int32_t type, int64_t ops) {
  if (Simulator *sim = simulatorFor("vector_work"))
    sim->vectorWork(
        type >= 0 && type <= 4 ? static_cast<DType>(type) : DType::F32, ops);
}

void anvil_mtia_vector_traffic(int32_t level, int64_t bytes) {
  if (Simulator *sim = simulatorFor("vector_traffic"))
    sim->vectorTraffic(level >= 0 && level <= 2
                           ? static_cast<MemoryLevel>(level)
                           : MemoryLevel::DRAM,
                       bytes);
}

} // extern "C"
