//===- gemm_bench.cpp - anvil_sgemm against the CPU's FMA peak ------------===//
//
// Measures one core's FMA peak for the vector width anvil_sgemm uses (a
// loop of independent FMAs, which nothing but issue width limits) and
// anvil_sgemm on each M x N x K given, alternately, round after round: the
// medians of GFLOP/s, of the peak and of their per-round ratio, so that a
// noisy neighbour slows both alike; then checks sampled elements of the
// product. Prints one JSON object; exits 1 when the product is wrong.
//
//===----------------------------------------------------------------------===//

#include "anvil-c/Kernels.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

double seconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

#if defined(__x86_64__)
// 12 independent accumulators cover FMA latency x throughput on every
// current x86 core (4 cycles x 2 ports = 8 in flight).
constexpr long kPeakIterations = 60'000'000 / 12;

__attribute__((target("avx2,fma"))) double peakAvx2() {
  __m256 acc[12];
  for (auto &v : acc)
    v = _mm256_setzero_ps();
  __m256 x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
  double start = seconds();
  for (long it = 0; it < kPeakIterations; ++it)
    for (auto &v : acc)
      v = _mm256_fmadd_ps(x, v, y);
  double elapsed = seconds() - start;
  // Every chain must reach the result, or the compiler drops it.
  for (int i = 1; i < 12; ++i)
    acc[0] = _mm256_add_ps(acc[0], acc[i]);
  float sink[8];
  _mm256_storeu_ps(sink, acc[0]);
  if (sink[0] == 42.0f)
    std::puts("");
  return 2.0 * 8 * 12 * kPeakIterations / elapsed / 1e9;
}

__attribute__((target("avx512f"))) double peakAvx512() {
  __m512 acc[12];
  for (auto &v : acc)
    v = _mm512_setzero_ps();
  __m512 x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
  double start = seconds();
  for (long it = 0; it < kPeakIterations; ++it)
    for (auto &v : acc)
      v = _mm512_fmadd_ps(x, v, y);
  double elapsed = seconds() - start;
  for (int i = 1; i < 12; ++i)
    acc[0] = _mm512_add_ps(acc[0], acc[i]);
  float sink[16];
  _mm512_storeu_ps(sink, acc[0]);
  if (sink[0] == 42.0f)
    std::puts("");
  return 2.0 * 16 * 12 * kPeakIterations / elapsed / 1e9;
}
#endif

double measuredPeak(const std::string &isa) {
#if defined(__x86_64__)
  if (isa == "avx512")
    return peakAvx512();
  if (isa == "avx2")
    return peakAvx2();
#endif
  return 0;
}

struct Shape {
  long m, n, k;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Result {
  double gflops, peak, fraction, maxError;
};

/// The largest error of 2000 sampled elements of C = A B against a
/// double-precision dot product, relative to the sum of |products|.
double sampledError(const Shape &s, const std::vector<float> &a,
                    const std::vector<float> &b, const std::vector<float> &c) {
  std::mt19937 rng(1);
  double worst = 0;
  for (int t = 0; t < 2000; ++t) {
    long i = rng() % s.m, j = rng() % s.n;
    double want = 0, magnitude = 0;
    for (long p = 0; p < s.k; ++p) {
      double product = double(a[i * s.k + p]) * b[p * s.n + j];
      want += product;
      magnitude += std::fabs(product);
    }
    worst = std::max(worst, std::fabs(c[i * s.n + j] - want) / magnitude);
  }
  return worst;
}

/// `rounds` rounds of (FMA peak, then one timed GEMM); medians over the
/// rounds, after one warm-up GEMM (caches, page tables).
Result measure(const Shape &s, const std::string &isa, int rounds) {
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n);
  for (float &v : a)
    v = dist(rng);
  for (float &v : b)
    v = dist(rng);
  auto timeGemm = [&] {
    double start = seconds();
    anvil_sgemm(s.m, s.n, s.k, a.data(), s.k, b.data(), s.n, c.data(), s.n, 0);
    return 2.0 * s.m * s.n * s.k / (seconds() - start) / 1e9;
  };
  timeGemm();
  std::vector<double> gflops, peaks, fractions;
  for (int r = 0; r < rounds; ++r) {
    peaks.push_back(measuredPeak(isa));
    gflops.push_back(timeGemm());
    fractions.push_back(peaks.back() > 0 ? gflops.back() / peaks.back() : 0);
  }
  return {median(gflops), median(peaks), median(fractions),
          sampledError(s, a, b, c)};
}

} // namespace

int main(int argc, char **argv) {
  std::vector<Shape> shapes;
  int rounds = 15;
  for (int i = 1; i < argc; ++i) {
    Shape s;
    if (std::strncmp(argv[i], "--rounds=", 9) == 0) {
      rounds = std::max(1, std::atoi(argv[i] + 9));
    } else if (std::sscanf(argv[i], "%ldx%ldx%ld", &s.m, &s.n, &s.k) == 3 &&
               s.m > 0 && s.n > 0 && s.k > 0) {
      shapes.push_back(s);
    } else {
      std::fprintf(stderr, "usage: %s [--rounds=N] [MxNxK...]\n", argv[0]);
      return 2;
    }
  }
  if (shapes.empty())
    shapes = {{1024, 1024, 1024}};
  std::string isa = anvil_sgemm_isa();
  bool wrong = false;
  std::printf("{\"isa\": \"%s\", \"rounds\": %d, \"shapes\": [", isa.c_str(),
              rounds);
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape &s = shapes[i];
    Result r = measure(s, isa, rounds);
    std::printf("%s\n  {\"m\": %ld, \"n\": %ld, \"k\": %ld, \"gflops\": %.2f, "
                "\"fma_peak_gflops\": %.2f, \"fraction_of_peak\": %.3f, "
                "\"max_relative_error\": %.2g}",
                i ? "," : "", s.m, s.n, s.k, r.gflops, r.peak, r.fraction,
                r.maxError);
    // A wrong product makes the figures meaningless.
    wrong |= r.maxError > 1e-5;
  }
  std::printf("\n]}\n");
  if (wrong)
    std::fprintf(stderr, "anvil-gemm-bench: anvil_sgemm's product is wrong\n");
  return wrong ? 1 : 0;
}
