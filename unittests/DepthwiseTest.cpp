//===- DepthwiseTest.cpp - anvil_sdwconv2d against a direct reference -----===//
#include "anvil-c/Kernels.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <vector>

namespace {

struct Case {
  int64_t channels, ih, iw, kh, kw, sh, sw, dh, dw;
  /// Zeros around the input: top, left, bottom, right.
  int64_t pt = 0, pl = 0, pb = 0, pr = 0;
};

/// How the output is finished: accumulated or overwritten, with or without
/// a bias, clamped or not.
struct Finish {
  bool accumulate = true, bias = false;
  float lo = -INFINITY, hi = INFINITY;
};

/// Runs anvil_sdwconv2d on random data into a random output and checks
/// every element against a double-precision direct loop.
void checkDepthwise(const Case &t, Finish f = {}) {
  int64_t oh = (t.ih + t.pt + t.pb - (t.kh - 1) * t.dh - 1) / t.sh + 1;
  int64_t ow = (t.iw + t.pl + t.pr - (t.kw - 1) * t.dw - 1) / t.sw + 1;
  std::mt19937 rng(t.ih * 131 + t.iw * 17 + t.kh * 7 + t.sh);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> in(t.channels * t.ih * t.iw), w(t.channels * t.kh * t.kw),
      out(t.channels * oh * ow), bias(t.channels);
  for (auto *v : {&in, &w, &out, &bias})
    for (float &x : *v)
      x = dist(rng);
  std::vector<float> before = out;
  anvil_sdwconv2d(t.channels, in.data(), t.ih, t.iw, t.pt, t.pl, t.pb, t.pr,
                  w.data(), t.kh, t.kw, t.sh, t.sw, t.dh, t.dw, out.data(), oh,
                  ow, f.accumulate, f.bias ? bias.data() : nullptr, f.lo, f.hi);
  // The input element under tap (ky, kx) of output (y, x), zero in the
  // padding.
  auto input = [&](int64_t c, int64_t y, int64_t x, int64_t ky, int64_t kx) {
    int64_t r = y * t.sh + ky * t.dh - t.pt, q = x * t.sw + kx * t.dw - t.pl;
    bool inside = r >= 0 && r < t.ih && q >= 0 && q < t.iw;
    return inside ? in[(c * t.ih + r) * t.iw + q] : 0.0f;
  };
  for (int64_t c = 0; c < t.channels; ++c)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t at = (c * oh + y) * ow + x;
        double want =
            (f.accumulate ? before[at] : 0.0) + (f.bias ? bias[c] : 0.0f);
        double magnitude = std::fabs(want);
        for (int64_t ky = 0; ky < t.kh; ++ky)
          for (int64_t kx = 0; kx < t.kw; ++kx) {
            double p =
                double(w[(c * t.kh + ky) * t.kw + kx]) * input(c, y, x, ky, kx);
            want += p;
            magnitude += std::fabs(p);
          }
        want = std::min<double>(std::max<double>(want, f.lo), f.hi);
        ASSERT_NEAR(out[at], want, 1e-6 * (magnitude + 1) * (t.kh * t.kw))
            << "ih=" << t.ih << " iw=" << t.iw << " pads=" << t.pt << ","
            << t.pl << "," << t.pb << "," << t.pr << " k=" << t.kh << "x"
            << t.kw << " s=" << t.sh << "," << t.sw << " d=" << t.dh << ","
            << t.dw << " at channel " << c << " (" << y << ", " << x << ")";
      }
}

TEST(DepthwiseTest, StrideOne) {
  // Widths around the 8-, 16-, 64- and 128-element blocks, and MobileNet's.
  for (int64_t width : {3, 9, 16, 17, 30, 58, 114, 131})
    checkDepthwise({3, 7, width, 3, 3, 1, 1, 1, 1});
  checkDepthwise({5, 114, 114, 3, 3, 1, 1, 1, 1});
}

TEST(DepthwiseTest, StrideTwoAndOdd) {
  for (int64_t width : {5, 16, 17, 33, 58, 113, 114})
    checkDepthwise({2, width, width, 3, 3, 2, 2, 1, 1});
  checkDepthwise({2, 20, 23, 3, 3, 3, 3, 1, 1});
  checkDepthwise({2, 20, 23, 3, 2, 2, 3, 1, 1});
}

TEST(DepthwiseTest, DilationsAndOtherKernels) {
  checkDepthwise({3, 15, 40, 3, 3, 1, 1, 2, 3});
  checkDepthwise({3, 21, 21, 5, 5, 2, 2, 2, 2});
  checkDepthwise({2, 9, 70, 1, 7, 1, 1, 1, 1});
  checkDepthwise({2, 12, 12, 1, 1, 1, 1, 1, 1});
  // A whole plane in one tap: a single output element.
  checkDepthwise({2, 4, 5, 4, 5, 1, 1, 1, 1});
}

TEST(DepthwiseTest, PaddingInsideTheKernel) {
  // MobileNet's 3x3 layers: one row and column of zeros on every side.
  for (int64_t width : {7, 14, 17, 56, 112})
    for (int64_t stride : {1, 2})
      checkDepthwise({3, width, width, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1});
  // Uneven and one-sided padding, strides 3, dilations, pads wider than a
  // tap reaches (whole output rows from zeros only).
  checkDepthwise({2, 9, 20, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0});
  checkDepthwise({2, 20, 23, 3, 3, 3, 3, 1, 1, 2, 1, 0, 2});
  checkDepthwise({2, 15, 40, 3, 3, 1, 2, 2, 3, 2, 3, 2, 3});
  checkDepthwise({2, 6, 7, 3, 3, 1, 1, 1, 1, 4, 0, 3, 5});
}

TEST(DepthwiseTest, BiasAndClampFinishTheOutput) {
  Finish relu6{/*accumulate=*/false, /*bias=*/true, 0.0f, 6.0f};
  checkDepthwise({4, 16, 19, 3, 3, 1, 1, 1, 1}, relu6);
  checkDepthwise({4, 17, 17, 3, 3, 2, 2, 1, 1}, relu6);
  checkDepthwise({3, 9, 30, 3, 3, 1, 1, 1, 1}, {true, true, -0.25f, 0.25f});
  checkDepthwise({4, 17, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, relu6);
}

TEST(DepthwiseTest, NaNPassesTheClamp) {
  std::vector<float> in(9, NAN), w(9, 1.0f), out(1, 0.0f), bias(1, 1.0f);
  anvil_sdwconv2d(1, in.data(), 3, 3, 0, 0, 0, 0, w.data(), 3, 3, 1, 1, 1, 1,
                  out.data(), 1, 1, 0, bias.data(), 0.0f, 6.0f);
  EXPECT_TRUE(std::isnan(out[0]));
}

} // namespace
