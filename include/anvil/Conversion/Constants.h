//===- Constants.h - The elements of constant tensors -----------*- C++ -*-===//
//
// What lowerings read and rewrite of a constant's elements (a dense or
// resource attribute): its bytes where they are at hand, and its values
// rounded to a narrower float type.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CONVERSION_CONSTANTS_H
#define ANVIL_CONVERSION_CONSTANTS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>

namespace anvil {

/// The bytes of a constant's elements in row-major order, when they are
/// whole bytes each and at hand (not a splat, not an elided resource).
std::optional<llvm::ArrayRef<char>> rawElements(mlir::ElementsAttr attr);

/// `attr`'s f32 elements rounded to `type` (f16 or bf16), to nearest even,
/// as a dense attribute (a splat stays a splat) or, for a resource, a new
/// resource named after it; null where its elements are not at hand or not
/// f32.
mlir::ElementsAttr roundedElements(mlir::ElementsAttr attr,
                                   mlir::FloatType type);

/// As roundedElements, in a new order: a `shape` whose element i (in
/// row-major order) is `attr`'s element sourceOf(i); a resource's copy is
/// named after it with `suffix`. Elements already of `type` are copied.
mlir::ElementsAttr
roundedElements(mlir::ElementsAttr attr, mlir::FloatType type,
                llvm::ArrayRef<int64_t> shape,
                llvm::function_ref<int64_t(int64_t)> sourceOf,
                llvm::StringRef suffix);

/// f32 elements of `shape` computed from all of `attr`'s f32 elements by
/// `transform` (source elements in row-major order, result elements), as a
/// dense attribute or, for a resource, a new resource named after it with
/// `suffix`; null where the elements are not at hand or not f32.
mlir::ElementsAttr
transformedF32Elements(mlir::ElementsAttr attr, llvm::ArrayRef<int64_t> shape,
                       llvm::function_ref<void(llvm::ArrayRef<float>,
                                               llvm::MutableArrayRef<float>)>
                           transform,
                       llvm::StringRef suffix);

} // namespace anvil

#endif // ANVIL_CONVERSION_CONSTANTS_H
