//===- Gemm.cpp - Packed, register-blocked single-precision GEMM ----------===//
//
// The classic blocked GEMM (Goto's algorithm, as BLIS structures it): B is
// packed in KC x NC blocks of NR-wide column panels sized for the last-level
// cache, A in MC x KC blocks of MR-tall row panels sized for L2 (or read in
// place when few column panels would reuse the packed copy), and a
// microkernel keeps an MR x NR tile of C in vector registers while it
// streams the two panels from L1. Each instruction set has its own
// microkernel, compiled for it with a target attribute and chosen at run
// time, so the library itself runs on any x86-64 CPU.
//
//===----------------------------------------------------------------------===//

#include "anvil-c/Kernels.h"

#include "Common.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace anvil::kernels;

namespace {

// The blocking a caller leaves to the kernel (anvil_sgemm, a 0 in
// anvil_sgemm_blocked): an MC x KC panel of A (120 KiB) stays in L2, a
// KC x NC panel of B (2 MiB) in L3, and one KC-long sliver of each in L1.
constexpr int64_t kKC = 256;
constexpr int64_t kMC = 120;
constexpr int64_t kNC = 2048;

/// The cache blocks a product runs in: mc rows of A (a multiple of the
/// microkernel's MR), kc elements of the reduction, nc columns of B (a
/// multiple of NR).
struct Blocks {
  int64_t mc, kc, nc;
};

int64_t roundUp(int64_t v, int64_t step) {
  return (v + step - 1) / step * step;
}

/// The blocks asked for (the kernel's own where a size is not positive),
/// rounded up to whole microkernel tiles and no larger than the product
/// needs, so that no request makes a scratch panel larger than the
/// operands.
template <int MR, int NR>
Blocks normalized(Blocks asked, int64_t m, int64_t n, int64_t k) {
  auto pick = [](int64_t v, int64_t fallback) { return v > 0 ? v : fallback; };
  return {roundUp(std::min(pick(asked.mc, kMC), m), MR),
          std::min(pick(asked.kc, kKC), std::max<int64_t>(k, 1)),
          roundUp(std::min(pick(asked.nc, kNC), n), NR)};
}
/// From this many columns on, A's block is packed (see gemm).
constexpr int64_t kPackAColumns = 256;

/// What happens to C as its last slice is written: a per-row bias (null:
/// none) is added, then the result is clamped to [lo, hi] (NaNs pass).
struct Epilogue {
  const float *bias;
  float lo, hi;
  /// The same for the tile starting `rows` further down.
  Epilogue down(int64_t rows) const {
    return {bias ? bias + rows : nullptr, lo, hi};
  }
  float apply(float v, int64_t row) const {
    if (bias)
      v += bias[row];
    // Comparisons, not std::max/min: a NaN must stay NaN.
    if (v < lo)
      v = lo;
    if (v > hi)
      v = hi;
    return v;
  }
};

/// C[MR x NR] = (or +=) A times NR columns of B, `kc` deep, then the
/// epilogue when there is one (the last slice). A is a packed MR-row panel
/// (see packA; `lda` unused) or, for the in-place kernels, MR rows `lda`
/// apart, each `kc` long. B's rows are `ldb` apart: NR in a packed panel,
/// B's own leading dimension where it is read in place.
using Microkernel = void (*)(int64_t kc, const float *a, int64_t lda,
                             const float *pb, int64_t ldb, float *c,
                             int64_t ldc, bool accumulate,
                             const Epilogue *epilogue);

/// One MR-row panel of A, `rows` (<= MR) rows `lda` apart, `kc` long: for
/// each k, the rows' elements side by side, zero past `rows`. The rows are
/// read side by side, each sequentially, and the panel is written in order.
template <int MR>
void packPanelA(int64_t rows, int64_t kc, const float *a, int64_t lda,
                float *out) {
  for (int64_t p = 0; p < kc; ++p) {
    for (int64_t i = 0; i < rows; ++i)
      out[i] = a[i * lda + p];
    for (int64_t i = rows; i < MR; ++i)
      out[i] = 0;
    out += MR;
  }
}

#if defined(__x86_64__)
/// A full 6-row panel, four k at a time: rows 0-3 transposed in SSE
/// registers, rows 4 and 5 interleaved in pairs. Element by element,
/// packing took 7% of a 1024^3 product's time; this way it takes 5.5%.
void packPanelA6(int64_t kc, const float *a, int64_t lda, float *out) {
  const float *r[6];
  for (int i = 0; i < 6; ++i)
    r[i] = a + i * lda;
  int64_t p = 0;
  for (; p + 4 <= kc; p += 4, out += 24) {
    __m128 c0 = _mm_loadu_ps(r[0] + p), c1 = _mm_loadu_ps(r[1] + p),
           c2 = _mm_loadu_ps(r[2] + p), c3 = _mm_loadu_ps(r[3] + p);
    _MM_TRANSPOSE4_PS(c0, c1, c2, c3);
    __m128 r4 = _mm_loadu_ps(r[4] + p), r5 = _mm_loadu_ps(r[5] + p);
    __m128 lo = _mm_unpacklo_ps(r4, r5), hi = _mm_unpackhi_ps(r4, r5);
    _mm_storeu_ps(out, c0);
    _mm_storel_pi(reinterpret_cast<__m64 *>(out + 4), lo);
    _mm_storeu_ps(out + 6, c1);
    _mm_storeh_pi(reinterpret_cast<__m64 *>(out + 10), lo);
    _mm_storeu_ps(out + 12, c2);
    _mm_storel_pi(reinterpret_cast<__m64 *>(out + 16), hi);
    _mm_storeu_ps(out + 18, c3);
    _mm_storeh_pi(reinterpret_cast<__m64 *>(out + 22), hi);
  }
  packPanelA<6>(6, kc - p, a + p, lda, out);
}
#endif

/// Packs rows [0, mc) x columns [0, kc) of A into MR-row panels: panel p
/// holds, for each k, rows p*MR .. p*MR+MR-1 (zero past mc).
template <int MR>
void packA(int64_t mc, int64_t kc, const float *a, int64_t lda, float *out) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR, out += MR * kc) {
    int64_t rows = std::min<int64_t>(MR, mc - i0);
#if defined(__x86_64__)
    if (MR == 6 && rows == 6) {
      packPanelA6(kc, a + i0 * lda, lda, out);
      continue;
    }
#endif
    packPanelA<MR>(rows, kc, a + i0 * lda, lda, out);
  }
}

