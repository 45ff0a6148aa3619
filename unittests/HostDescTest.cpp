//===- HostDescTest.cpp - The host CPU as a machine description -----------===//

#include "anvil/Target/HostDesc.h"

#include <gtest/gtest.h>

using namespace anvil::target;

namespace {

TEST(HostDescTest, DetectedDescriptionIsValidAndRoundTrips) {
  HostDesc detected = detectHostDesc();
  EXPECT_GE(detected.cores, 1);
  EXPECT_TRUE(detected.vectorLanes == 4 || detected.vectorLanes == 8 ||
              detected.vectorLanes == 16);
  EXPECT_GT(detected.dramBytes, 0);
  for (size_t i = 1; i < detected.caches.size(); ++i)
    EXPECT_LT(detected.caches[i - 1].level, detected.caches[i].level);
  // What the compiler writes on the module reads back as the same machine.
  llvm::Expected<HostDesc> parsed = parseHostDesc(detected.json, "detected");
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->cores, detected.cores);
  EXPECT_EQ(parsed->vectorLanes, detected.vectorLanes);
  EXPECT_EQ(parsed->vectorRegisters, detected.vectorRegisters);
  ASSERT_EQ(parsed->caches.size(), detected.caches.size());
  for (size_t i = 0; i < parsed->caches.size(); ++i)
    EXPECT_EQ(parsed->caches[i].capacityBytes,
              detected.caches[i].capacityBytes);
}

TEST(HostDescTest, ProblemsNameTheirFields) {
  llvm::Expected<HostDesc> bad = parseHostDesc(
      R"({"name": "x", "kind": "cpu", "cores": 2,
          "vector": {"f32_lanes": 8, "registers": 16},
          "caches": [{"level": 2, "capacity_bytes": 1024, "line_bytes": 64},
                     {"level": 1, "capacity_bytes": 0, "line_bytes": 64,
                      "shared_by_cores": 3}],
          "dram_bytes": 0})",
      "bad.json");
  ASSERT_FALSE(static_cast<bool>(bad));
  std::string message = llvm::toString(bad.takeError());
  EXPECT_NE(message.find("caches[1].level"), std::string::npos) << message;
  EXPECT_NE(message.find("caches[1].capacity_bytes"), std::string::npos);
  EXPECT_NE(message.find("caches[1].shared_by_cores"), std::string::npos);
  EXPECT_NE(message.find("dram_bytes: must be positive"), std::string::npos);
  llvm::Expected<HostDesc> missing =
      parseHostDesc(R"({"name": "x", "kind": "cpu"})", "missing.json");
  ASSERT_FALSE(static_cast<bool>(missing));
  EXPECT_NE(llvm::toString(missing.takeError()).find("cores"),
            std::string::npos);
}

TEST(HostDescTest, TargetsNameTheHost) {
  EXPECT_TRUE(isHostTarget("host"));
  EXPECT_TRUE(isHostTarget("host:pinned.json"));
  EXPECT_FALSE(isHostTarget("mtia-v1"));
  llvm::Expected<HostDesc> none = resolveHostTarget("host:/nonexistent.json");
  ASSERT_FALSE(static_cast<bool>(none));
  EXPECT_NE(llvm::toString(none.takeError()).find("cannot read"),
            std::string::npos);
}

} // namespace
