//===- Sizes.h - Sizes computed from a user's input, checked ----*- C++ -*-===//
//
// Shapes, offsets and lengths come from files a user gives (models, tensors,
// machine descriptions, artifacts' metadata); a product or sum of them can
// overflow 64 bits and wrap to a size that passes every later check. Every
// size computed from such input goes through these, which say when it
// cannot be represented.
//
// Header-only; depends on LLVMSupport's headers.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_SUPPORT_SIZES_H
#define ANVIL_SUPPORT_SIZES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <cstdint>
#include <optional>

namespace anvil {

/// The elements of a tensor of shape `dims`, or nullopt where a dimension
/// is negative or the count overflows int64_t.
inline std::optional<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> dims) {
  if (llvm::any_of(dims, [](int64_t d) { return d < 0; }))
    return std::nullopt;
  if (llvm::is_contained(dims, 0))
    return 0;
  int64_t count = 1;
  for (int64_t d : dims) {
    std::optional<int64_t> next = llvm::checkedMul(count, d);
    if (!next)
      return std::nullopt;
    count = *next;
  }
  return count;
}

/// The bytes of a tensor of shape `dims` with `elementBytes` per element,
/// or nullopt as checkedElementCount, or where the bytes overflow.
inline std::optional<int64_t> checkedByteCount(llvm::ArrayRef<int64_t> dims,
                                               int64_t elementBytes) {
  std::optional<int64_t> elements = checkedElementCount(dims);
  if (!elements || elementBytes < 0)
    return std::nullopt;
  return llvm::checkedMul(*elements, elementBytes);
}

/// `offset + length`, the end of a range, or nullopt where either is
/// negative or the end overflows.
inline std::optional<int64_t> checkedRangeEnd(int64_t offset, int64_t length) {
  if (offset < 0 || length < 0)
    return std::nullopt;
  return llvm::checkedAdd(offset, length);
}

} // namespace anvil

#endif // ANVIL_SUPPORT_SIZES_H