/// Packs rows [0, kc) x columns [0, nc) of B into NR-column panels: panel
/// q holds, for each k, columns q*NR .. q*NR+NR-1 (zero past nc). B is read
/// row by row, sequentially: a panel-at-a-time walk would touch a new page
/// on every row.
template <int NR>
void packB(int64_t kc, int64_t nc, const float *b, int64_t ldb, float *out) {
  int64_t full = nc / NR, rest = nc % NR;
  for (int64_t p = 0; p < kc; ++p) {
    const float *row = b + p * ldb;
    float *dst = out + p * NR;
    for (int64_t q = 0; q < full; ++q)
      std::memcpy(dst + q * kc * NR, row + q * NR, NR * sizeof(float));
    if (rest) {
      float *last = dst + full * kc * NR;
      std::memcpy(last, row + full * NR, rest * sizeof(float));
      std::fill(last + rest, last + NR, 0.0f);
    }
  }
}

/// The microkernel for packed A panels and the one reading A in place.
struct Kernels {
  Microkernel packed, inPlace;
};

/// One MR x NR tile of C from a packed A panel (`packed`) or rows [0, mr)
/// of A `lda` apart, and a packed B panel. Edge tiles go through full-size
/// buffers, so that the microkernel never reads past A or writes past C.
template <int MR, int NR>
void tile(Kernels kernels, bool packed, int64_t kc, const float *a, int64_t lda,
          const float *pb, int64_t ldb, float *c, int64_t ldc, int64_t mr,
          int64_t nr, bool accumulate, const Epilogue *epilogue) {
  Microkernel kernel = packed ? kernels.packed : kernels.inPlace;
  if (mr == MR && nr == NR) {
    kernel(kc, a, lda, pb, ldb, c, ldc, accumulate, epilogue);
    return;
  }
  if (mr < MR && !packed) {
    // A packed panel holds zeros past mr; give in-place rows the same.
    float *panel = scratch(kGemmPanelA, MR * kc);
    packA<MR>(mr, kc, a, lda, panel);
    a = panel;
    kernel = kernels.packed;
  }
  alignas(64) float buffer[MR * NR];
  kernel(kc, a, lda, pb, ldb, buffer, NR, /*accumulate=*/false, nullptr);
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j) {
      float v = (accumulate ? c[i * ldc + j] : 0.0f) + buffer[i * NR + j];
      c[i * ldc + j] = epilogue ? epilogue->apply(v, i) : v;
    }
}

