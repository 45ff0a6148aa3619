//===- DepthwiseTest.cpp - anvil_sdwconv2d against a direct reference -----===//
#include "anvil-c/Kernels.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>
#include <gtest/gtest.h>

namespace {

struct Case {
  int64_t channels, ih, iw, kh, kw, sh, sw, dh, dw;
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
  int64_t oh = (t.ih - (t.kh - 1) * t.dh - 1) / t.sh + 1;
  int64_t ow = (t.iw - (t.kw - 1) * t.dw - 1) / t.sw + 1;
  std::mt19937 rng(t.ih * 131 + t.iw * 17 + t.kh * 7 + t.sh);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> in(t.channels * t.ih * t.iw),
      w(t.channels * t.kh * t.kw), out(t.channels * oh * ow), bias(t.channels);
  for (auto *v : {&in, &w, &out, &bias})
    for (float &x : *v)
      x = dist(rng);
  std::vector<float> before = out;
  anvil_sdwconv2d(t.channels, in.data(), t.ih, t.iw, w.data(), t.kh, t.kw,
                  t.sh, t.sw, t.dh, t.dw, out.data(), oh, ow, f.accumulate,
                  f.bias ? bias.data() : nullptr, f.lo, f.hi);
  for (int64_t c = 0; c < t.channels; ++c)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t at = (c * oh + y) * ow + x;
        double want = (f.accumulate ? before[at] : 0.0) +
                      (f.bias ? bias[c] : 0.0f);
        double magnitude = std::fabs(want);
        for (int64_t ky = 0; ky < t.kh; ++ky)
          for (int64_t kx = 0; kx < t.kw; ++kx) {
            double p = double(w[(c * t.kh + ky) * t.kw + kx]) *
                       in[(c * t.ih + y * t.sh + ky * t.dh) * t.iw +
                          x * t.sw + kx * t.dw];
            want += p;
            magnitude += std::fabs(p);
          }
        want = std::min<double>(std::max<double>(want, f.lo), f.hi);
        ASSERT_NEAR(out[at], want, 1e-6 * (magnitude + 1) * (t.kh * t.kw))
            << "ih=" << t.ih << " iw=" << t.iw << " k=" << t.kh << "x"
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

TEST(DepthwiseTest, BiasAndClampFinishTheOutput) {
  Finish relu6{/*accumulate=*/false, /*bias=*/true, 0.0f, 6.0f};
  checkDepthwise({4, 16, 19, 3, 3, 1, 1, 1, 1}, relu6);
  checkDepthwise({4, 17, 17, 3, 3, 2, 2, 1, 1}, relu6);
  checkDepthwise({3, 9, 30, 3, 3, 1, 1, 1, 1}, {true, true, -0.25f, 0.25f});
}

TEST(DepthwiseTest, NaNPassesTheClamp) {
  std::vector<float> in(9, NAN), w(9, 1.0f), out(1, 0.0f), bias(1, 1.0f);
  anvil_sdwconv2d(1, in.data(), 3, 3, w.data(), 3, 3, 1, 1, 1, 1, out.data(),
                  1, 1, 0, bias.data(), 0.0f, 6.0f);
  EXPECT_TRUE(std::isnan(out[0]));
}

} // namespace
