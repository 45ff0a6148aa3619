//===- CallEmitter.h - Calls of the PE operations ---------------*- C++ -*-===//
//
// Building the calls of anvil-c/MTIA.h's functions that the PE programs
// are lowered to (anvil-mtia-to-calls, and the device-resident loops that
// Grinder folds into one job).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_CALLEMITTER_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_CALLEMITTER_H

#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

namespace anvil::mtia {

/// Builds calls of the PE operations, declaring each on first use.
class CallEmitter {
public:
  CallEmitter(mlir::ModuleOp module, mlir::OpBuilder &b, mlir::Location loc)
      : module(module), b(b), loc(loc) {}

  mlir::Value i64(int64_t v) {
    return mlir::arith::ConstantIntOp::create(b, loc, b.getI64Type(), v);
  }
  mlir::Value i32(int64_t v) {
    return mlir::arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  mlir::Value toI64(mlir::Value index) {
    return mlir::arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }
  mlir::Value mul(mlir::Value x, mlir::Value y) {
    return mlir::arith::MulIOp::create(b, loc, x, y);
  }

  /// Calls `name` with `args`; returns its i64 result, if it has one.
  mlir::Value call(llvm::StringRef name, mlir::ValueRange args,
                   bool returnsToken) {
    llvm::SmallVector<mlir::Type> results;
    if (returnsToken)
      results.push_back(b.getI64Type());
    // A token not yet retyped (a loop's iter_arg) is declared as the i64
    // it becomes.
    auto asI64 = [&](mlir::Type t) -> mlir::Type {
      return mlir::isa<TokenType>(t) ? b.getI64Type() : t;
    };
    declare(name, llvm::map_to_vector(args.getTypes(), asI64), results);
    auto op = mlir::func::CallOp::create(b, loc, name, results, args);
    return returnsToken ? op.getResult(0) : mlir::Value();
  }

  /// The byte address of a buffer's first element, its row stride in
  /// bytes (0 for 1-D) and in elements (the leading dimension), its rows
  /// (1 for 1-D) and the bytes of a row.
  struct Layout {
    mlir::Value address, rowStride, leadingDimension, rows, rowBytes;
  };

  Layout layout(mlir::Value memref) {
    auto type = mlir::cast<mlir::MemRefType>(memref.getType());
    auto meta = mlir::memref::ExtractStridedMetadataOp::create(b, loc, memref);
    mlir::Value base =
        mlir::memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    mlir::Value bytes = i64(elementBytes(type.getElementType()));
    Layout l;
    l.address = mlir::arith::AddIOp::create(
        b, loc, toI64(base), mul(toI64(meta.getOffset()), bytes));
    int64_t rank = type.getRank();
    mlir::Value last = toI64(meta.getSizes()[rank - 1]);
    l.rowBytes = mul(last, bytes);
    l.rows = rank == 2 ? toI64(meta.getSizes()[0]) : i64(1);
    l.leadingDimension = rank == 2 ? toI64(meta.getStrides()[0]) : i64(0);
    l.rowStride = mul(l.leadingDimension, bytes);
    return l;
  }

  mlir::Value elements(mlir::Value memref) {
    return i64(mlir::cast<mlir::MemRefType>(memref.getType()).getNumElements());
  }

private:
  void declare(llvm::StringRef name, mlir::TypeRange args,
               mlir::TypeRange results) {
    if (module.lookupSymbol(name))
      return;
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto decl = mlir::func::FuncOp::create(b, loc, name,
                                           b.getFunctionType(args, results));
    decl.setPrivate();
  }

  mlir::ModuleOp module;
  mlir::OpBuilder &b;
  mlir::Location loc;
};

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_CALLEMITTER_H