/// A product of at most MR rows is one row panel, which would use each
/// packed panel of B once: B's full NR-column panels are read in place
/// (only a last, partial one is packed) and A's rows are packed once per
/// slice of the reduction, zero past m.
template <int MR, int NR>
void fewRows(Kernels kernels, int64_t kcBlock, int64_t m, int64_t n, int64_t k,
             const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
             int64_t ldc, bool accumulate, const Epilogue *epilogue) {
  float *pa = scratch(kGemmPanelA, MR * kcBlock);
  float *pb = scratch(kGemmPanelB, NR * kcBlock);
  for (int64_t pc = 0; pc < k; pc += kcBlock) {
    int64_t kc = std::min(kcBlock, k - pc);
    bool addTo = accumulate || pc > 0;
    const Epilogue *finish = pc + kcBlock >= k ? epilogue : nullptr;
    packA<MR>(m, kc, a + pc, lda, pa);
    for (int64_t jr = 0; jr < n; jr += NR) {
      int64_t nr = std::min<int64_t>(NR, n - jr);
      const float *panel = b + pc * ldb + jr;
      int64_t stride = ldb;
      if (nr < NR) {
        packB<NR>(kc, nr, panel, ldb, pb);
        panel = pb;
        stride = NR;
      }
      tile<MR, NR>(kernels, /*packed=*/true, kc, pa, MR, panel, stride, c + jr,
                   ldc, m, nr, addTo, finish);
    }
  }
}

/// B is packed in KC x NC blocks. A's MC x KC block is packed into MR-row
/// panels when many column panels reuse it; with few columns packing would
/// cost as much as the product (a convolution's weights against a 7 x 7
/// feature map), so A is read in place, MR rows at a time.
template <int MR, int NR>
void gemm(Kernels kernels, Blocks asked, int64_t m, int64_t n, int64_t k,
          const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
          int64_t ldc, bool accumulate, const Epilogue *epilogue) {
  const Blocks block = normalized<MR, NR>(asked, m, n, k);
  if (m <= MR && k > 0)
    return fewRows<MR, NR>(kernels, block.kc, m, n, k, a, lda, b, ldb, c, ldc,
                           accumulate, epilogue);
  float *pb = scratch(kGemmPanelB, block.nc * block.kc);
  for (int64_t jc = 0; jc < n; jc += block.nc) {
    int64_t nc = std::min(block.nc, n - jc);
    bool packed = nc >= kPackAColumns;
    float *pa = packed ? scratch(kGemmPackedA, block.mc * block.kc) : nullptr;
    for (int64_t pc = 0; pc < k; pc += block.kc) {
      int64_t kc = std::min(block.kc, k - pc);
      bool addTo = accumulate || pc > 0;
      bool last = pc + block.kc >= k;
      packB<NR>(kc, nc, b + pc * ldb + jc, ldb, pb);
      for (int64_t ic = 0; ic < m; ic += block.mc) {
        int64_t mc = std::min(block.mc, m - ic);
        if (packed)
          packA<MR>(mc, kc, a + ic * lda + pc, lda, pa);
        for (int64_t jr = 0; jr < nc; jr += NR)
          for (int64_t ir = 0; ir < mc; ir += MR) {
            Epilogue rows = epilogue ? epilogue->down(ic + ir) : Epilogue{};
            tile<MR, NR>(kernels, packed, kc,
                         packed ? pa + ir * kc : a + (ic + ir) * lda + pc, lda,
                         pb + jr * kc, NR, c + (ic + ir) * ldc + jc + jr, ldc,
                         std::min<int64_t>(MR, mc - ir),
                         std::min<int64_t>(NR, nc - jr), addTo,
                         last && epilogue ? &rows : nullptr);
          }
      }
    }
  }
  // k == 0: the product is empty.
  if (k == 0)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float v = accumulate ? c[i * ldc + j] : 0.0f;
        c[i * ldc + j] = epilogue ? epilogue->apply(v, i) : v;
      }
}

