//===- Depthwise.cpp - Depthwise 2-D convolution, NCHW, f32 ---------------===//
//
// A depthwise convolution does a few multiply-adds per element it reads, so
// what matters is streaming each input plane through vector registers once
// per filter tap. With stride 1, output element (y, x) reads input element
// (y + ky*dh, x + kx*dw): over the plane flattened row-major, every tap is
// the same contiguous sequence shifted by ky*dh*iw + kx*dw. The kernel
// therefore computes the output over rows iw wide (the iw - ow columns past
// each row's end are computed and dropped), in blocks of consecutive
// elements that stay in registers across all taps. A stride s first splits
// the plane into s x s phase planes (rows and columns by their remainder
// mod s), in which every tap is again a contiguous shift. Padding is done
// per plane as the phases are made, so the caller's input needs none.
//
//===----------------------------------------------------------------------===//

#include "anvil-c/Kernels.h"

#include "Common.h"

#include <algorithm>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace anvil::kernels;

namespace {

/// One filter tap: its weight and where its shifted sequence starts.
struct Tap {
  const float *source;
  float weight;
};

/// rows[t] = sum over taps of weight * source[t], for t in [0, n): one
/// block of `kBlock` elements at a time, kept in registers across the taps;
/// the rest element by element.
using RowKernel = void (*)(const Tap *taps, int64_t numTaps, int64_t n,
                           float *rows);

template <int kBlock>
void rowsGeneric(const Tap *taps, int64_t numTaps, int64_t n, float *rows) {
  int64_t t0 = 0;
  for (; t0 + kBlock <= n; t0 += kBlock) {
    float acc[kBlock] = {};
    for (int64_t k = 0; k < numTaps; ++k)
      for (int j = 0; j < kBlock; ++j)
        acc[j] += taps[k].weight * taps[k].source[t0 + j];
    std::copy(acc, acc + kBlock, rows + t0);
  }
  for (int64_t t = t0; t < n; ++t) {
    float acc = 0;
    for (int64_t k = 0; k < numTaps; ++k)
      acc += taps[k].weight * taps[k].source[t];
    rows[t] = acc;
  }
}

#if defined(__x86_64__)
/// AVX2: 64 elements in eight ymm accumulators; one load and one FMA per
/// vector and tap.
__attribute__((target("avx2,fma"))) void
rowsAvx2(const Tap *taps, int64_t numTaps, int64_t n, float *rows) {
  constexpr int kVecs = 8, kBlock = 8 * kVecs;
  int64_t t0 = 0;
  for (; t0 + kBlock <= n; t0 += kBlock) {
    __m256 acc[kVecs];
    for (auto &a : acc)
      a = _mm256_setzero_ps();
    for (int64_t k = 0; k < numTaps; ++k) {
      __m256 w = _mm256_set1_ps(taps[k].weight);
      const float *s = taps[k].source + t0;
      for (int v = 0; v < kVecs; ++v)
        acc[v] = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + 8 * v), acc[v]);
    }
    for (int v = 0; v < kVecs; ++v)
      _mm256_storeu_ps(rows + t0 + 8 * v, acc[v]);
  }
  // The rest, one vector at a time, then element by element.
  for (; t0 + 8 <= n; t0 += 8) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t k = 0; k < numTaps; ++k)
      acc = _mm256_fmadd_ps(_mm256_set1_ps(taps[k].weight),
                            _mm256_loadu_ps(taps[k].source + t0), acc);
    _mm256_storeu_ps(rows + t0, acc);
  }
  for (int64_t t = t0; t < n; ++t) {
    float acc = 0;
    for (int64_t k = 0; k < numTaps; ++k)
      acc += taps[k].weight * taps[k].source[t];
    rows[t] = acc;
  }
}

/// AVX-512F: 128 elements in eight zmm accumulators.
__attribute__((target("avx512f"))) void
rowsAvx512(const Tap *taps, int64_t numTaps, int64_t n, float *rows) {
  constexpr int kVecs = 8, kBlock = 16 * kVecs;
  int64_t t0 = 0;
  for (; t0 + kBlock <= n; t0 += kBlock) {
    __m512 acc[kVecs];
    for (auto &a : acc)
      a = _mm512_setzero_ps();
    for (int64_t k = 0; k < numTaps; ++k) {
      __m512 w = _mm512_set1_ps(taps[k].weight);
      const float *s = taps[k].source + t0;
      for (int v = 0; v < kVecs; ++v)
        acc[v] = _mm512_fmadd_ps(w, _mm512_loadu_ps(s + 16 * v), acc[v]);
    }
    for (int v = 0; v < kVecs; ++v)
      _mm512_storeu_ps(rows + t0 + 16 * v, acc[v]);
  }
  for (; t0 < n; t0 += 16) {
    __mmask16 live =
        static_cast<__mmask16>(n - t0 >= 16 ? 0xffff : (1u << (n - t0)) - 1);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t k = 0; k < numTaps; ++k)
      acc = _mm512_fmadd_ps(_mm512_set1_ps(taps[k].weight),
                            _mm512_maskz_loadu_ps(live, taps[k].source + t0),
                            acc);
    _mm512_mask_storeu_ps(rows + t0, live, acc);
  }
}
#endif

