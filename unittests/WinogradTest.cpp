//===- WinogradTest.cpp - F(4x4, 3x3) convolution against a direct one ----===//
#include "anvil-c/Kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <gtest/gtest.h>
#include <random>
#include <vector>

namespace {

constexpr int64_t kPoints = ANVIL_WINOGRAD_POINTS;
constexpr int64_t kTile = ANVIL_WINOGRAD_TILE;

struct Case {
  int64_t channels, filters, ih, iw;
  int64_t padTop = 1, padLeft = 1, padBottom = 1, padRight = 1;
};

struct Finish {
  bool accumulate = false, bias = false;
  float lo = -INFINITY, hi = INFINITY;
};

/// The error bound of one output element against the exact sum: the
/// transforms scale intermediate values by up to 8 x 5 (A^T's and B^T's
/// largest coefficients) before the f32 sums cancel them, so the bound is
/// relative to the sum of the products' magnitudes, as for the GEMM, with
/// that growth in it.
double bound(double magnitude) { return 4e-6 * (magnitude + 1); }

/// The whole convolution through the C API, channels and filters in
/// `blocks` calls each (as the compiler splits them over threads), against
/// a double-precision direct loop.
void checkWinograd(const Case &t, Finish f = {}, int64_t blocks = 1) {
  int64_t oh = t.ih + t.padTop + t.padBottom - 2,
          ow = t.iw + t.padLeft + t.padRight - 2;
  int64_t tilesH = (oh + kTile - 1) / kTile, tilesW = (ow + kTile - 1) / kTile;
  int64_t tiles = tilesH * tilesW;
  std::mt19937 rng(t.ih * 131 + t.iw * 17 + t.channels * 7 + t.filters);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> in(t.channels * t.ih * t.iw),
      g(t.filters * t.channels * 9), out(t.filters * oh * ow), bias(t.filters);
  for (auto *v : {&in, &g, &out, &bias})
    for (float &x : *v)
      x = dist(rng);
  std::vector<float> before = out;
  std::vector<float> u(kPoints * t.filters * t.channels),
      v(kPoints * t.channels * tiles), m(kPoints * t.filters * tiles);
  anvil_swinograd_filter(t.filters, t.channels, g.data(), u.data());
  int64_t perBlock = (t.channels + blocks - 1) / blocks;
  for (int64_t c0 = 0; c0 < t.channels; c0 += perBlock)
    anvil_swinograd_input(std::min(perBlock, t.channels - c0),
                          in.data() + c0 * t.ih * t.iw, t.ih, t.iw, t.padTop,
                          t.padLeft, tilesH, tilesW, v.data() + c0 * tiles,
                          t.channels * tiles);
  for (int64_t p = 0; p < kPoints; ++p)
    anvil_sgemm(t.filters, tiles, t.channels,
                u.data() + p * t.filters * t.channels, t.channels,
                v.data() + p * t.channels * tiles, tiles,
                m.data() + p * t.filters * tiles, tiles, 0);
  perBlock = (t.filters + blocks - 1) / blocks;
  for (int64_t f0 = 0; f0 < t.filters; f0 += perBlock)
    anvil_swinograd_output(
        std::min(perBlock, t.filters - f0), m.data() + f0 * tiles,
        t.filters * tiles, tilesH, tilesW, out.data() + f0 * oh * ow, oh, ow,
        f.accumulate, f.bias ? bias.data() + f0 : nullptr, f.lo, f.hi);
  std::vector<double> want(out.size()), magnitude(out.size());
  for (int64_t k = 0; k < t.filters; ++k)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t at = (k * oh + y) * ow + x;
        double sum =
            (f.accumulate ? before[at] : 0.0) + (f.bias ? bias[k] : 0.0f);
        double size = std::fabs(sum);
        for (int64_t c = 0; c < t.channels; ++c)
          for (int64_t ky = 0; ky < 3; ++ky)
            for (int64_t kx = 0; kx < 3; ++kx) {
              int64_t r = y + ky - t.padTop, q = x + kx - t.padLeft;
              if (r < 0 || r >= t.ih || q < 0 || q >= t.iw)
                continue;
              double p = double(g[((k * t.channels + c) * 3 + ky) * 3 + kx]) *
                         in[(c * t.ih + r) * t.iw + q];
              sum += p;
              size += std::fabs(p);
            }
        want[at] = std::min<double>(std::max<double>(sum, f.lo), f.hi);
        magnitude[at] = size;
      }
  // The transforms mix a tile's 16 outputs: an element's rounding error
  // follows the largest magnitude in its tile (an output of padding alone,
  // exactly 0, gets its neighbours' error).
  auto tileMagnitude = [&](int64_t k, int64_t y, int64_t x) {
    double largest = 0;
    for (int64_t ty = y / kTile * kTile;
         ty < std::min(oh, y / kTile * kTile + kTile); ++ty)
      for (int64_t tx = x / kTile * kTile;
           tx < std::min(ow, x / kTile * kTile + kTile); ++tx)
        largest = std::max(largest, magnitude[(k * oh + ty) * ow + tx]);
    return largest;
  };
  double worst = 0;
  for (int64_t k = 0; k < t.filters; ++k)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t at = (k * oh + y) * ow + x;
        double size = tileMagnitude(k, y, x);
        worst = std::max(worst, std::fabs(out[at] - want[at]) / (size + 1));
        ASSERT_NEAR(out[at], want[at], bound(size))
            << t.channels << " channels, " << t.filters << " filters, " << t.ih
            << "x" << t.iw << " pads " << t.padTop << "," << t.padLeft << ","
            << t.padBottom << "," << t.padRight << " at filter " << k << " ("
            << y << ", " << x << ")";
      }
  ::testing::Test::RecordProperty("worst_relative_error",
                                  std::to_string(worst));
  if (std::getenv("WINO_DEBUG"))
    fprintf(stderr, "worst %g\n", worst);
}