//===----------------------------------------------------------------------===//
// Microkernels
//===----------------------------------------------------------------------===//

/// Portable: the compiler vectorizes the NR-wide inner loop for the
/// baseline instruction set.
template <bool PackedA>
void kernelGeneric4x8(int64_t kc, const float *a, int64_t lda, const float *pb,
                      int64_t ldb, float *c, int64_t ldc, bool accumulate,
                      const Epilogue *epilogue) {
  int64_t ks = PackedA ? 4 : 1, rs = PackedA ? 1 : lda;
  float acc[4][8] = {};
  for (int64_t p = 0; p < kc; ++p, pb += ldb)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 8; ++j)
        acc[i][j] += a[i * rs + p * ks] * pb[j];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j) {
      float v = (accumulate ? c[i * ldc + j] : 0.0f) + acc[i][j];
      c[i * ldc + j] = epilogue ? epilogue->apply(v, i) : v;
    }
}

#if defined(__x86_64__)
/// One k step of the 6 x 16 AVX2 tile: two loads of B, six broadcasts of A,
/// twelve FMAs.
__attribute__((target("avx2,fma"), always_inline)) inline void
stepAvx2_6x16(__m256 (&acc)[6][2], const float *const (&rows)[6], int64_t p,
              const float *b) {
  __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
  for (int i = 0; i < 6; ++i) {
    __m256 ai = _mm256_broadcast_ss(rows[i] + p);
    acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
    acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
  }
}

__attribute__((target("avx512f"), always_inline)) inline void
stepAvx512_6x32(__m512 (&acc)[6][2], const float *const (&rows)[6], int64_t p,
                const float *b) {
  __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
  for (int i = 0; i < 6; ++i) {
    __m512 ai = _mm512_set1_ps(rows[i][p]);
    acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
    acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
  }
}

/// AVX2 + FMA: 6 rows x 16 columns in 12 ymm accumulators; per k, two
/// loads of B, six broadcasts of A, twelve FMAs. A is a packed panel
/// (element (i, p) at a[p * 6 + i]) or read in place (a[i * lda + p]).
template <bool PackedA>
__attribute__((target("avx2,fma"))) void
kernelAvx2_6x16(int64_t kc, const float *a, int64_t lda, const float *pb,
                int64_t ldb, float *c, int64_t ldc, bool accumulate,
                const Epilogue *epilogue) {
  constexpr int64_t ks = PackedA ? 6 : 1;
  int64_t rs = PackedA ? 1 : lda;
  const float *const rows[6] = {a,          a + rs,     a + 2 * rs,
                                a + 3 * rs, a + 4 * rs, a + 5 * rs};
  // C's rows are far apart in memory: fetch them while the FMAs run
  // rather than stall on them at the end.
  for (int i = 0; i < 6; ++i) {
    _mm_prefetch(reinterpret_cast<const char *>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char *>(c + i * ldc + 15), _MM_HINT_T0);
  }
  __m256 acc[6][2];
  for (auto &row : acc)
    row[0] = row[1] = _mm256_setzero_ps();
  // Four steps per iteration: the loop's own instructions otherwise take
  // issue slots from the FMAs (about 15% of the rate).
  int64_t p = 0;
  for (; p + 4 <= kc; p += 4, pb += 4 * ldb) {
    stepAvx2_6x16(acc, rows, p * ks, pb);
    stepAvx2_6x16(acc, rows, (p + 1) * ks, pb + ldb);
    stepAvx2_6x16(acc, rows, (p + 2) * ks, pb + 2 * ldb);
    stepAvx2_6x16(acc, rows, (p + 3) * ks, pb + 3 * ldb);
  }
  for (; p < kc; ++p, pb += ldb)
    stepAvx2_6x16(acc, rows, p * ks, pb);
  for (int i = 0; i < 6; ++i) {
    float *row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(row));
      acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(row + 8));
    }
    if (epilogue) {
      // max(lo, x) and min(hi, x) return x when it is a NaN.
      __m256 lo = _mm256_set1_ps(epilogue->lo),
             hi = _mm256_set1_ps(epilogue->hi);
      __m256 bias = _mm256_set1_ps(epilogue->bias ? epilogue->bias[i] : 0.0f);
      for (__m256 &v : acc[i])
        v = _mm256_min_ps(hi, _mm256_max_ps(lo, _mm256_add_ps(v, bias)));
    }
    _mm256_storeu_ps(row, acc[i][0]);
    _mm256_storeu_ps(row + 8, acc[i][1]);
  }
}

