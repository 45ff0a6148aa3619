//===- Winograd.cpp - F(4x4, 3x3) Winograd convolution transforms --------===//
//
// A 3 x 3 convolution of stride 1 computes each 4 x 4 tile of an output
// plane from a 6 x 6 tile of the input with 36 products per channel pair
// instead of 144 (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016): U = G g G^T per filter, V = B^T d B per input tile,
// M = U V summed over channels (for each of the 36 points, one product of
// a filters x channels matrix by a channels x tiles matrix), Y = A^T M A.
// The products are anvil_sgemm's; this file holds the three transforms.
//
// The input and output transforms work on whole rows of tiles so that
// every inner loop runs over consecutive tiles and vectorizes: an input
// row is first split into its four phases (columns 4m + r), after which a
// tile's six columns are phases 0-3 at m and phases 0-1 at m + 1, and the
// output's four columns are written back interleaved the same way. Each
// transform is compiled for AVX-512F, AVX2 and the baseline, chosen at run
// time as the GEMM's path is.
//
//===----------------------------------------------------------------------===//

#include "anvil-c/Kernels.h"

#include "Common.h"

#include <algorithm>
#include <cstring>

using namespace anvil::kernels;

namespace {

constexpr int64_t kTile = ANVIL_WINOGRAD_TILE;     // output rows, columns
constexpr int64_t kWindow = kTile + 2;             // input rows, columns
constexpr int64_t kPoints = ANVIL_WINOGRAD_POINTS; // kWindow * kWindow
static_assert(kPoints == kWindow * kWindow, "a 6 x 6 transformed tile");

#define ANVIL_INLINE __attribute__((always_inline)) inline
// Rows of tiles are short (a 14 x 14 plane has 4 tiles across): the loops
// run as masked vectors, the last one partial, rather than leave rows
// shorter than a vector to scalar code.
#define ANVIL_VECTORIZE_WHOLE                                                  \
  _Pragma("clang loop vectorize(enable) vectorize_predicate(enable)")

/// Six vectors of `n` positions that a transform reads or writes.
struct Six {
  const float *p[kWindow];
};
struct SixOut {
  float *p[kWindow];
};

/// B^T applied along one direction, position by position: six input
/// vectors to six output vectors. The vectors never overlap (restrict), so
/// the loop vectorizes without run-time checks.
ANVIL_INLINE void
applyBT(const float *__restrict d0, const float *__restrict d1,
        const float *__restrict d2, const float *__restrict d3,
        const float *__restrict d4, const float *__restrict d5,
        float *__restrict o0, float *__restrict o1, float *__restrict o2,
        float *__restrict o3, float *__restrict o4, float *__restrict o5,
        int64_t n) {
  ANVIL_VECTORIZE_WHOLE
  for (int64_t e = 0; e < n; ++e) {
    float x1 = d1[e], x2 = d2[e], x3 = d3[e], x4 = d4[e];
    o0[e] = 4 * d0[e] - 5 * x2 + x4;
    o1[e] = -4 * (x1 + x2) + x3 + x4;
    o2[e] = 4 * (x1 - x2) - x3 + x4;
    o3[e] = 2 * (x3 - x1) - x2 + x4;
    o4[e] = 2 * (x1 - x3) - x2 + x4;
    o5[e] = 4 * x1 - 5 * x3 + d5[e];
  }
}

ANVIL_INLINE void applyBT(const Six &d, const SixOut &o, int64_t n) {
  applyBT(d.p[0], d.p[1], d.p[2], d.p[3], d.p[4], d.p[5], o.p[0], o.p[1],
          o.p[2], o.p[3], o.p[4], o.p[5], n);
}

/// The per-thread rows the input transform works in, each `phaseLength`
/// (tiles across + 1) positions of its four phases.
struct InputScratch {
  float *padded;   // one input row with its zeros, 4 * phaseLength
  float *phases;   // kWindow rows x 4 phases x phaseLength
  float *vertical; // kWindow rows x 4 phases x phaseLength
};

/// The four phases of `len` groups of four: p_r[m] = row[4m + r].
ANVIL_INLINE void deinterleave(const float *__restrict row,
                               float *__restrict p0, float *__restrict p1,
                               float *__restrict p2, float *__restrict p3,
                               int64_t len) {
  ANVIL_VECTORIZE_WHOLE
  for (int64_t m = 0; m < len; ++m) {
    p0[m] = row[4 * m];
    p1[m] = row[4 * m + 1];
    p2[m] = row[4 * m + 2];
    p3[m] = row[4 * m + 3];
  }
}

/// Row `y` of plane `plane` (ih x iw) from column -padLeft on, zero outside
/// the plane, split into its four phases: phases[r * len + m] holds column
/// 4m + r - padLeft.
ANVIL_INLINE void splitRow(const float *plane, int64_t ih, int64_t iw,
                           int64_t y, int64_t padLeft, int64_t len,
                           float *padded, float *phases) {
  int64_t width = kTile * len;
  if (y < 0 || y >= ih) {
    std::memset(phases, 0, sizeof(float) * width);
    return;
  }
  std::memset(padded, 0, sizeof(float) * width);
  int64_t first = std::max<int64_t>(padLeft, 0);
  int64_t skip = std::max<int64_t>(-padLeft, 0);
  int64_t count = std::min<int64_t>(iw - skip, width - first);
  if (count > 0)
    std::memcpy(padded + first, plane + y * iw + skip, sizeof(float) * count);
  deinterleave(padded, phases, phases + len, phases + 2 * len, phases + 3 * len,
               len);
}

/// V for one channel's row `ty` of tiles: the six input rows' phases, B^T
/// down the columns (all positions at once), then B^T across each tile's
/// six columns (phases 0-3 at tile tx, 0-1 at tx + 1), written to the 36
/// planes at `v` + point * vPlane.
ANVIL_INLINE void inputTileRow(const float *plane, int64_t ih, int64_t iw,
                               int64_t ty, int64_t padTop, int64_t padLeft,
                               int64_t tilesW, const InputScratch &s, float *v,
                               int64_t vPlane) {
  int64_t len = tilesW + 1, rowFloats = kTile * len;
  Six rows;
  SixOut down;
  for (int64_t j = 0; j < kWindow; ++j) {
    float *phases = s.phases + j * rowFloats;
    splitRow(plane, ih, iw, kTile * ty - padTop + j, padLeft, len, s.padded,
             phases);
    rows.p[j] = phases;
    down.p[j] = s.vertical + j * rowFloats;
  }
  applyBT(rows, down, rowFloats);
  for (int64_t k = 0; k < kWindow; ++k) {
    const float *w = s.vertical + k * rowFloats;
    Six columns;
    SixOut points;
    for (int64_t i = 0; i < kWindow; ++i) {
      columns.p[i] = w + (i % kTile) * len + i / kTile;
      points.p[i] = v + (k * kWindow + i) * vPlane;
    }
    applyBT(columns, points, tilesW);
  }
}

ANVIL_INLINE void inputBody(int64_t channels, const float *in, int64_t ih,
                            int64_t iw, int64_t padTop, int64_t padLeft,
                            int64_t tilesH, int64_t tilesW, float *v,
                            int64_t vPlane) {
  int64_t rowFloats = kTile * (tilesW + 1);
  float *buffer = scratch(kWinogradRows, (1 + 2 * kWindow) * rowFloats);
  InputScratch s{buffer, buffer + rowFloats,
                 buffer + (1 + kWindow) * rowFloats};
  int64_t tiles = tilesH * tilesW;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t ty = 0; ty < tilesH; ++ty)
      inputTileRow(in + c * ih * iw, ih, iw, ty, padTop, padLeft, tilesW, s,
                   v + c * tiles + ty * tilesW, vPlane);
}