TEST(WinogradTest, ResNetShapes) {
  // Each stage's plane, whole tiles (56, 28) and ragged ones (14, 7).
  checkWinograd({16, 8, 56, 56});
  checkWinograd({32, 16, 28, 28});
  checkWinograd({64, 32, 14, 14});
  checkWinograd({128, 64, 7, 7});
}

TEST(WinogradTest, RaggedPlanesAndPadding) {
  for (int64_t width : {1, 2, 3, 5, 9, 17, 33, 70})
    checkWinograd({3, 5, 6, width});
  checkWinograd({3, 4, 1, 1});
  // No padding, one-sided, and wider than a tile reaches.
  checkWinograd({4, 3, 13, 11, 0, 0, 0, 0});
  checkWinograd({4, 3, 13, 11, 2, 0, 1, 3});
  checkWinograd({2, 3, 6, 7, 5, 6, 4, 5});
}

TEST(WinogradTest, BlocksOfChannelsAndFilters) {
  checkWinograd({20, 14, 15, 15}, {}, 3);
  checkWinograd({7, 9, 9, 30}, {}, 4);
}

TEST(WinogradTest, BiasAndClampFinishTheOutput) {
  Finish relu{/*accumulate=*/false, /*bias=*/true, 0.0f, INFINITY};
  checkWinograd({8, 6, 17, 19}, relu, 2);
  checkWinograd({8, 6, 12, 12}, {true, true, -0.5f, 0.5f});
  checkWinograd({8, 6, 12, 12}, {true, false});
}

TEST(WinogradTest, NaNPassesTheClamp) {
  std::vector<float> in(9, NAN), g(9, 1.0f), u(kPoints), v(kPoints), m(kPoints),
      out(1, 0.0f);
  anvil_swinograd_filter(1, 1, g.data(), u.data());
  anvil_swinograd_input(1, in.data(), 3, 3, 0, 0, 1, 1, v.data(), 1);
  for (int64_t p = 0; p < kPoints; ++p)
    m[p] = u[p] * v[p];
  anvil_swinograd_output(1, m.data(), 1, 1, 1, out.data(), 1, 1, 0, nullptr,
                         0.0f, 6.0f);
  EXPECT_TRUE(std::isnan(out[0]));
}

} // namespace
