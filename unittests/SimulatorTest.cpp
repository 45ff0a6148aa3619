//===- SimulatorTest.cpp - The simulator's clocks and PE operations -------===//
//
// Small programs on mtia-v1 whose time is worked out by hand from the
// formulas of docs/Targets.md, and the exactness of the DPE's results.
//
//===----------------------------------------------------------------------===//

#include "anvil/Sim/Simulator.h"
#include "anvil-c/MTIA.h"
#include "anvil/Sim/Half.h"

#include "llvm/Support/JSON.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using namespace anvil::sim;
using namespace anvil::target;

namespace {

TargetDesc v1() {
  llvm::Expected<TargetDesc> desc =
      loadTargetDesc(ANVIL_TEST_TARGETS_DIR "/mtia-v1.json");
  EXPECT_TRUE(static_cast<bool>(desc));
  return desc ? *desc : TargetDesc{};
}

uint16_t toHalf(float f) { return floatToHalf(f); }
float fromHalf(uint16_t bits) { return halfToFloat(bits); }

TEST(HalfTest, RoundsToNearestEven) {
  EXPECT_EQ(floatToHalf(1.0f), 0x3C00);
  EXPECT_EQ(floatToHalf(-2.0f), 0xC000);
  EXPECT_EQ(floatToHalf(1.0f / 3), 0x3555);
  EXPECT_EQ(floatToHalf(65504.0f), 0x7BFF);
  // Past the largest half, rounding goes to infinity.
  EXPECT_EQ(floatToHalf(65520.0f), 0x7C00);
  // 2049 and 2051 lie halfway between halves 2 apart: ties go to even.
  EXPECT_EQ(floatToHalf(2049.0f), 0x6800);
  EXPECT_EQ(floatToHalf(2051.0f), 0x6802);
  // The smallest subnormal, and half of it (a tie, to even zero).
  EXPECT_EQ(floatToHalf(0x1.0p-24f), 0x0001);
  EXPECT_EQ(floatToHalf(0x1.0p-25f), 0x0000);
  EXPECT_EQ(floatToHalf(NAN) & 0x7E00, 0x7E00);
  for (uint32_t h = 0; h < 0x7C00; ++h)
    ASSERT_EQ(floatToHalf(halfToFloat(h)), h) << h;
  EXPECT_EQ(halfToFloat(0x0001), 0x1.0p-24f);
  EXPECT_EQ(floatToBF16(1.0f + 0x1.0p-8f), 0x3F80);
  EXPECT_EQ(floatToBF16(1.0f + 0x1.8p-8f), 0x3F81);
  EXPECT_EQ(bf16ToFloat(0x3F80), 1.0f);
}

// v1: launch 16000, issue 4, barrier 100; DRAM latency 400 at 220 B/cycle;
// DMA 64 B/cycle; DPE f16 tile pass = (n + 8) cycles.
TEST(SimulatorTest, LoadThenMultiply) {
  Simulator sim(v1());
  std::vector<uint16_t> a(32 * 64), b(64 * 32);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (uint16_t &x : a)
    x = toHalf(dist(rng));
  for (uint16_t &x : b)
    x = toHalf(dist(rng));
  std::vector<float> c(32 * 32);

  sim.runJob(1, [&](int64_t) {
    char *local = static_cast<char *>(anvil_mtia_local_base());
    // 4096 bytes of A: starts at 16004, holds the engine 64 cycles, and
    // arrives 400 cycles of latency later, at 16468.
    anvil_mtia_token t = anvil_mtia_dma(local, ANVIL_MTIA_LOCAL, 0, a.data(),
                                        ANVIL_MTIA_DRAM, 0, 1, 4096);
    anvil_mtia_wait(t);
    anvil_mtia_wait(anvil_mtia_dma(local + 4096, ANVIL_MTIA_LOCAL, 0, b.data(),
                                   ANVIL_MTIA_DRAM, 0, 1, 4096));
    // 32x64 by 64x32 in f16: 1 row tile x 4 reduction tiles, each 32 + 8
    // cycles: 160.
    auto *acc = reinterpret_cast<float *>(local + 8192);
    anvil_mtia_wait(anvil_mtia_dpe_matmul(acc, 32, local, 64, local + 4096, 32,
                                          32, 64, 32, ANVIL_MTIA_F16, 0));
    anvil_mtia_wait(anvil_mtia_dma(c.data(), ANVIL_MTIA_DRAM, 0, acc,
                                   ANVIL_MTIA_LOCAL, 0, 1, 4096));
  });
  ASSERT_FALSE(sim.faulted()) << sim.faultText();
  // A arrives at 16468; B is issued at 16472 and arrives at
  // 16472 + 64 + 400 = 16936; the DPE is issued at 16940 and ends at 17100;
  // C leaves at 17104 and is in DRAM at 17104 + 64 + 400 = 17568. The job
  // ends there, and its barrier adds 100.
  SimReport r = sim.report();
  EXPECT_EQ(r.cycles, 17668);
  EXPECT_EQ(r.busyCycles[static_cast<int>(Unit::DMA)], 3 * 64);
  EXPECT_EQ(r.busyCycles[static_cast<int>(Unit::DPE)], 160);
  EXPECT_EQ(r.bytes[static_cast<int>(MemoryLevel::DRAM)], 3 * 4096);
  EXPECT_EQ(r.bytes[static_cast<int>(MemoryLevel::Local)], 3 * 4096);
  EXPECT_DOUBLE_EQ(r.work.dpeMacs[static_cast<int>(DType::F16)], 32 * 64 * 32);

  // Products of f16 values are exact in f32; only the f32 sum rounds.
  for (int i = 0; i < 32; ++i)
    for (int j = 0; j < 32; ++j) {
      double want = 0;
      for (int k = 0; k < 64; ++k)
        want += double(fromHalf(a[i * 64 + k])) * fromHalf(b[k * 32 + j]);
      EXPECT_NEAR(c[i * 32 + j], want, 1e-5) << i << "," << j;
    }
}

TEST(SimulatorTest, UnitsOverlap) {
  Simulator sim(v1());
  sim.runJob(1, [&](int64_t) {
    // DMA at 16004-16068 (arrives 16468); the DPE, issued at 16008, runs
    // beside it until 16168; the second DMA waits for the engine (16068)
    // and arrives at 16132 + 400 = 16532.
    Token first = sim.dma(MemoryLevel::DRAM, MemoryLevel::Local, 1, 4096);
    Token product = sim.dpe(DType::F16, 32, 64, 32);
    Token second = sim.dma(MemoryLevel::DRAM, MemoryLevel::Local, 1, 4096);
    sim.wait(first);
    sim.wait(product);
    sim.wait(second);
  });
  EXPECT_EQ(sim.report().cycles, 16532 + 100);
}

TEST(SimulatorTest, PEsShareDRAM) {
  Simulator sim(v1());
  sim.runJob(64, [&](int64_t) {
    // 64 PEs transfer at once: the last to start shares 220 B/cycle with
    // 63 others, 3.4375 each, so 4096 bytes hold its engine ceil(4096 /
    // 3.4375) = 1192 cycles: 16004 + 1192 + 400.
    sim.wait(sim.dma(MemoryLevel::DRAM, MemoryLevel::Local, 1, 4096));
  });
  SimReport r = sim.report();
  EXPECT_EQ(r.cycles, 17596 + 100);
  EXPECT_EQ(r.bytes[static_cast<int>(MemoryLevel::DRAM)], 64 * 4096);
  // Two jobs: the second launches after the first's barrier.
  sim.runJob(1, [&](int64_t) { sim.vectorWork(DType::F32, 160); });
  EXPECT_EQ(sim.report().cycles, 17696 + 16000 + 10 + 100);
  EXPECT_EQ(sim.report().jobs, 2);
}

TEST(SimulatorTest, OnlyThePEsTransferringShareALevel) {
  // In a job of 64 PEs, PE 0 alone transfers: DRAM's 220 B/cycle are its
  // own, up to its engine's 64, so 4096 bytes take 64 cycles (not the
  // 1192 of a 64th of DRAM).
  Simulator alone(v1());
  alone.runJob(64, [&](int64_t pe) {
    if (pe == 0)
      alone.wait(alone.dma(MemoryLevel::DRAM, MemoryLevel::Local, 1, 4096));
  });
  EXPECT_EQ(alone.report().cycles, 16004 + 64 + 400 + 100);

  // PE 1 computes for 2000 cycles first: the two transfers do not overlap,
  // and each runs at the engine's rate.
  Simulator staggered(v1());
  staggered.runJob(64, [&](int64_t pe) {
    if (pe == 1)
      staggered.vectorWork(DType::F32, 2000 * 16);
    if (pe <= 1)
      staggered.wait(
          staggered.dma(MemoryLevel::DRAM, MemoryLevel::Local, 1, 4096));
  });
  EXPECT_EQ(staggered.report().cycles, 18004 + 64 + 400 + 100);

  // Four PEs start at once: the fourth finds three transfers running and
  // gets 220 / 4 = 55 B/cycle, ceil(4096 / 55) = 75 cycles.
  Simulator together(v1());
  together.runJob(4, [&](int64_t) {
    together.wait(together.dma(MemoryLevel::DRAM, MemoryLevel::Local, 1, 4096));
  });
  EXPECT_EQ(together.report().cycles, 16004 + 75 + 400 + 100);
}

TEST(SimulatorTest, JobsAreRecordedWithTheirIdlePECycles) {
  Simulator sim(v1());
  // PE 0 works 10 cycles (160 f32 operations at 16 a cycle), PE 1 20: the
  // body ends 16000 + 20 cycles in. PE 0 then idles 10 cycles, and the 62
  // PEs outside the job all 20.
  sim.runJob(
      2, [&](int64_t pe) { sim.vectorWork(DType::F32, 160 * (pe + 1)); },
      "conv_3", "Conv_12,Relu_13");
  SimReport r = sim.report();
  ASSERT_EQ(r.jobList.size(), 1u);
  const JobRecord &job = r.jobList[0];
  EXPECT_EQ(job.name, "conv_3");
  EXPECT_EQ(job.nodes, "Conv_12,Relu_13");
  EXPECT_EQ(job.pes, 2);
  EXPECT_EQ(job.startCycle, 0);
  EXPECT_EQ(job.endCycle, 16020 + 100);
  EXPECT_EQ(job.idlePECycles, 10 + 62 * 20);

  std::string text;
  llvm::raw_string_ostream os(text);
  sim.writeReportJSON(os);
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  ASSERT_TRUE(static_cast<bool>(json)) << llvm::toString(json.takeError());
  const llvm::json::Array *jobs = json->getAsObject()->getArray("job_list");
  ASSERT_TRUE(jobs && jobs->size() == 1);
  const llvm::json::Object *first = (*jobs)[0].getAsObject();
  EXPECT_EQ(first->getString("name"), "conv_3");
  const llvm::json::Array *nodes = first->getArray("nodes");
  ASSERT_TRUE(nodes && nodes->size() == 2);
  EXPECT_EQ((*nodes)[1].getAsString(), "Relu_13");
  EXPECT_EQ(first->getInteger("idle_pe_cycles"), 10 + 62 * 20);
}

TEST(SimulatorTest, OperandsOutsideLocalMemoryFault) {
  Simulator sim(v1());
  std::vector<uint16_t> a(32 * 32);
  std::vector<float> c(32 * 32);
  sim.runJob(2, [&](int64_t pe) {
    char *local = static_cast<char *>(anvil_mtia_local_base());
    // PE 1 reads A from DRAM instead of its local memory.
    const void *aPtr = pe == 1 ? static_cast<const void *>(a.data()) : local;
    anvil_mtia_dpe_matmul(local + 4096, 32, aPtr, 32, local, 32, 32, 32, 32,
                          ANVIL_MTIA_F16, 0);
  });
  ASSERT_TRUE(sim.faulted());
  EXPECT_EQ(sim.faultText(), "PE 1: dpe_matmul: operand A (2048 bytes) is not "
                             "in the PE's local memory");

  Simulator noBF16(v1());
  noBF16.runJob(1, [&](int64_t) {
    char *local = static_cast<char *>(anvil_mtia_local_base());
    anvil_mtia_dpe_matmul(local, 1, local, 1, local, 1, 1, 1, 1,
                          ANVIL_MTIA_BF16, 0);
  });
  EXPECT_EQ(noBF16.faultText(),
            "PE 0: dpe_matmul: mtia-v1 does not take input type 3");
}

// mtia-2i prefetches DRAM into SRAM: launch 1000, issue 4; one PE's DMA
// engine (64 B/cycle, below DRAM's 151.7) moves 4096 bytes in 64 cycles,
// which land after DRAM's 600-cycle latency; the barrier adds 100.
TEST(SimulatorTest, PrefetchIntoSRAM) {
  llvm::Expected<TargetDesc> desc =
      loadTargetDesc(ANVIL_TEST_TARGETS_DIR "/mtia-2i.json");
  ASSERT_TRUE(static_cast<bool>(desc));
  Simulator sim(*desc);
  std::vector<float> dram(1024);
  for (size_t i = 0; i < dram.size(); ++i)
    dram[i] = static_cast<float>(i);
  auto *sram = reinterpret_cast<float *>(sim.sramBase());
  sim.runJob(1, [&](int64_t) {
    anvil_mtia_wait(anvil_mtia_dma(sram, ANVIL_MTIA_SRAM, 0, dram.data(),
                                   ANVIL_MTIA_DRAM, 0, 1, 4096));
  });
  ASSERT_FALSE(sim.faulted()) << sim.faultText();
  EXPECT_EQ(sram[1023], 1023.0f);
  SimReport r = sim.report();
  EXPECT_EQ(r.cycles, 1000 + 4 + 64 + 600 + 100);
  EXPECT_EQ(r.bytes[static_cast<int>(MemoryLevel::DRAM)], 4096);
  EXPECT_EQ(r.bytes[static_cast<int>(MemoryLevel::SRAM)], 4096);

  // An SRAM operand must lie in the SRAM.
  Simulator outside(*desc);
  std::vector<float> notSRAM(1024);
  outside.sramBase();
  outside.runJob(1, [&](int64_t) {
    anvil_mtia_dma(notSRAM.data(), ANVIL_MTIA_SRAM, 0, dram.data(),
                   ANVIL_MTIA_DRAM, 0, 1, 4096);
  });
  EXPECT_EQ(outside.faultText(),
            "PE 0: dma: operand dst (4096 bytes) is not in the SRAM");

  // mtia-v1 has no prefetch: a PE stages through its local memory.
  Simulator noPrefetch(v1());
  auto *v1SRAM = noPrefetch.sramBase();
  noPrefetch.runJob(1, [&](int64_t) {
    anvil_mtia_dma(v1SRAM, ANVIL_MTIA_SRAM, 0, dram.data(), ANVIL_MTIA_DRAM, 0,
                   1, 4096);
  });
  EXPECT_EQ(noPrefetch.faultText(), "PE 0: dma: DRAM to SRAM: this machine "
                                    "has no DRAM-to-SRAM prefetch");
}

TEST(SimulatorTest, TraceAndReportAreJSON) {
  Simulator sim(v1(), SimOptions{/*trace=*/true});
  sim.runJob(2, [&](int64_t) { sim.wait(sim.dpe(DType::I8, 32, 32, 32)); });
  std::string trace, report;
  llvm::raw_string_ostream traceStream(trace);
  sim.writeTrace(traceStream);
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(trace);
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  const llvm::json::Array *events =
      parsed->getAsObject()->getArray("traceEvents");
  ASSERT_TRUE(events);
  int complete = 0;
  for (const llvm::json::Value &e : *events)
    if (e.getAsObject()->getString("ph") == "X") {
      ++complete;
      EXPECT_EQ(e.getAsObject()->getString("name"), "dpe.matmul");
    }
  EXPECT_EQ(complete, 2);

  llvm::raw_string_ostream os(report);
  sim.writeReportJSON(os);
  llvm::Expected<llvm::json::Value> r = llvm::json::parse(report);
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  // 32x32x32 i8: one pass of 32 + 8 cycles after launch and issue.
  EXPECT_EQ(r->getAsObject()->getInteger("cycles"), 16000 + 4 + 40 + 100);
  EXPECT_EQ(r->getAsObject()->getObject("roofline")->getString("limiter"),
            "dpe");
}

} // namespace
