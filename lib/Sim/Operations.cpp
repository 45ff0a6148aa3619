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

bool checkLocal(Simulator &sim, const void *ptr, int64_t bytes,
                const char *operation, const char *operand) {
  if (sim.inLocal(ptr, bytes))
    return true;
  sim.fault(llvm::formatv("PE {0}: {1}: operand {2} ({3} bytes) is not in "
                          "the PE's local memory",
                          sim.currentPE(), operation, operand, bytes));
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

/// Widens `rows` x `cols` elements of `type` at `src` (rows `ld` apart)
/// into a dense f32 matrix.
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

} // namespace

extern "C" {

void anvil_mtia_job_begin(int64_t numPEs) {
  if (Simulator *sim = simulatorFor("job_begin"))
    sim->beginJob(numPEs);
}

void anvil_mtia_pe_begin(int64_t pe) {
  if (Simulator *sim = simulatorFor("pe_begin"))
    sim->beginPE(pe);
}

void anvil_mtia_job_end(void) {
  if (Simulator *sim = simulatorFor("job_end"))
    sim->endJob();
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
  if (srcLevel < 0 || srcLevel > 2 || dstLevel < 0 || dstLevel > 2 ||
      (srcLevel != ANVIL_MTIA_LOCAL && dstLevel != ANVIL_MTIA_LOCAL)) {
    sim->fault(llvm::formatv("PE {0}: dma: levels {1} -> {2}: one end must be "
                             "the PE's local memory",
                             sim->currentPE(), srcLevel, dstLevel));
    return 0;
  }
  const void *localEnd = srcLevel == ANVIL_MTIA_LOCAL ? src : dst;
  int64_t localStride = srcLevel == ANVIL_MTIA_LOCAL ? srcStride : dstStride;
  if (!checkLocal(*sim, localEnd, spanBytes(rows, rowBytes, localStride, 1),
                  "dma", srcLevel == ANVIL_MTIA_LOCAL ? "src" : "dst"))
    return 0;
  for (int64_t r = 0; r < rows; ++r)
    std::memmove(static_cast<char *>(dst) + r * dstStride,
                 static_cast<const char *>(src) + r * srcStride, rowBytes);
  return sim->dma(static_cast<MemoryLevel>(srcLevel),
                  static_cast<MemoryLevel>(dstLevel), rows, rowBytes);
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
    sim->fault(llvm::formatv("PE {0}: dpe_matmul: {1} does not take input "
                             "type {2}",
                             sim->currentPE(), sim->desc().name, inType));
    return 0;
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
    sim->fault(llvm::formatv("PE {0}: se_convert: no conversion from type {1} "
                             "to {2}",
                             sim->currentPE(), srcType, dstType));
    return 0;
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
      sim->fault(llvm::formatv("PE {0}: se_binary: unknown operation {1}",
                               sim->currentPE(), op));
      return 0;
    }
  }
  return sim->se(DType::F32, n, 1, "se.binary");
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
