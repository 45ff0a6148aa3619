//===- HostMachine.h - What the host pipeline knows of the CPU --*- C++ -*-===//
//
// The host's machine description: the first implementation of the seam that
// the tiling policy (later Roller) reads. No pass holds these numbers.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TARGET_HOST_HOSTMACHINE_H
#define ANVIL_TARGET_HOST_HOSTMACHINE_H

#include <cstdint>
#include <string>

namespace anvil::host {

struct HostMachine {
  std::string cpu;
  /// f32 lanes of the widest vector registers (AVX-512: 16, AVX2: 8, SSE: 4).
  int64_t vectorWidth = 4;
  /// Architectural vector registers (AVX-512: 32, else 16).
  int64_t vectorRegisters = 16;

  /// Output rows of a register block: with two vector-wide columns per row,
  /// the accumulators take at most half of the vector registers.
  int64_t rowTile() const { return vectorRegisters / 4; }
  /// Output columns of a register block.
  int64_t columnTile() const { return 2 * vectorWidth; }
  /// Reduction elements per tile (bounds the fully unrolled code per tile).
  int64_t reductionTile() const { return 16; }
};

/// Reads the CPU this process runs on (artifacts target the compiling host).
HostMachine detectHostMachine();

} // namespace anvil::host

#endif // ANVIL_TARGET_HOST_HOSTMACHINE_H