/// A^T applied along one direction over `n` positions: six vectors to four.
ANVIL_INLINE void
applyAT(const float *__restrict m0, const float *__restrict m1,
        const float *__restrict m2, const float *__restrict m3,
        const float *__restrict m4, const float *__restrict m5,
        float *__restrict o0, float *__restrict o1, float *__restrict o2,
        float *__restrict o3, int64_t n) {
  ANVIL_VECTORIZE_WHOLE
  for (int64_t e = 0; e < n; ++e) {
    float s12 = m1[e] + m2[e], d12 = m1[e] - m2[e], s34 = m3[e] + m4[e],
          d34 = m3[e] - m4[e];
    o0[e] = m0[e] + s12 + s34;
    o1[e] = d12 + 2 * d34;
    o2[e] = s12 + 4 * s34;
    o3[e] = d12 + 8 * d34 + m5[e];
  }
}

ANVIL_INLINE void applyAT(const Six &m, float *const (&o)[kTile], int64_t n) {
  applyAT(m.p[0], m.p[1], m.p[2], m.p[3], m.p[4], m.p[5], o[0], o[1], o[2],
          o[3], n);
}

/// Four phases of `len` into one row: row[4m + r] = p_r[m].
ANVIL_INLINE void interleave(const float *__restrict p0,
                             const float *__restrict p1,
                             const float *__restrict p2,
                             const float *__restrict p3, float *__restrict row,
                             int64_t len) {
  ANVIL_VECTORIZE_WHOLE
  for (int64_t m = 0; m < len; ++m) {
    row[4 * m] = p0[m];
    row[4 * m + 1] = p1[m];
    row[4 * m + 2] = p2[m];
    row[4 * m + 3] = p3[m];
  }
}

