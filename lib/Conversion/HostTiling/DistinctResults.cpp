//===- DistinctResults.cpp - One buffer per returned value ----------------===//
//
// Upstream's buffer-results-to-out-params replaces the allocation of each
// returned buffer with the caller's out-parameter; a buffer returned twice
// would be replaced twice. Copies make every returned buffer distinct first.
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace anvil {
#define GEN_PASS_DEF_DISTINCTRESULTS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

namespace {

struct DistinctResultsPass
    : anvil::impl::DistinctResultsBase<DistinctResultsPass> {
  void runOnOperation() override {
    getOperation().walk([&](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 8> seen;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<MemRefType>(v.getType());
        if (!type || seen.insert(v).second)
          continue;
        if (!type.hasStaticShape()) {
          ret.emitOpError("returns a dynamically shaped buffer twice");
          return signalPassFailure();
        }
        auto copy = memref::AllocOp::create(b, ret.getLoc(), type);
        memref::CopyOp::create(b, ret.getLoc(), v, copy);
        operand.set(copy);
      }
    });
  }
};

} // namespace
