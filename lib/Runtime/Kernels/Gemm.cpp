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

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

// Block sizes: an MC x KC panel of A (120 KiB) stays in L2, a KC x NC
// panel of B (2 MiB) in L3, and one KC-long sliver of each in L1.
constexpr int64_t kKC = 256;
constexpr int64_t kMC = 120;
constexpr int64_t kNC = 2048;
/// From this many columns on, A's block is packed (see gemm).
constexpr int64_t kPackAColumns = 256;

/// C[MR x NR] = (or +=) A times a packed B panel, `kc` deep. A is a packed
/// MR-row panel (see packA; `lda` unused) or, for the in-place kernels, MR
/// rows `lda` apart, each `kc` long.
using Microkernel = void (*)(int64_t kc, const float *a, int64_t lda,
                             const float *pb, float *c, int64_t ldc,
                             bool accumulate);

/// Per-thread packing buffers, kept for the thread's life. Plain pointers
/// (no destructor, no guarded statics) keep the kernel free of the C++
/// runtime, which an artifact does not link.
thread_local float *scratchData[3];
thread_local size_t scratchSize[3];

float *scratch(int which, size_t n) {
  if (n > scratchSize[which]) {
    std::free(scratchData[which]);
    scratchData[which] =
        static_cast<float *>(std::aligned_alloc(64, (n * 4 + 63) / 64 * 64));
    scratchSize[which] = n;
  }
  return scratchData[which];
}

/// Packs rows [0, mc) x columns [0, kc) of A into MR-row panels: panel p
/// holds, for each k, rows p*MR .. p*MR+MR-1 (zero past mc). The MR rows
/// are read side by side, each sequentially, and the panel is written in
/// order.
template <int MR>
void packA(int64_t mc, int64_t kc, const float *a, int64_t lda, float *out) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    int64_t rows = std::min<int64_t>(MR, mc - i0);
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t i = 0; i < rows; ++i)
        out[i] = a[(i0 + i) * lda + p];
      for (int64_t i = rows; i < MR; ++i)
        out[i] = 0;
      out += MR;
    }
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
void tile(Kernels kernels, bool packed, int64_t kc, const float *a,
          int64_t lda, const float *pb, float *c, int64_t ldc, int64_t mr,
          int64_t nr, bool accumulate) {
  Microkernel kernel = packed ? kernels.packed : kernels.inPlace;
  if (mr == MR && nr == NR) {
    kernel(kc, a, lda, pb, c, ldc, accumulate);
    return;
  }
  if (mr < MR && !packed) {
    // A packed panel holds zeros past mr; give in-place rows the same.
    float *panel = scratch(0, MR * kc);
    packA<MR>(mr, kc, a, lda, panel);
    a = panel;
    kernel = kernels.packed;
  }
  alignas(64) float buffer[MR * NR];
  kernel(kc, a, lda, pb, buffer, NR, /*accumulate=*/false);
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j)
      c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.0f) + buffer[i * NR + j];
}

/// B is packed in KC x NC blocks. A's MC x KC block is packed into MR-row
/// panels when many column panels reuse it; with few columns packing would
/// cost as much as the product (a convolution's weights against a 7 x 7
/// feature map), so A is read in place, MR rows at a time.
template <int MR, int NR>
void gemm(Kernels kernels, int64_t m, int64_t n, int64_t k, const float *a,
          int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
          bool accumulate) {
  constexpr int64_t mcRounded = (kMC + MR - 1) / MR * MR;
  constexpr int64_t ncRounded = (kNC + NR - 1) / NR * NR;
  float *pb = scratch(1, ncRounded * kKC);
  for (int64_t jc = 0; jc < n; jc += kNC) {
    int64_t nc = std::min(kNC, n - jc);
    bool packed = nc >= kPackAColumns;
    float *pa = packed ? scratch(2, mcRounded * kKC) : nullptr;
    for (int64_t pc = 0; pc < k; pc += kKC) {
      int64_t kc = std::min(kKC, k - pc);
      bool addTo = accumulate || pc > 0;
      packB<NR>(kc, nc, b + pc * ldb + jc, ldb, pb);
      for (int64_t ic = 0; ic < m; ic += kMC) {
        int64_t mc = std::min(kMC, m - ic);
        if (packed)
          packA<MR>(mc, kc, a + ic * lda + pc, lda, pa);
        for (int64_t jr = 0; jr < nc; jr += NR)
          for (int64_t ir = 0; ir < mc; ir += MR)
            tile<MR, NR>(kernels, packed, kc,
                         packed ? pa + ir * kc : a + (ic + ir) * lda + pc, lda,
                         pb + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc,
                         std::min<int64_t>(MR, mc - ir),
                         std::min<int64_t>(NR, nc - jr), addTo);
      }
    }
  }
  // k == 0: the product is empty.
  if (k == 0 && !accumulate)
    for (int64_t i = 0; i < m; ++i)
      std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
}

//===----------------------------------------------------------------------===//
// Microkernels
//===----------------------------------------------------------------------===//