/// The epilogue of anvil_sgemm_fused on `n` elements of an output row.
ANVIL_INLINE void finishRow(const float *__restrict sum, float *__restrict out,
                            int64_t n, bool accumulate, float bias, float lo,
                            float hi) {
  ANVIL_VECTORIZE_WHOLE
  for (int64_t x = 0; x < n; ++x) {
    float v = (accumulate ? out[x] : 0.0f) + sum[x] + bias;
    // Comparisons, not std::max/min: a NaN must stay NaN.
    v = v < lo ? lo : v;
    out[x] = v > hi ? hi : v;
  }
}

struct OutputGeometry {
  int64_t tilesH, tilesW, oh, ow;
};

/// Y for one filter's row `ty` of tiles: A^T across each tile's six
/// columns, A^T down its six rows, the four phases of each output row
/// interleaved, then the epilogue into the rows that exist.
ANVIL_INLINE void outputTileRow(const float *m, int64_t mPlane, int64_t ty,
                                const OutputGeometry &g, float *buffer,
                                float *out, bool accumulate, float bias,
                                float lo, float hi) {
  int64_t tw = g.tilesW, width = kTile * tw;
  float *across = buffer;                      // kWindow x 4 x tw
  float *down = across + kWindow * kTile * tw; // 4 x 4 x tw
  float *row = down + kTile * kTile * tw;      // 4 * tw
  for (int64_t k = 0; k < kWindow; ++k) {
    Six in;
    for (int64_t i = 0; i < kWindow; ++i)
      in.p[i] = m + (k * kWindow + i) * mPlane;
    float *const o[kTile] = {
        across + (k * kTile) * tw, across + (k * kTile + 1) * tw,
        across + (k * kTile + 2) * tw, across + (k * kTile + 3) * tw};
    applyAT(in, o, tw);
  }
  // Column phase c of row k is across[(k * 4 + c) * tw]: A^T down the
  // rows, all four phases at once.
  Six rows;
  for (int64_t k = 0; k < kWindow; ++k)
    rows.p[k] = across + k * kTile * tw;
  float *const o[kTile] = {down, down + kTile * tw, down + 2 * kTile * tw,
                           down + 3 * kTile * tw};
  applyAT(rows, o, kTile * tw);
  for (int64_t r = 0; r < kTile; ++r) {
    int64_t y = kTile * ty + r;
    if (y >= g.oh)
      break;
    const float *p = down + r * kTile * tw;
    interleave(p, p + tw, p + 2 * tw, p + 3 * tw, row, tw);
    finishRow(row, out + y * g.ow, std::min(width, g.ow), accumulate, bias, lo,
              hi);
  }
}

