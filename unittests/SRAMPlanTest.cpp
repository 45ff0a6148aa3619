#include "anvil/Policy/Fusion.h"

#include <gtest/gtest.h>

using anvil::policy::IntermediateBuffer;
using anvil::policy::packByLifetime;

namespace {

IntermediateBuffer buffer(int64_t bytes, int64_t first, int64_t last) {
  return {nullptr, bytes, first, last};
}

TEST(SRAMPlanTest, BuffersLiveTogetherTakeDisjointBytes) {
  auto offsets =
      packByLifetime({buffer(100, 0, 2), buffer(300, 1, 3)}, 1 << 20, 64);
  // The larger first, at 0; the smaller after it, aligned.
  EXPECT_EQ(offsets[1], 0);
  EXPECT_EQ(offsets[0], 320);
}

TEST(SRAMPlanTest, BuffersLiveApartShareBytes) {
  auto offsets = packByLifetime(
      {buffer(256, 0, 1), buffer(256, 1, 2), buffer(256, 2, 3)}, 1 << 20, 64);
  EXPECT_EQ(offsets[0], 0);
  EXPECT_EQ(offsets[1], 256);
  EXPECT_EQ(offsets[2], 0);
}

TEST(SRAMPlanTest, ABufferTakesTheBytesOfOneThatEnded) {
  // 0 and 2 are live throughout, 1 beside them until 4; 3, live from 5,
  // takes 1's bytes.
  auto offsets = packByLifetime({buffer(512, 0, 9), buffer(256, 0, 4),
                                 buffer(512, 0, 9), buffer(128, 5, 6)},
                                1 << 20, 64);
  EXPECT_EQ(offsets[0], 0);
  EXPECT_EQ(offsets[2], 512);
  EXPECT_EQ(offsets[1], 1024);
  EXPECT_EQ(offsets[3], 1024);
}

TEST(SRAMPlanTest, WhatDoesNotFitStaysOut) {
  auto offsets = packByLifetime(
      {buffer(600, 0, 1), buffer(600, 1, 2), buffer(300, 1, 1)}, 1000, 64);
  // The first 600 fits; the second, live with it, would end past 1000;
  // the 300 fits beside the first, at the next aligned offset.
  EXPECT_EQ(offsets[0], 0);
  EXPECT_EQ(offsets[1], std::nullopt);
  EXPECT_EQ(offsets[2], 640);
}

} // namespace
