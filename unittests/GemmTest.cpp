//===- GemmTest.cpp - anvil_sgemm against a double-precision reference ----===//
#include "anvil-c/Kernels.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <optional>
#include <random>
#include <vector>

namespace {

/// Cache blocks asked of anvil_sgemm_blocked.
struct Blocks {
  int64_t mc, kc, nc;
};

/// Runs anvil_sgemm (or anvil_sgemm_blocked in `blocks`) on random data
/// with padded leading dimensions and checks every element of C (and that
/// the padding is untouched).
void checkGemm(int64_t m, int64_t n, int64_t k, bool accumulate,
               std::optional<Blocks> blocks = std::nullopt) {
  std::mt19937 rng(m * 10007 + n * 101 + k);
  std::uniform_real_distribution<float> dist(-1, 1);
  int64_t lda = k + 3, ldb = n + 5, ldc = n + 2;
  std::vector<float> a(m * lda), b(k * ldb), c(m * ldc);
  for (float &v : a)
    v = dist(rng);
  for (float &v : b)
    v = dist(rng);
  for (float &v : c)
    v = dist(rng);
  std::vector<float> before = c;
  if (blocks) {
    float inf = std::numeric_limits<float>::infinity();
    anvil_sgemm_blocked(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc,
                        accumulate, nullptr, -inf, inf, blocks->mc, blocks->kc,
                        blocks->nc);
  } else {
    anvil_sgemm(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc,
                accumulate);
  }
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = accumulate ? before[i * ldc + j] : 0.0;
      double magnitude = std::fabs(want);
      for (int64_t p = 0; p < k; ++p) {
        want += double(a[i * lda + p]) * b[p * ldb + j];
        magnitude += std::fabs(double(a[i * lda + p]) * b[p * ldb + j]);
      }
      // Float accumulation: error grows with the summed magnitudes.
      ASSERT_NEAR(c[i * ldc + j], want, 1e-6 * (magnitude + 1) * (k + 1))
          << "m=" << m << " n=" << n << " k=" << k << " at (" << i << ", " << j
          << ")";
    }
    for (int64_t j = n; j < ldc; ++j)
      ASSERT_EQ(c[i * ldc + j], before[i * ldc + j]) << "padding written";
  }
}

TEST(GemmTest, EdgeTilesOfEveryShapeModulo) {
  // Sizes around the 6 x 16 / 6 x 32 / 4 x 8 tiles and the 256-deep,
  // 120-tall blocks; up to one tile of rows, B is read in place.
  for (int64_t m : {1, 5, 6, 7, 13, 121})
    for (int64_t n : {1, 8, 15, 16, 17, 33, 70})
      for (int64_t k : {1, 7, 256, 257})
        checkGemm(m, n, k, /*accumulate=*/false);
}

TEST(GemmTest, AnyCacheBlocksGiveTheProduct) {
  // Blocks smaller than a register tile (rounded up to it), ragged ones,
  // ones larger than the product (clamped to it), and sizes that are not
  // positive (the kernel's own).
  constexpr int64_t huge = std::numeric_limits<int64_t>::max();
  for (Blocks blocks : {Blocks{1, 1, 1}, Blocks{7, 13, 33}, Blocks{12, 64, 64},
                        Blocks{huge, huge, huge}, Blocks{0, -1, -5}})
    for (int64_t m : {1, 7, 25})
      for (int64_t n : {1, 17, 70})
        for (int64_t k : {1, 64, 130})
          checkGemm(m, n, k, /*accumulate=*/k == 64, blocks);
}

TEST(GemmTest, AccumulatesIntoC) {
  checkGemm(7, 19, 300, /*accumulate=*/true);
  checkGemm(130, 40, 9, /*accumulate=*/true);
}

TEST(GemmTest, EmptyDepthZeroesOrKeepsC) {
  checkGemm(5, 9, 0, /*accumulate=*/false);
  checkGemm(5, 9, 0, /*accumulate=*/true);
}

/// anvil_sgemm_fused: C = clamp((accumulate ? C : 0) + A B + bias[i]) on
/// shapes with edge tiles, several KC slices and an empty product.
void checkFused(int64_t m, int64_t n, int64_t k, bool accumulate, float lo,
                float hi) {
  std::mt19937 rng(m * 7 + n * 3 + k);
  std::uniform_real_distribution<float> dist(-1, 1);
  int64_t lda = k + 1, ldb = n + 3, ldc = n + 1;
  std::vector<float> a(m * lda), b(k * ldb), c(m * ldc), bias(m);
  for (auto *v : {&a, &b, &c, &bias})
    for (float &x : *v)
      x = dist(rng);
  std::vector<float> before = c;
  anvil_sgemm_fused(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc,
                    accumulate, bias.data(), lo, hi);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double want = (accumulate ? before[i * ldc + j] : 0.0) + bias[i];
      double magnitude = std::fabs(want);
      for (int64_t p = 0; p < k; ++p) {
        want += double(a[i * lda + p]) * b[p * ldb + j];
        magnitude += std::fabs(double(a[i * lda + p]) * b[p * ldb + j]);
      }
      want = std::min<double>(std::max<double>(want, lo), hi);
      ASSERT_NEAR(c[i * ldc + j], want, 1e-6 * (magnitude + 1) * (k + 1))
          << "m=" << m << " n=" << n << " k=" << k << " at (" << i << ", " << j
          << ")";
    }
}

TEST(GemmTest, FusedBiasAndClamp) {
  for (int64_t m : {1, 6, 13})
    for (int64_t n : {7, 16, 300})
      for (int64_t k : {0, 5, 257}) {
        checkFused(m, n, k, false, 0.0f, 6.0f);
        checkFused(m, n, k, true, -0.5f, INFINITY);
      }
}

TEST(GemmTest, FusedClampKeepsNaN) {
  float a[1] = {NAN}, b[1] = {1.0f}, c[1] = {0.0f}, bias[1] = {0.0f};
  anvil_sgemm_fused(1, 1, 1, a, 1, b, 1, c, 1, 0, bias, 0.0f, 6.0f);
  EXPECT_TRUE(std::isnan(c[0]));
}

TEST(GemmTest, LargeSquare) { checkGemm(300, 2100, 520, false); }

} // namespace
