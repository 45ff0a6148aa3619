//===- OpBuilding.h - Building nn ops while importing -----------*- C++ -*-===//
//
// Both importers build nn ops the same way: infer the result type first
// (so that a malformed model is an error, not a verifier crash), then fold
// ops on constants so that later nodes see shape computations as constants.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_IMPORT_OPBUILDING_H
#define ANVIL_IMPORT_OPBUILDING_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <string>

namespace anvil {

/// The largest tensor an importer creates (2^28 elements, 1 GiB of f32):
/// beyond it a model is far more likely corrupted than real, and building
/// it would exhaust memory instead of failing.
constexpr int64_t kMaxTensorElements = int64_t(1) << 28;

/// Why a tensor of static shape `shape` cannot be built: more elements than
/// kMaxTensorElements, or than 64 bits can count, or a negative dimension;
/// empty where it can.
std::string tensorSizeProblem(llvm::ArrayRef<int64_t> shape);

/// Why `buildInferred` failed.
struct BuildError {
  std::string reason;
  /// The op is well formed but too large (tensor limit), not malformed.
  bool unsupported = false;
};

/// Creates op `opName` with inferred result types, folded when its operands
/// are constants. On failure, returns null and fills `error`.
mlir::Value buildInferred(mlir::OpBuilder &b, mlir::Location loc,
                          llvm::StringRef opName, mlir::ValueRange operands,
                          llvm::ArrayRef<mlir::NamedAttribute> attrs,
                          BuildError &error);

/// An nn.constant holding `value`.
mlir::Value buildConstant(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::ElementsAttr value);

/// A tensor attribute from its contiguous little-endian bytes (i1 as one
/// byte each). Float tensors of 64 elements or more become a resource named
/// `name` that the IR never prints inline; smaller and integer tensors stay
/// dense so that shape computations can read them. Null when `bytes` does
/// not fit `type`.
mlir::ElementsAttr elementsFromBytes(mlir::RankedTensorType type,
                                     llvm::StringRef bytes,
                                     llvm::StringRef name);

} // namespace anvil

#endif // ANVIL_IMPORT_OPBUILDING_H