/// AVX-512F: 6 rows x 32 columns in 12 zmm accumulators.
template <bool PackedA>
__attribute__((target("avx512f"))) void
kernelAvx512_6x32(int64_t kc, const float *a, int64_t lda, const float *pb,
                  int64_t ldb, float *c, int64_t ldc, bool accumulate,
                  const Epilogue *epilogue) {
  constexpr int64_t ks = PackedA ? 6 : 1;
  int64_t rs = PackedA ? 1 : lda;
  const float *const rows[6] = {a,          a + rs,     a + 2 * rs,
                                a + 3 * rs, a + 4 * rs, a + 5 * rs};
  for (int i = 0; i < 6; ++i) {
    _mm_prefetch(reinterpret_cast<const char *>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char *>(c + i * ldc + 31), _MM_HINT_T0);
  }
  __m512 acc[6][2];
  for (auto &row : acc)
    row[0] = row[1] = _mm512_setzero_ps();
  int64_t p = 0;
  for (; p + 4 <= kc; p += 4, pb += 4 * ldb) {
    stepAvx512_6x32(acc, rows, p * ks, pb);
    stepAvx512_6x32(acc, rows, (p + 1) * ks, pb + ldb);
    stepAvx512_6x32(acc, rows, (p + 2) * ks, pb + 2 * ldb);
    stepAvx512_6x32(acc, rows, (p + 3) * ks, pb + 3 * ldb);
  }
  for (; p < kc; ++p, pb += ldb)
    stepAvx512_6x32(acc, rows, p * ks, pb);
  for (int i = 0; i < 6; ++i) {
    float *row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(row));
      acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(row + 16));
    }
    if (epilogue) {
      __m512 lo = _mm512_set1_ps(epilogue->lo),
             hi = _mm512_set1_ps(epilogue->hi);
      __m512 bias = _mm512_set1_ps(epilogue->bias ? epilogue->bias[i] : 0.0f);
      for (__m512 &v : acc[i])
        v = _mm512_min_ps(hi, _mm512_max_ps(lo, _mm512_add_ps(v, bias)));
    }
    _mm512_storeu_ps(row, acc[i][0]);
    _mm512_storeu_ps(row + 16, acc[i][1]);
  }
}

