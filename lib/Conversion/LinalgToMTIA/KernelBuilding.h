//===- KernelBuilding.h - Helpers for building mtia kernels -----*- C++ -*-===//
//
// Index arithmetic, buffers and kernels at an insertion point, shared by
// the DPE kernels and the quantization kernels of anvil-mtia-form-kernels.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_KERNELBUILDING_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_KERNELBUILDING_H

#include "anvil/Dialect/MTIA/IR/MTIAOps.h"
#include "anvil/Target/MTIA/Decisions.h"
#include "anvil/Target/TargetDesc.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace anvil::mtia {

using mlir::ArrayRef;
using mlir::Block;
using mlir::Location;
using mlir::MemRefLayoutAttrInterface;
using mlir::MemRefType;
using mlir::MLIRContext;
using mlir::OpBuilder;
using mlir::OpFoldResult;
using mlir::SmallVector;
using mlir::StringRef;
using mlir::Type;
using mlir::Value;
namespace arith = mlir::arith;
namespace memref = mlir::memref;

/// Index arithmetic at one insertion point.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinUIOp::create(b, loc, x, y); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
};

inline MemRefType bufferType(MLIRContext *ctx, ArrayRef<int64_t> shape,
                             Type element,
                             MemorySpace space = MemorySpace::Local) {
  return MemRefType::get(shape, element, MemRefLayoutAttrInterface(),
                         MemorySpaceAttr::get(ctx, space));
}

inline Value subview2D(OpBuilder &b, Location loc, Value source, Value row,
                       Value col, Value rows, Value cols) {
  SmallVector<OpFoldResult> offsets = {row, col}, sizes = {rows, cols};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  return memref::SubViewOp::create(b, loc, source, offsets, sizes, strides);
}

inline Value subview1D(OpBuilder &b, Location loc, Value source, Value offset,
                       Value size) {
  return memref::SubViewOp::create(b, loc, source, {OpFoldResult(offset)},
                                   {OpFoldResult(size)},
                                   {OpFoldResult(b.getIndexAttr(1))});
}

/// A DRAM buffer of `type`, aligned to whole DRAM transactions of
/// `machine`, so that its rows start where a transfer's would.
inline Value allocateDRAM(OpBuilder &b, Location loc, MemRefType type,
                          const anvil::target::TargetDesc &machine) {
  int64_t transaction =
      machine.level(anvil::target::MemoryLevel::DRAM).transactionBytes;
  return memref::AllocOp::create(b, loc, type,
                                 b.getI64IntegerAttr(transaction));
}

/// A new kernel of `numPEs` PEs before `anchor`, with the builder inside
/// its body; returns the PE index.
inline Value openKernel(OpBuilder &b, Location loc, StringRef name,
                        int64_t numPEs) {
  auto launch = LaunchOp::create(b, loc, b.getStringAttr(name),
                                 b.getI64IntegerAttr(numPEs));
  Block *body = b.createBlock(&launch.getBody(), {}, {b.getIndexType()}, {loc});
  b.setInsertionPointToStart(body);
  YieldOp::create(b, loc);
  b.setInsertionPointToStart(body);
  return body->getArgument(0);
}

/// The launch whose body `pe` (openKernel's result) indexes.
inline LaunchOp launchOf(Value pe) {
  return mlir::cast<LaunchOp>(pe.getParentBlock()->getParentOp());
}

/// The iterations of a vector-core kernel's parallel loops (what could run
/// side by side: a kernel on fewer PEs than that and the machine allow
/// shows). The tiling decisions' attributes are in
/// anvil/Target/MTIA/Decisions.h.
constexpr llvm::StringLiteral kParallelIterationsAttr =
    "anvil.parallel_iterations";

inline Type token(OpBuilder &b) { return TokenType::get(b.getContext()); }

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_KERNELBUILDING_H
