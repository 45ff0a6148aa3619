//===- ControlFlow.cpp - nn.if to scf.if ----------------------------------===//
//
// The host runs control flow itself: nn.if becomes an scf.if on the
// condition's single element, its regions moved over unchanged (their nn
// ops are converted by the same pass).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace anvil::nn;

namespace {

struct IfLowering : OpConversionPattern<IfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value condition = adaptor.getCondition();
    auto type = cast<RankedTensorType>(condition.getType());
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    SmallVector<Value> origin(type.getRank(), zero);
    Value flag = tensor::ExtractOp::create(rewriter, loc, condition, origin);
    auto ifOp = scf::IfOp::create(rewriter, loc, op.getResultTypes(), flag,
                                  /*addThenBlock=*/false,
                                  /*addElseBlock=*/false);
    rewriter.inlineRegionBefore(op.getThenRegion(), ifOp.getThenRegion(),
                                ifOp.getThenRegion().end());
    rewriter.inlineRegionBefore(op.getElseRegion(), ifOp.getElseRegion(),
                                ifOp.getElseRegion().end());
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }
};

struct YieldLowering : OpConversionPattern<YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(YieldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, adaptor.getValues());
    return success();
  }
};

} // namespace

void anvil::nn::populateControlFlowPatterns(RewritePatternSet &patterns) {
  patterns.add<IfLowering, YieldLowering>(patterns.getContext());
}
