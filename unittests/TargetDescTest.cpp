//===- TargetDescTest.cpp - Machine descriptions and the cost model -------===//
//
// The checked-in descriptions against the published figures, the errors a
// malformed description gets, and the timing formulas on cases worked out
// by hand (docs/Targets.md gives the formulas).
//
//===----------------------------------------------------------------------===//

#include "anvil/Target/TargetDesc.h"
#include "anvil/Target/CostModel.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

using namespace anvil::target;

namespace {

TargetDesc load(llvm::StringRef name) {
  llvm::Expected<TargetDesc> desc = loadTargetDesc(
      std::string(ANVIL_TEST_TARGETS_DIR "/") + name.str() + ".json");
  if (!desc) {
    ADD_FAILURE() << llvm::toString(desc.takeError());
    return {};
  }
  return *desc;
}

/// The v1 description as text, for tests that break one field of it.
std::string v1Text() {
  auto buffer =
      llvm::MemoryBuffer::getFile(ANVIL_TEST_TARGETS_DIR "/mtia-v1.json");
  EXPECT_TRUE(static_cast<bool>(buffer));
  return buffer ? (*buffer)->getBuffer().str() : "";
}

/// Parses v1 with `edit` applied to its JSON, returning the error text
/// ("" if it parsed).
std::string
errorAfterEdit(llvm::function_ref<void(llvm::json::Object &)> edit) {
  llvm::Expected<llvm::json::Value> value = llvm::json::parse(v1Text());
  EXPECT_TRUE(static_cast<bool>(value));
  edit(*value->getAsObject());
  std::string text;
  llvm::raw_string_ostream(text) << *value;
  llvm::Expected<TargetDesc> desc = parseTargetDesc(text, "edited.json");
  if (desc)
    return "";
  return llvm::toString(desc.takeError());
}

TEST(TargetDescTest, PublishedPeaks) {
  TargetDesc v1 = load("mtia-v1");
  EXPECT_EQ(v1.numPEs(), 64);
  EXPECT_EQ(v1.dpeMacsPerCycle(DType::F16), 512);
  EXPECT_EQ(v1.dpeMacsPerCycle(DType::I8), 1024);
  EXPECT_EQ(v1.dpeMacsPerCycle(DType::BF16), 0);
  // Published: 51.2 TFLOPS FP16 and 102.4 TOPS INT8; the native tile gives
  // 512 and 1024 MACs per cycle, within 3% of them.
  EXPECT_NEAR(v1.dpePeakOpsPerSecond(DType::F16) / 51.2e12, 1.0, 0.03);
  EXPECT_NEAR(v1.dpePeakOpsPerSecond(DType::I8) / 102.4e12, 1.0, 0.03);
  EXPECT_DOUBLE_EQ(v1.bytesPerCycle(MemoryLevel::DRAM), 220.0);
  EXPECT_DOUBLE_EQ(v1.bytesPerCycle(MemoryLevel::SRAM), 1000.0);

  TargetDesc v2 = load("mtia-2i");
  // Published: 177 TFLOPS FP16/BF16 and 354 TOPS INT8 from two arrays.
  EXPECT_NEAR(v2.dpePeakOpsPerSecond(DType::F16) / 177e12, 1.0, 0.01);
  EXPECT_NEAR(v2.dpePeakOpsPerSecond(DType::BF16) / 177e12, 1.0, 0.01);
  EXPECT_NEAR(v2.dpePeakOpsPerSecond(DType::I8) / 354e12, 1.0, 0.01);
  EXPECT_EQ(v2.dpeAccumulator(DType::I8), DType::I32);
  EXPECT_TRUE(v2.dma.broadcast);
  EXPECT_FALSE(v1.dma.broadcast);
}

TEST(TargetDescTest, ResolvesNamesAndPaths) {
  llvm::Expected<TargetDesc> byName = resolveTarget("mtia-2i");
  ASSERT_TRUE(static_cast<bool>(byName)) << llvm::toString(byName.takeError());
  EXPECT_EQ(byName->name, "mtia-2i");
  llvm::Expected<TargetDesc> unknown = resolveTarget("mtia-v9");
  ASSERT_FALSE(static_cast<bool>(unknown));
  std::string message = llvm::toString(unknown.takeError());
  EXPECT_NE(message.find("unknown target 'mtia-v9'"), std::string::npos);
  EXPECT_NE(message.find("mtia-v1"), std::string::npos) << message;
  llvm::Expected<TargetDesc> missing = resolveTarget("no/such/file.json");
  ASSERT_FALSE(static_cast<bool>(missing));
  EXPECT_NE(llvm::toString(missing.takeError()).find("no/such/file.json"),
            std::string::npos);
}

TEST(TargetDescTest, MalformedFilesNameTheField) {
  llvm::Expected<TargetDesc> notJson = parseTargetDesc("{", "broken.json");
  ASSERT_FALSE(static_cast<bool>(notJson));
  EXPECT_NE(
      llvm::toString(notJson.takeError()).find("broken.json: not valid JSON"),
      std::string::npos);

  std::string missing = errorAfterEdit([](llvm::json::Object &o) {
    o.getObject("memory")->getObject("sram")->erase("bandwidth_gb_per_s");
  });
  EXPECT_NE(missing.find(
                "missing value at edited.json.memory.sram.bandwidth_gb_per_s"),
            std::string::npos)
      << missing;

  std::string wrongType =
      errorAfterEdit([](llvm::json::Object &o) { o["clock_mhz"] = "fast"; });
  EXPECT_NE(wrongType.find("expected number at edited.json.clock_mhz"),
            std::string::npos)
      << wrongType;

  std::string unknownField = errorAfterEdit(
      [](llvm::json::Object &o) { (*o.getObject("dpe"))["tile_colums"] = 32; });
  EXPECT_NE(unknownField.find("dpe.tile_colums: unknown field"),
            std::string::npos)
      << unknownField;

  std::string badType = errorAfterEdit([](llvm::json::Object &o) {
    (*o.getObject("se")->getObject("ops_per_cycle"))["fp8"] = 64;
  });
  EXPECT_NE(badType.find("se.ops_per_cycle.fp8: unknown type"),
            std::string::npos)
      << badType;

  // Types a unit does not list run at its f32 rate, so f32 must be there.
  std::string noF32 = errorAfterEdit([](llvm::json::Object &o) {
    o.getObject("se")->getObject("ops_per_cycle")->erase("f32");
  });
  EXPECT_NE(noF32.find("se.ops_per_cycle: must list f32"), std::string::npos)
      << noF32;

  std::string negative = errorAfterEdit(
      [](llvm::json::Object &o) { (*o.getObject("pe_grid"))["rows"] = 0; });
  EXPECT_NE(negative.find("pe_grid.rows: must be positive"), std::string::npos)
      << negative;
}

TEST(TargetDescTest, InconsistentFilesAreRejected) {
  // 64 PEs of 4 MB local memory do not fit in a 128 MB SRAM.
  std::string tooBig = errorAfterEdit([](llvm::json::Object &o) {
    (*o.getObject("memory")->getObject("local"))["capacity_bytes"] = 4 << 20;
  });
  EXPECT_NE(tooBig.find("memory.local.capacity_bytes: all PEs' local memories"),
            std::string::npos)
      << tooBig;

  std::string narrowAccumulator = errorAfterEdit([](llvm::json::Object &o) {
    llvm::json::Array &types = *o.getObject("dpe")->getArray("types");
    types[1] = llvm::json::Object{{"input", "f16"}, {"accumulator", "i8"}};
  });
  EXPECT_NE(narrowAccumulator.find("dpe.types[1]: the accumulator (i8) must be "
                                   "wider than the input (f16)"),
            std::string::npos)
      << narrowAccumulator;

  // Every problem is reported, not only the first.
  std::string two = errorAfterEdit([](llvm::json::Object &o) {
    o["clock_mhz"] = -1;
    (*o.getObject("dma"))["bytes_per_cycle"] = 0;
  });
  EXPECT_NE(two.find("clock_mhz: must be positive"), std::string::npos) << two;
  EXPECT_NE(two.find("dma.bytes_per_cycle: must be positive"),
            std::string::npos)
      << two;
}

TEST(TargetDescTest, FiguresPastTheCeilingsAreRefusedBeforeTheyOverflow) {
  // A 2^31 x 2^31 grid times 128 KiB of local memory overflows 64 bits;
  // the grid is refused by its own ceiling, not by a wrapped product.
  std::string grid = errorAfterEdit([](llvm::json::Object &o) {
    (*o.getObject("pe_grid"))["rows"] = int64_t(1) << 31;
    (*o.getObject("pe_grid"))["cols"] = int64_t(1) << 31;
  });
  EXPECT_NE(grid.find("pe_grid.rows: is larger than Anvil models (at most "
                      "1024, got 2147483648)"),
            std::string::npos)
      << grid;
  EXPECT_EQ(grid.find("all PEs' local memories"), std::string::npos) << grid;

  std::string sram = errorAfterEdit([](llvm::json::Object &o) {
    (*o.getObject("memory")->getObject("sram"))["capacity_bytes"] =
        int64_t(1) << 40;
  });
  EXPECT_NE(sram.find("memory.sram.capacity_bytes: is larger than Anvil "
                      "models"),
            std::string::npos)
      << sram;

  std::string tile = errorAfterEdit([](llvm::json::Object &o) {
    (*o.getObject("dpe"))["tile_rows"] = int64_t(1) << 40;
    (*o.getObject("dpe"))["tile_row_bytes"] = int64_t(1) << 40;
  });
  EXPECT_NE(tile.find("dpe.tile_rows: is larger than Anvil models"),
            std::string::npos)
      << tile;

  std::string clock = errorAfterEdit(
      [](llvm::json::Object &o) { o["clock_mhz"] = 1e300; });
  EXPECT_NE(clock.find("clock_mhz: is larger than Anvil models"),
            std::string::npos)
      << clock;
}

TEST(CostModelTest, DMA) {
  TargetDesc v1 = load("mtia-v1");
  // Rows are rounded up to 64-byte transactions: 3 rows of 100 bytes move
  // 3 * 128 bytes.
  EXPECT_EQ(dmaBytesMoved(v1, MemoryLevel::DRAM, 3, 100), 384);
  // Alone, a PE's DMA runs at its own 64 B/cycle (DRAM gives 220):
  // 400 latency + 4096 / 64.
  EXPECT_EQ(dmaCycles(v1, MemoryLevel::DRAM, 4096, 1), 464);
  // Shared by 64 PEs, DRAM gives each 220 / 64 = 3.4375 B/cycle:
  // 400 + ceil(4096 / 3.4375) = 400 + 1192.
  EXPECT_DOUBLE_EQ(dmaBytesPerCycle(v1, MemoryLevel::DRAM, 64), 3.4375);
  EXPECT_EQ(dmaCycles(v1, MemoryLevel::DRAM, 4096, 64), 1592);
  // SRAM (1000 B/cycle) shared by 8: 125 B/cycle, capped at the DMA's 64.
  EXPECT_EQ(dmaCycles(v1, MemoryLevel::SRAM, 6400, 8), 60 + 100);
}

TEST(CostModelTest, DPE) {
  TargetDesc v1 = load("mtia-v1"), v2 = load("mtia-2i");
  // 64x64 f16 by 64x100: 2 row tiles * (64 * 2 bytes / 32) = 8 passes of
  // 100 streamed columns plus 8 reload cycles each.
  EXPECT_EQ(dpeTilePasses(v1, DType::F16, 64, 64), 8);
  EXPECT_EQ(dpeCycles(v1, DType::F16, 64, 64, 100), 8 * 108);
  // Two arrays take two passes at a time.
  EXPECT_EQ(dpeCycles(v2, DType::F16, 64, 64, 100), 4 * 108);
  // A partial tile costs a whole one: 33 rows are two row tiles.
  EXPECT_EQ(dpeCycles(v1, DType::I8, 33, 32, 1), 2 * 9);
}

TEST(CostModelTest, SIMD) {
  TargetDesc v1 = load("mtia-v1");
  EXPECT_EQ(seCycles(v1, DType::F32, 1000), 63);
  EXPECT_EQ(seCycles(v1, DType::F16, 1000), 32);
  EXPECT_EQ(seCycles(v1, DType::F32, 1000, 2), 125);
  // bf16 is not an SE type of v1: it runs at the f32 rate.
  EXPECT_EQ(seCycles(v1, DType::BF16, 1000), 63);
  EXPECT_EQ(vectorCycles(v1, DType::I8, 1000), 16);
}

TEST(CostModelTest, VectorTasksInWaves) {
  TargetDesc v1 = load("mtia-v1");
  // 1600 f32 operations (100 cycles), then 4096 bytes of DRAM among 64
  // transferring PEs: 400 latency + 1192.
  EXPECT_EQ(vectorTaskCycles(v1, DType::F32, 1600, MemoryLevel::DRAM, 4096,
                             64),
            100 + 1592);
  // Local memory streams at 400 GB/s (500 B/cycle), without latency.
  EXPECT_EQ(vectorTaskCycles(v1, DType::F32, 0, MemoryLevel::Local, 5000, 1),
            10);
  // 100 tasks over 64 PEs run in two waves ...
  EXPECT_EQ(taskWavesCycles(v1, 100, 64, 1000, MemoryLevel::DRAM, 0), 2000);
  // ... and no faster than their bytes stream at DRAM's 220 B/cycle.
  EXPECT_EQ(taskWavesCycles(v1, 100, 64, 1000, MemoryLevel::DRAM, 1100000),
            5000);
}

TEST(CostModelTest, Roofline) {
  TargetDesc v1 = load("mtia-v1");
  Work gemm;
  // 2048^3 f16 GEMM: 2^33 MACs at 512 * 64 per cycle = 262144 cycles;
  // its compulsory DRAM traffic (A, B in f16, C in f32: 24 MiB) takes
  // 25165824 / 220 = 114390 cycles, so the DPE bounds it.
  gemm.dpeMacs[static_cast<int>(DType::F16)] = 8589934592.0;
  gemm.dramBytes = 25165824;
  Roofline r = roofline(v1, gemm);
  EXPECT_DOUBLE_EQ(r.dpeCycles, 262144);
  EXPECT_NEAR(r.dramCycles, 114390.1, 0.1);
  EXPECT_STREQ(r.limiter(), "dpe");

  Work add;
  // Adding two 16M-element f32 tensors: 192 MiB of DRAM traffic.
  add.seOps[static_cast<int>(DType::F32)] = 16777216;
  add.dramBytes = 3.0 * 64 * 1048576;
  Roofline a = roofline(v1, add);
  EXPECT_DOUBLE_EQ(a.seCycles, 16384);
  EXPECT_STREQ(a.limiter(), "dram");
}

} // namespace
