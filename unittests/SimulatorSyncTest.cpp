//===- SimulatorSyncTest.cpp - PEs that wait on each other, and the DMA,
// SE and RE operations beyond the first lowering's
// ------------------------===//
//
// Barriers and semaphores hold a PE's fiber until other PEs get there; the
// times are worked out by hand on mtia-v1 (launch 16000 cycles, issue 4,
// barrier 100, local latency 4, f32 vector core 16 per cycle). Broadcast
// and gather run on mtia-2i, which has them.
//
//===----------------------------------------------------------------------===//

#include "anvil-c/MTIA.h"
#include "anvil/Sim/Simulator.h"

#include "TestTargets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace anvil::sim;
using namespace anvil::target;

namespace {

TargetDesc load(const char *name) { return anvil::test::loadTarget(name); }

TEST(SimulatorSyncTest, BarrierAlignsPEs) {
  Simulator sim(load("mtia-v1"));
  int32_t seen = 0;
  sim.runJob(2, [&](int64_t pe) {
    auto *local = static_cast<int32_t *>(anvil_mtia_local_base());
    // PE 0 arrives after 10 cycles, PE 1 after 100.
    sim.vectorWork(DType::F32, pe == 0 ? 160 : 1600);
    if (pe == 1)
      local[0] = 42;
    anvil_mtia_barrier();
    // Past the barrier PE 0 sees what PE 1 wrote before it.
    if (pe == 0)
      seen = reinterpret_cast<int32_t *>(sim.localBase(1))[0];
    sim.vectorWork(DType::F32, 16);
  });
  EXPECT_FALSE(sim.faulted()) << sim.faultText();
  EXPECT_EQ(seen, 42);
  // Both leave at 16100 + 100, work 1 cycle; the job's barrier adds 100.
  EXPECT_EQ(sim.report().cycles, 16201 + 100);
}

TEST(SimulatorSyncTest, ABarrierOfSomePEsHoldsThoseOnly) {
  Simulator sim(load("mtia-v1"));
  sim.runJob(4, [&](int64_t pe) {
    // Two kernels side by side: PEs 0-1 arrive at their barrier after 10
    // cycles, PEs 2-3 at theirs after 100.
    sim.vectorWork(DType::F32, pe < 2 ? 160 : 1600);
    anvil_mtia_barrier_pes(pe < 2 ? 0 : 2, 2);
    sim.vectorWork(DType::F32, 16);
    // The job's barrier between waves holds all four.
    anvil_mtia_barrier();
  });
  EXPECT_FALSE(sim.faulted()) << sim.faultText();
  const JobRecord &job = sim.report().jobList.back();
  // PEs 0-1 leave theirs at 16010 + 100 and reach the job's at 16111;
  // PEs 2-3 at 16100 + 100, then 16201; all leave at 16301, and the job
  // ends after its own barrier, 100 more.
  EXPECT_EQ(sim.report().cycles, 16301 + 100);
  // Held at the barriers: PEs 0-1 100 + 190 cycles each, PEs 2-3 100 + 100.
  EXPECT_EQ(job.idlePECycles, 60 * 301 + 2 * 290 + 2 * 200);
  // Occupancy: the 64 x 301 PE-cycles of the body less the idle ones, over
  // 64 PEs x the run's 16401 cycles.
  EXPECT_NEAR(sim.report().peOccupancy,
              (64.0 * 301 - job.idlePECycles) / (64.0 * 16401), 1e-12);
}

TEST(SimulatorSyncTest, ABarrierMustHoldThePEArrivingAtIt) {
  Simulator sim(load("mtia-v1"));
  sim.runJob(4,
             [&](int64_t pe) { anvil_mtia_barrier_pes(0, pe == 3 ? 3 : 4); });
  ASSERT_TRUE(sim.faulted());
  EXPECT_NE(sim.faultText().find("PE 3: barrier of PEs 0 .. 2"),
            std::string::npos)
      << sim.faultText();
}

TEST(SimulatorSyncTest, SemaphoreWaitsForSignals) {
  Simulator sim(load("mtia-v1"));
  sim.runJob(2, [&](int64_t pe) {
    if (pe == 0) {
      // Runs first, and must wait for PE 1's two signals.
      anvil_mtia_sem_wait(3, 2);
      sim.vectorWork(DType::F32, 16);
      return;
    }
    sim.vectorWork(DType::F32, 1600); // 16100
    anvil_mtia_sem_signal(0, 3);      // issued 16104, arrives 16108
    sim.vectorWork(DType::F32, 160);  // 16114
    anvil_mtia_sem_signal(0, 3);      // issued 16118, arrives 16122
  });
  EXPECT_FALSE(sim.faulted()) << sim.faultText();
  EXPECT_EQ(sim.report().cycles, 16123 + 100);
}

TEST(SimulatorSyncTest, DeadlockFaults) {
  Simulator sim(load("mtia-v1"));
  sim.runJob(2, [&](int64_t pe) {
    if (pe == 0)
      anvil_mtia_sem_wait(1, 1);
  });
  ASSERT_TRUE(sim.faulted());
  EXPECT_EQ(sim.faultText(),
            "deadlock: no PE of the job can go on; PE 0 waits for 1 signals "
            "of semaphore 1; 1 of 2 PEs had finished");

  Simulator missed(load("mtia-v1"));
  missed.runJob(3, [&](int64_t pe) {
    if (pe != 2)
      anvil_mtia_barrier();
  });
  EXPECT_EQ(missed.faultText(),
            "deadlock: no PE of the job can go on; PE 0 waits at a barrier; "
            "PE 1 waits at a barrier; 1 of 3 PEs had finished");

  Simulator outside(load("mtia-v1"));
  outside.runJob(2, [&](int64_t) { anvil_mtia_sem_signal(5, 0); });
  EXPECT_EQ(outside.faultText(),
            "PE 0: sem_signal: PE 5 is not in this job of 2 PEs");
}

TEST(SimulatorSyncTest, BroadcastReachesARow) {
  Simulator sim(load("mtia-2i"));
  std::vector<uint8_t> weights(256);
  for (size_t i = 0; i < weights.size(); ++i)
    weights[i] = static_cast<uint8_t>(i * 7);
  std::memset(sim.localMemories(), 0, 64 * sim.localBytes());
  sim.runJob(64, [&](int64_t pe) {
    char *local = static_cast<char *>(anvil_mtia_local_base());
    // PE 9 (row 1, column 1) sends 4 rows of 64 bytes to row 1.
    if (pe == 9)
      anvil_mtia_wait(anvil_mtia_dma_broadcast(local + 1024, 64, weights.data(),
                                               ANVIL_MTIA_DRAM, 64, 4, 64,
                                               ANVIL_MTIA_ROW));
  });
  ASSERT_FALSE(sim.faulted()) << sim.faultText();
  for (int64_t pe = 0; pe < 64; ++pe) {
    bool inRow = pe / 8 == 1;
    EXPECT_EQ(std::memcmp(sim.localBase(pe) + 1024, weights.data(), 256) == 0,
              inRow)
        << "PE " << pe;
  }
  SimReport r = sim.report();
  EXPECT_EQ(r.bytes[static_cast<int>(MemoryLevel::DRAM)], 256);
  EXPECT_EQ(r.bytes[static_cast<int>(MemoryLevel::Local)], 8 * 256);

  Simulator v1(load("mtia-v1"));
  v1.runJob(1, [&](int64_t) {
    anvil_mtia_dma_broadcast(anvil_mtia_local_base(), 0, weights.data(),
                             ANVIL_MTIA_DRAM, 0, 1, 64, ANVIL_MTIA_COLUMN);
  });
  EXPECT_EQ(v1.faultText(), "PE 0: dma_broadcast: mtia-v1 has no broadcast DMA "
                            "(dma.broadcast)");
}

TEST(SimulatorSyncTest, GatherTakesRowsByIndex) {
  Simulator sim(load("mtia-2i"));
  std::vector<float> table(10 * 4);
  for (size_t i = 0; i < table.size(); ++i)
    table[i] = static_cast<float>(i);
  std::vector<float> got(3 * 4);
  sim.runJob(1, [&](int64_t) {
    char *local = static_cast<char *>(anvil_mtia_local_base());
    int32_t indices[] = {3, 0, 9};
    std::memcpy(local, indices, sizeof(indices));
    // dst rows 32 bytes apart; the table's rows are 16.
    anvil_mtia_wait(anvil_mtia_dma_gather(local + 64, 32, table.data(),
                                          ANVIL_MTIA_DRAM, 16, 10, 16, local, 4,
                                          3));
    for (int i = 0; i < 3; ++i)
      std::memcpy(got.data() + 4 * i, local + 64 + 32 * i, 16);
  });
  ASSERT_FALSE(sim.faulted()) << sim.faultText();
  std::vector<float> want = {12, 13, 14, 15, 0, 1, 2, 3, 36, 37, 38, 39};
  EXPECT_EQ(got, want);

  Simulator bad(load("mtia-2i"));
  bad.runJob(1, [&](int64_t) {
    auto *local = static_cast<int64_t *>(anvil_mtia_local_base());
    local[0] = 1;
    local[1] = 10;
    anvil_mtia_dma_gather(local + 8, 16, table.data(), ANVIL_MTIA_DRAM, 16, 10,
                          16, local, 8, 2);
  });
  EXPECT_EQ(bad.faultText(), "PE 0: dma_gather: index 10 (position 1) is "
                             "outside the table's 10 rows");
}

TEST(SimulatorSyncTest, LookupTablesAndReductionEngine) {
  Simulator sim(load("mtia-v1"));
  float lut[5];
  sim.runJob(2, [&](int64_t pe) {
    auto *local = static_cast<float *>(anvil_mtia_local_base());
    if (pe == 0) {
      float x[] = {-1.5f, 0.f, 0.5f, 2.f};
      std::memcpy(local, x, sizeof(x));
      const int32_t functions[] = {ANVIL_MTIA_LUT_RELU, ANVIL_MTIA_LUT_EXP,
                                   ANVIL_MTIA_LUT_SIGMOID, ANVIL_MTIA_LUT_TANH,
                                   ANVIL_MTIA_LUT_GELU};
      for (int f = 0; f < 5; ++f) {
        anvil_mtia_wait(anvil_mtia_se_lut(local + 16, local, 4, functions[f]));
        lut[f] = local[16 + 2]; // f(0.5)
      }
      // PE 0 adds its partial sums into PE 1's, at the same offset, once
      // PE 1 has set them up.
      anvil_mtia_sem_wait(1, 1);
      local[32] = 1.5f;
      local[33] = -2.f;
      anvil_mtia_wait(anvil_mtia_re_forward(local + 64, local + 32, 2,
                                            ANVIL_MTIA_F32, ANVIL_MTIA_EAST));
      anvil_mtia_sem_signal(1, 0);
      return;
    }
    local[64] = 10.f;
    local[65] = 20.f;
    local[66] = 1.f;
    local[67] = 2.f;
    anvil_mtia_sem_signal(0, 1);
    anvil_mtia_sem_wait(0, 1);
    anvil_mtia_wait(
        anvil_mtia_re_accumulate(local + 64, local + 66, 2, ANVIL_MTIA_F32));
  });
  ASSERT_FALSE(sim.faulted()) << sim.faultText();
  EXPECT_EQ(lut[0], 0.5f);
  EXPECT_EQ(lut[1], std::exp(0.5f));
  EXPECT_EQ(lut[2], 1.f / (1.f + std::exp(-0.5f)));
  EXPECT_EQ(lut[3], std::tanh(0.5f));
  EXPECT_NEAR(lut[4], 0.345731f, 1e-6f);
  auto *pe1 = reinterpret_cast<float *>(sim.localBase(1));
  EXPECT_EQ(pe1[64], 10.f + 1.5f + 1.f);
  EXPECT_EQ(pe1[65], 20.f - 2.f + 2.f);
  EXPECT_GT(sim.report().busyCycles[static_cast<int>(Unit::RE)], 0);

  Simulator edge(load("mtia-v1"));
  edge.runJob(2, [&](int64_t) {
    auto *local = static_cast<float *>(anvil_mtia_local_base());
    anvil_mtia_re_forward(local, local, 1, ANVIL_MTIA_F32, ANVIL_MTIA_NORTH);
  });
  EXPECT_EQ(edge.faultText(), "PE 0: re_forward: no neighbour in direction 0 "
                              "within the job");
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ANVIL_ASAN 1
#endif
#endif
#ifdef ANVIL_ASAN
extern "C" void __sanitizer_set_report_path(const char *path);
void reportToStderr() { __sanitizer_set_report_path("stderr"); }
#else
void reportToStderr() {}
#endif

/// Uses about 4 KiB of stack per level.
int deepRecursion(int n) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(n);
  return n == 0 ? frame[0] : deepRecursion(n - 1) + frame[0];
}

TEST(SimulatorSyncDeathTest, StackOverflowHitsTheGuardPage) {
  // A PE program deeper than its fiber's stack stops at the guard page
  // below it instead of overwriting the heap.
  EXPECT_DEATH(
      {
        // AddressSanitizer reports the overflow too: to the dying child's
        // stderr, not among the reports of the sanitizer build's tests.
        reportToStderr();
        Simulator sim(load("mtia-v1"));
        sim.runJob(1, [](int64_t) { deepRecursion(100000); });
      },
      "");
}

} // namespace