ANVIL_INLINE void outputBody(int64_t filters, const float *m, int64_t mPlane,
                             const OutputGeometry &g, float *out,
                             bool accumulate, const float *bias, float lo,
                             float hi) {
  int64_t tw = g.tilesW;
  float *buffer =
      scratch(kWinogradRows, (kWindow * kTile + kTile * kTile + kTile) * tw);
  int64_t tiles = g.tilesH * tw;
  for (int64_t f = 0; f < filters; ++f)
    for (int64_t ty = 0; ty < g.tilesH; ++ty)
      outputTileRow(m + f * tiles + ty * tw, mPlane, ty, g, buffer,
                    out + f * g.oh * g.ow, accumulate, bias ? bias[f] : 0.0f,
                    lo, hi);
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) void
inputAvx512(int64_t channels, const float *in, int64_t ih, int64_t iw,
            int64_t padTop, int64_t padLeft, int64_t tilesH, int64_t tilesW,
            float *v, int64_t vPlane) {
  inputBody(channels, in, ih, iw, padTop, padLeft, tilesH, tilesW, v, vPlane);
}
__attribute__((target("avx2,fma"))) void
inputAvx2(int64_t channels, const float *in, int64_t ih, int64_t iw,
          int64_t padTop, int64_t padLeft, int64_t tilesH, int64_t tilesW,
          float *v, int64_t vPlane) {
  inputBody(channels, in, ih, iw, padTop, padLeft, tilesH, tilesW, v, vPlane);
}
__attribute__((target("avx512f"))) void
outputAvx512(int64_t filters, const float *m, int64_t mPlane,
             const OutputGeometry &g, float *out, bool accumulate,
             const float *bias, float lo, float hi) {
  outputBody(filters, m, mPlane, g, out, accumulate, bias, lo, hi);
}
__attribute__((target("avx2,fma"))) void
outputAvx2(int64_t filters, const float *m, int64_t mPlane,
           const OutputGeometry &g, float *out, bool accumulate,
           const float *bias, float lo, float hi) {
  outputBody(filters, m, mPlane, g, out, accumulate, bias, lo, hi);
}
#endif

} // namespace

extern "C" void anvil_swinograd_filter(int64_t filters, int64_t channels,
                                       const float *g, float *u) {
  // G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6;
  //      1/24 -1/12 1/6; 0 0 1], in double so that U is rounded once.
  static const double kG[kWindow][3] = {{1.0 / 4, 0, 0},
                                        {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                        {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                        {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                        {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                        {0, 0, 1}};
  int64_t pairs = filters * channels;
  for (int64_t pair = 0; pair < pairs; ++pair) {
    const float *w = g + pair * 9;
    double gw[kWindow][3]; // G g
    for (int64_t i = 0; i < kWindow; ++i)
      for (int64_t j = 0; j < 3; ++j)
        gw[i][j] = kG[i][0] * w[j] + kG[i][1] * w[3 + j] + kG[i][2] * w[6 + j];
    for (int64_t i = 0; i < kWindow; ++i)
      for (int64_t j = 0; j < kWindow; ++j)
        u[(i * kWindow + j) * pairs + pair] = static_cast<float>(
            gw[i][0] * kG[j][0] + gw[i][1] * kG[j][1] + gw[i][2] * kG[j][2]);
  }
}

extern "C" void anvil_swinograd_input(int64_t channels, const float *in,
                                      int64_t ih, int64_t iw, int64_t pad_top,
                                      int64_t pad_left, int64_t tiles_h,
                                      int64_t tiles_w, float *v,
                                      int64_t v_plane) {
  if (channels <= 0 || tiles_h <= 0 || tiles_w <= 0)
    return;
  switch (hostIsa()) {
#if defined(__x86_64__)
  case Isa::Avx512:
    return inputAvx512(channels, in, ih, iw, pad_top, pad_left, tiles_h,
                       tiles_w, v, v_plane);
  case Isa::Avx2:
    return inputAvx2(channels, in, ih, iw, pad_top, pad_left, tiles_h, tiles_w,
                     v, v_plane);
#endif
  default:
    return inputBody(channels, in, ih, iw, pad_top, pad_left, tiles_h, tiles_w,
                     v, v_plane);
  }
}

extern "C" void anvil_swinograd_output(int64_t filters, const float *m,
                                       int64_t m_plane, int64_t tiles_h,
                                       int64_t tiles_w, float *out, int64_t oh,
                                       int64_t ow, int32_t accumulate,
                                       const float *bias, float lo, float hi) {
  if (filters <= 0 || tiles_h <= 0 || tiles_w <= 0)
    return;
  OutputGeometry g{tiles_h, tiles_w, oh, ow};
  switch (hostIsa()) {
#if defined(__x86_64__)
  case Isa::Avx512:
    return outputAvx512(filters, m, m_plane, g, out, accumulate, bias, lo, hi);
  case Isa::Avx2:
    return outputAvx2(filters, m, m_plane, g, out, accumulate, bias, lo, hi);
#endif
  default:
    return outputBody(filters, m, m_plane, g, out, accumulate, bias, lo, hi);
  }
}
