//===- Half.h - IEEE half and bfloat16 conversions ---------------*- C++
//-*-===//
//
// The SE's conversions between f32 and the DPE's 16-bit inputs, rounding to
// nearest with ties to even. Written with bit operations and f32 arithmetic
// because the host compiler need not have _Float16, and the simulator's
// results must not depend on it.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_SIM_HALF_H
#define ANVIL_SIM_HALF_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace anvil::sim {

inline uint32_t floatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

inline float bitsFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// f32 -> IEEE binary16. Scaling by 2^112 then 2^-110 rounds the value at
/// half's precision in f32 hardware (including subnormals and overflow to
/// infinity); the bits are then read off.
inline uint16_t floatToHalf(float f) {
  float base = (std::fabs(f) * 0x1.0p+112f) * 0x1.0p-110f;
  uint32_t w = floatBits(f);
  uint32_t shl1 = w + w;
  uint32_t sign = w & 0x80000000u;
  uint32_t bias = shl1 & 0xFF000000u;
  if (bias < 0x71000000u)
    bias = 0x71000000u;
  base = bitsFloat((bias >> 1) + 0x07800000u) + base;
  uint32_t bits = floatBits(base);
  uint32_t exponent = (bits >> 13) & 0x00007C00u;
  uint32_t mantissa = bits & 0x00000FFFu;
  uint32_t nonsign = exponent + mantissa;
  return static_cast<uint16_t>((sign >> 16) |
                               (shl1 > 0xFF000000u ? 0x7E00u : nonsign));
}

/// IEEE binary16 -> f32 (exact).
inline float halfToFloat(uint16_t h) {
  uint32_t w = static_cast<uint32_t>(h) << 16;
  uint32_t sign = w & 0x80000000u;
  uint32_t two = w + w;
  float normalized = bitsFloat((two >> 4) + (0xE0u << 23)) * 0x1.0p-112f;
  float denormalized = bitsFloat((two >> 17) | (126u << 23)) - 0.5f;
  uint32_t result = sign | (two < (1u << 27) ? floatBits(denormalized)
                                             : floatBits(normalized));
  return bitsFloat(result);
}

/// f32 -> bfloat16 (the top 16 bits, rounded to nearest even).
inline uint16_t floatToBF16(float f) {
  uint32_t bits = floatBits(f);
  if (std::isnan(f))
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

inline float bf16ToFloat(uint16_t b) {
  return bitsFloat(static_cast<uint32_t>(b) << 16);
}

} // namespace anvil::sim

#endif // ANVIL_SIM_HALF_H