/// Portable: the compiler vectorizes the NR-wide inner loop for the
/// baseline instruction set.
template <bool PackedA>
void kernelGeneric4x8(int64_t kc, const float *a, int64_t lda, const float *pb,
                      float *c, int64_t ldc, bool accumulate) {
  int64_t ks = PackedA ? 4 : 1, rs = PackedA ? 1 : lda;
  float acc[4][8] = {};
  for (int64_t p = 0; p < kc; ++p, pb += 8)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 8; ++j)
        acc[i][j] += a[i * rs + p * ks] * pb[j];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 8; ++j)
      c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.0f) + acc[i][j];
}

#if defined(__x86_64__)
/// One k step of the 6 x 16 AVX2 tile: two loads of B, six broadcasts of A,
/// twelve FMAs.
__attribute__((target("avx2,fma"), always_inline)) inline void
stepAvx2_6x16(__m256 (&acc)[6][2], const float *const (&rows)[6], int64_t p,
              const float *b) {
  __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
  for (int i = 0; i < 6; ++i) {
    __m256 ai = _mm256_broadcast_ss(rows[i] + p);
    acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
    acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
  }
}

__attribute__((target("avx512f"), always_inline)) inline void
stepAvx512_6x32(__m512 (&acc)[6][2], const float *const (&rows)[6], int64_t p,
                const float *b) {
  __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
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
                float *c, int64_t ldc, bool accumulate) {
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
  for (; p + 4 <= kc; p += 4, pb += 64) {
    stepAvx2_6x16(acc, rows, p * ks, pb);
    stepAvx2_6x16(acc, rows, (p + 1) * ks, pb + 16);
    stepAvx2_6x16(acc, rows, (p + 2) * ks, pb + 32);
    stepAvx2_6x16(acc, rows, (p + 3) * ks, pb + 48);
  }
  for (; p < kc; ++p, pb += 16)
    stepAvx2_6x16(acc, rows, p * ks, pb);
  for (int i = 0; i < 6; ++i) {
    float *row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(row));
      acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(row + 8));
    }
    _mm256_storeu_ps(row, acc[i][0]);
    _mm256_storeu_ps(row + 8, acc[i][1]);
  }
}

/// AVX-512F: 6 rows x 32 columns in 12 zmm accumulators.
template <bool PackedA>
__attribute__((target("avx512f"))) void
kernelAvx512_6x32(int64_t kc, const float *a, int64_t lda, const float *pb,
                  float *c, int64_t ldc, bool accumulate) {
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
  for (; p + 4 <= kc; p += 4, pb += 128) {
    stepAvx512_6x32(acc, rows, p * ks, pb);
    stepAvx512_6x32(acc, rows, (p + 1) * ks, pb + 32);
    stepAvx512_6x32(acc, rows, (p + 2) * ks, pb + 64);
    stepAvx512_6x32(acc, rows, (p + 3) * ks, pb + 96);
  }
  for (; p < kc; ++p, pb += 32)
    stepAvx512_6x32(acc, rows, p * ks, pb);
  for (int i = 0; i < 6; ++i) {
    float *row = c + i * ldc;
    if (accumulate) {
      acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(row));
      acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(row + 16));
    }
    _mm512_storeu_ps(row, acc[i][0]);
    _mm512_storeu_ps(row + 16, acc[i][1]);
  }
}
#endif

enum class Isa { Generic, Avx2, Avx512 };

Isa detectIsa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  // ANVIL_GEMM_ISA=avx2|generic pins a narrower path (for testing them on
  // a wider CPU).
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

Isa isa() {
  // Detected once; a race only detects twice, with the same answer.
  static int chosen = -1;
  int v = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
  if (v < 0) {
    v = static_cast<int>(detectIsa());
    __atomic_store_n(&chosen, v, __ATOMIC_RELAXED);
  }
  return static_cast<Isa>(v);
}

} // namespace

extern "C" void anvil_sgemm(int64_t m, int64_t n, int64_t k, const float *a,
                            int64_t lda, const float *b, int64_t ldb, float *c,
                            int64_t ldc, int32_t accumulate) {
  if (m <= 0 || n <= 0)
    return;
  switch (isa()) {
#if defined(__x86_64__)
  case Isa::Avx512:
    return gemm<6, 32>({kernelAvx512_6x32<true>, kernelAvx512_6x32<false>}, m,
                       n, k, a, lda, b, ldb, c, ldc, accumulate);
  case Isa::Avx2:
    return gemm<6, 16>({kernelAvx2_6x16<true>, kernelAvx2_6x16<false>}, m, n,
                       k, a, lda, b, ldb, c, ldc, accumulate);
#endif
  default:
    return gemm<4, 8>({kernelGeneric4x8<true>, kernelGeneric4x8<false>}, m, n,
                      k, a, lda, b, ldb, c, ldc, accumulate);
  }
}

extern "C" const char *anvil_sgemm_isa(void) {
  switch (isa()) {
  case Isa::Avx512:
    return "avx512";
  case Isa::Avx2:
    return "avx2";
  default:
    return "generic";
  }
}