RowKernel rowKernel() {
  switch (hostIsa()) {
#if defined(__x86_64__)
  case Isa::Avx512:
    return rowsAvx512;
  case Isa::Avx2:
    return rowsAvx2;
#endif
  default:
    return rowsGeneric<16>;
  }
}

/// The geometry of one call; every channel shares it. The taps read the
/// padded plane, ih x iw, in which the input plane, rh x rw, starts at row
/// pt and column pl; the rest is zeros.
struct Shape {
  int64_t rh, rw, pt, pl, ih, iw, kh, kw, sh, sw, dh, dw, oh, ow;
  /// Rows and columns of each phase plane.
  int64_t ph() const { return (ih + sh - 1) / sh; }
  int64_t pw() const { return (iw + sw - 1) / sw; }
  bool padded() const { return ih != rh || iw != rw; }
};

/// Row r of the padded plane, written into `dst` (iw long).
void padRow(const Shape &s, const float *plane, int64_t r, float *dst) {
  int64_t y = r - s.pt;
  if (y < 0 || y >= s.rh) {
    std::fill(dst, dst + s.iw, 0.0f);
    return;
  }
  std::fill(dst, dst + s.pl, 0.0f);
  std::copy(plane + y * s.rw, plane + (y + 1) * s.rw, dst + s.pl);
  std::fill(dst + s.pl + s.rw, dst + s.iw, 0.0f);
}

/// Row r of the padded plane: the input's own row when it needs no padding,
/// otherwise one built in `buffer`.
const float *paddedRow(const Shape &s, const float *plane, int64_t r,
                       float *buffer) {
  int64_t y = r - s.pt;
  if (y >= 0 && y < s.rh && s.iw == s.rw)
    return plane + y * s.rw;
  padRow(s, plane, r, buffer);
  return buffer;
}

/// Columns b, b + sw, b + 2*sw, ... of `row` (iw long) into `dst`, then
/// zeros up to pw.
void gatherColumns(const float *row, int64_t iw, int64_t sw, int64_t b,
                   int64_t pw, float *dst) {
  int64_t count = b < iw ? (iw - b + sw - 1) / sw : 0;
  for (int64_t x = 0; x < count; ++x)
    dst[x] = row[x * sw + b];
  std::fill(dst + count, dst + pw, 0.0f);
}

#if defined(__x86_64__)
/// Even and odd columns of `row` (iw long), each padded with zeros to pw:
/// eight pairs per step.
__attribute__((target("avx2"))) void deinterleaveAvx2(const float *row,
                                                      int64_t iw, int64_t pw,
                                                      float *even, float *odd) {
  int64_t x = 0;
  for (; x + 8 <= iw / 2; x += 8) {
    __m256 lo = _mm256_loadu_ps(row + 2 * x),
           hi = _mm256_loadu_ps(row + 2 * x + 8);
    // Per 128-bit lane: (e0 e1 e4 e5 | e2 e3 e6 e7), then the 64-bit pairs
    // back in order.
    __m256 e = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    __m256 o = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
    e = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
    o = _mm256_castpd_ps(
        _mm256_permute4x64_pd(_mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0)));
    _mm256_storeu_ps(even + x, e);
    _mm256_storeu_ps(odd + x, o);
  }
  gatherColumns(row + 2 * x, iw - 2 * x, 2, 0, pw - x, even + x);
  gatherColumns(row + 2 * x, iw - 2 * x, 2, 1, pw - x, odd + x);
}
#endif