/// AVX-512F for products of at most one vector of columns (Winograd's
/// products over 16 tiles of a 14 x 14 plane), where the 6 x 32 tile would
/// compute twice the columns there are: 12 rows x 16 columns in 12 zmm
/// accumulators, one load of B and twelve broadcasts of A per k.
template <bool PackedA>
__attribute__((target("avx512f"))) void
kernelAvx512_12x16(int64_t kc, const float *a, int64_t lda, const float *pb,
                   int64_t ldb, float *c, int64_t ldc, bool accumulate,
                   const Epilogue *epilogue) {
  constexpr int kRows = 12;
  constexpr int64_t ks = PackedA ? kRows : 1;
  int64_t rs = PackedA ? 1 : lda;
  const float *rows[kRows];
  for (int i = 0; i < kRows; ++i) {
    rows[i] = a + i * rs;
    _mm_prefetch(reinterpret_cast<const char *>(c + i * ldc), _MM_HINT_T0);
  }
  __m512 acc[kRows];
  for (__m512 &v : acc)
    v = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; ++p, pb += ldb) {
    __m512 b = _mm512_loadu_ps(pb);
    for (int i = 0; i < kRows; ++i)
      acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(rows[i][p * ks]), b, acc[i]);
  }
  for (int i = 0; i < kRows; ++i) {
    float *row = c + i * ldc;
    if (accumulate)
      acc[i] = _mm512_add_ps(acc[i], _mm512_loadu_ps(row));
    if (epilogue) {
      __m512 lo = _mm512_set1_ps(epilogue->lo),
             hi = _mm512_set1_ps(epilogue->hi);
      __m512 bias = _mm512_set1_ps(epilogue->bias ? epilogue->bias[i] : 0.0f);
      acc[i] =
          _mm512_min_ps(hi, _mm512_max_ps(lo, _mm512_add_ps(acc[i], bias)));
    }
    _mm512_storeu_ps(row, acc[i]);
  }
}
#endif

} // namespace

static_assert(ANVIL_SGEMM_TILE_ROWS == 6 && ANVIL_SGEMM_TILE_VECTORS == 2,
              "anvil-c/Kernels.h describes the AVX2 and AVX-512 kernels "
              "below: 6 rows by two vectors");

namespace {

void run(Blocks blocks, int64_t m, int64_t n, int64_t k, const float *a,
         int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
         bool accumulate, const Epilogue *epilogue) {
  if (m <= 0 || n <= 0)
    return;
  switch (hostIsa()) {
#if defined(__x86_64__)
  case Isa::Avx512:
    if (n <= 16)
      return gemm<12, 16>({kernelAvx512_12x16<true>, kernelAvx512_12x16<false>},
                          blocks, m, n, k, a, lda, b, ldb, c, ldc, accumulate,
                          epilogue);
    return gemm<6, 32>({kernelAvx512_6x32<true>, kernelAvx512_6x32<false>},
                       blocks, m, n, k, a, lda, b, ldb, c, ldc, accumulate,
                       epilogue);
  case Isa::Avx2:
    return gemm<6, 16>({kernelAvx2_6x16<true>, kernelAvx2_6x16<false>}, blocks,
                       m, n, k, a, lda, b, ldb, c, ldc, accumulate, epilogue);
#endif
  default:
    return gemm<4, 8>({kernelGeneric4x8<true>, kernelGeneric4x8<false>}, blocks,
                      m, n, k, a, lda, b, ldb, c, ldc, accumulate, epilogue);
  }
}

} // namespace

extern "C" void anvil_sgemm(int64_t m, int64_t n, int64_t k, const float *a,
                            int64_t lda, const float *b, int64_t ldb, float *c,
                            int64_t ldc, int32_t accumulate) {
  run({}, m, n, k, a, lda, b, ldb, c, ldc, accumulate, nullptr);
}

extern "C" void anvil_sgemm_fused(int64_t m, int64_t n, int64_t k,
                                  const float *a, int64_t lda, const float *b,
                                  int64_t ldb, float *c, int64_t ldc,
                                  int32_t accumulate, const float *row_bias,
                                  float lo, float hi) {
  Epilogue epilogue{row_bias, lo, hi};
  run({}, m, n, k, a, lda, b, ldb, c, ldc, accumulate, &epilogue);
}

extern "C" void anvil_sgemm_blocked(int64_t m, int64_t n, int64_t k,
                                    const float *a, int64_t lda, const float *b,
                                    int64_t ldb, float *c, int64_t ldc,
                                    int32_t accumulate, const float *row_bias,
                                    float lo, float hi, int64_t mc, int64_t kc,
                                    int64_t nc) {
  Epilogue epilogue{row_bias, lo, hi};
  run({mc, kc, nc}, m, n, k, a, lda, b, ldb, c, ldc, accumulate, &epilogue);
}

extern "C" const char *anvil_sgemm_isa(void) {
  switch (hostIsa()) {
  case Isa::Avx512:
    return "avx512";
  case Isa::Avx2:
    return "avx2";
  default:
    return "generic";
  }
}