/// Splits the padded plane into sh x sw phase planes, each ph x pw: phase
/// (a, b) holds padded[y*sh + a][x*sw + b], zero past the plane's edge.
/// With unit strides the padded plane is the single phase; without padding
/// it is the input itself and nothing is copied.
const float *phasesOf(const Shape &s, const float *plane) {
  bool unitStrides = s.sh == 1 && s.sw == 1;
  if (unitStrides && !s.padded())
    return plane;
  int64_t ph = s.ph(), pw = s.pw();
  float *phases = scratch(kDepthwisePhases, s.sh * s.sw * ph * pw);
  if (unitStrides) {
    for (int64_t r = 0; r < s.ih; ++r)
      padRow(s, plane, r, phases + r * s.iw);
    return phases;
  }
  float *buffer = scratch(kDepthwisePaddedRow, s.iw);
  auto phaseRow = [&](int64_t a, int64_t b, int64_t y) {
    return phases + ((a * s.sw + b) * ph + y) * pw;
  };
  bool pairs = false;
#if defined(__x86_64__)
  pairs = s.sw == 2 && hostIsa() != Isa::Generic;
#endif
  for (int64_t a = 0; a < s.sh; ++a)
    for (int64_t y = 0; y < ph; ++y) {
      int64_t r = y * s.sh + a;
      if (r >= s.ih) {
        for (int64_t b = 0; b < s.sw; ++b)
          std::fill(phaseRow(a, b, y), phaseRow(a, b, y) + pw, 0.0f);
        continue;
      }
      const float *row = paddedRow(s, plane, r, buffer);
#if defined(__x86_64__)
      if (pairs) {
        deinterleaveAvx2(row, s.iw, pw, phaseRow(a, 0, y), phaseRow(a, 1, y));
        continue;
      }
#endif
      for (int64_t b = 0; b < s.sw; ++b)
        gatherColumns(row, s.iw, s.sw, b, pw, phaseRow(a, b, y));
    }
  return phases;
}

/// How each output element is finished: out = clamp(initial + sum), where
/// initial is the element's old value (`accumulate`) or zero, plus the
/// channel's bias.
struct Finish {
  bool accumulate;
  float bias, lo, hi;

  float apply(float sum, float old) const {
    float v = (accumulate ? old : 0.0f) + bias + sum;
    // Comparisons, not std::max/min: a NaN must stay NaN.
    if (v < lo)
      v = lo;
    if (v > hi)
      v = hi;
    return v;
  }
};

void depthwiseChannel(const Shape &s, RowKernel rows, const float *plane,
                      const float *weights, Finish finish, float *out) {
  const float *phases = phasesOf(s, plane);
  int64_t ph = s.ph(), pw = s.pw();
  Tap *taps = reinterpret_cast<Tap *>(
      scratch(kDepthwiseTaps, s.kh * s.kw * sizeof(Tap) / sizeof(float)));
  for (int64_t ky = 0; ky < s.kh; ++ky)
    for (int64_t kx = 0; kx < s.kw; ++kx) {
      int64_t y = ky * s.dh, x = kx * s.dw;
      const float *phase = phases + ((y % s.sh) * s.sw + x % s.sw) * ph * pw;
      taps[ky * s.kw + kx] = {phase + (y / s.sh) * pw + x / s.sw,
                              weights[ky * s.kw + kx]};
    }
  // Output (y, x) is element y*pw + x of the flattened sequence; the last
  // row stops at ow so that no tap reads past its phase plane.
  int64_t n = (s.oh - 1) * pw + s.ow;
  float *sums = scratch(kDepthwiseRows, n);
  rows(taps, s.kh * s.kw, n, sums);
  for (int64_t y = 0; y < s.oh; ++y)
    for (int64_t x = 0; x < s.ow; ++x)
      out[y * s.ow + x] = finish.apply(sums[y * pw + x], out[y * s.ow + x]);
}

} // namespace

extern "C" void anvil_sdwconv2d(int64_t channels, const float *in, int64_t ih,
                                int64_t iw, int64_t pad_top, int64_t pad_left,
                                int64_t pad_bottom, int64_t pad_right,
                                const float *w, int64_t kh, int64_t kw,
                                int64_t sh, int64_t sw, int64_t dh, int64_t dw,
                                float *out, int64_t oh, int64_t ow,
                                int32_t accumulate, const float *bias, float lo,
                                float hi) {
  if (channels <= 0 || oh <= 0 || ow <= 0 || kh <= 0 || kw <= 0)
    return;
  int64_t paddedH = ih + pad_top + pad_bottom,
          paddedW = iw + pad_left + pad_right;
  Shape s{ih, iw, pad_top, pad_left, paddedH, paddedW, kh,
          kw, sh, sw,      dh,       dw,      oh,      ow};
  RowKernel rows = rowKernel();
  for (int64_t c = 0; c < channels; ++c) {
    Finish finish{accumulate != 0, bias ? bias[c] : 0.0f, lo, hi};
    depthwiseChannel(s, rows, in + c * ih * iw, w + c * kh * kw, finish,
                     out + c * oh * ow);
  }
}
