//===- ControlFlow.cpp - nn.if and nn.loop to scf -------------------------===//
//
// The host runs control flow itself: nn.if becomes an scf.if on the
// condition's single element, its regions moved over unchanged (their nn
// ops are converted by the same pass). nn.loop becomes an scf.for when no
// condition can end it early, else an scf.while; the iteration number and
// the condition reach the body as one-element tensors, and each scan value
// is inserted as row i of a zero-filled result carried through the loop.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace anvil::nn;

namespace {

/// The single element of a one-element tensor.
Value elementOf(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<Value> origin(type.getRank(), zero);
  return tensor::ExtractOp::create(b, loc, tensor, origin);
}

struct IfLowering : OpConversionPattern<IfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value flag = elementOf(rewriter, loc, adaptor.getCondition());
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

/// What one iteration of a lowered nn.loop starts from and ends with.
struct LoopState {
  Value iteration; // i64
  Value condition; // i1
  SmallVector<Value> carried, scans;
  SmallVector<Value> flat() const {
    SmallVector<Value> all = {iteration, condition};
    llvm::append_range(all, carried);
    llvm::append_range(all, scans);
    return all;
  }
  static LoopState unflatten(ValueRange all, size_t carried) {
    LoopState s{all[0], all[1], {}, {}};
    s.carried.assign(all.begin() + 2, all.begin() + 2 + carried);
    s.scans.assign(all.begin() + 2 + carried, all.end());
    return s;
  }
};

struct LoopLowering : OpConversionPattern<LoopOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LoopOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    LoopState start;
    start.iteration = arith::ConstantIntOp::create(rewriter, loc, i64, 0);
    start.condition = elementOf(rewriter, loc, adaptor.getCondition());
    start.carried = llvm::to_vector(adaptor.getInits());
    for (Type type :
         TypeRange(op.getResultTypes()).drop_front(start.carried.size())) {
      auto tensor = cast<RankedTensorType>(type);
      start.scans.push_back(
          filledTensor(rewriter, loc, tensor,
                       rewriter.getZeroAttr(tensor.getElementType())));
    }
    Value limit = iterationLimit(rewriter, op, adaptor);
    SmallVector<Value> results;
    if (op.isCounted()) {
      // The condition cannot change: it decides whether any iteration runs.
      Value none = arith::ConstantIntOp::create(rewriter, loc, i64, 0);
      limit =
          arith::SelectOp::create(rewriter, loc, start.condition, limit, none);
      results = lowerAsFor(rewriter, op, start, limit);
    } else {
      results = lowerAsWhile(rewriter, op, start, limit);
    }
    rewriter.replaceOp(op, results);
    return success();
  }

private:
  /// The most iterations (i64): the trip count, or the scan rows where
  /// they are fewer.
  static Value iterationLimit(OpBuilder &b, LoopOp op, OpAdaptor adaptor) {
    Location loc = op.getLoc();
    Value limit = elementOf(b, loc, adaptor.getTripCount());
    if (std::optional<int64_t> rows = op.getScanRows())
      limit = arith::MinSIOp::create(
          b, loc, limit,
          arith::ConstantIntOp::create(b, loc, b.getI64Type(), *rows));
    return limit;
  }

  /// Moves the nn body into `block` (whose arguments are `state`'s scalars
  /// and tensors) and returns the next state, built before its terminator,
  /// which it erases.
  static LoopState inlineBody(ConversionPatternRewriter &rewriter, LoopOp op,
                              Block *block, const LoopState &state) {
    Location loc = op.getLoc();
    rewriter.setInsertionPointToEnd(block);
    Block &nnBody = op.getBody().front();
    SmallVector<Value> arguments = {
        tensor::FromElementsOp::create(
            rewriter, loc, nnBody.getArgument(0).getType(), state.iteration),
        tensor::FromElementsOp::create(
            rewriter, loc, nnBody.getArgument(1).getType(), state.condition)};
    llvm::append_range(arguments, state.carried);
    YieldOp yield = op.getYield();
    rewriter.mergeBlocks(&nnBody, block, arguments);
    rewriter.setInsertionPoint(yield);
    ValueRange yielded = yield.getValues();
    size_t carried = state.carried.size();
    LoopState next;
    Value one = arith::ConstantIntOp::create(rewriter, loc,
                                             state.iteration.getType(), 1);
    next.iteration = arith::AddIOp::create(rewriter, loc, state.iteration, one);
    next.condition = elementOf(rewriter, loc, yielded[0]);
    next.carried.assign(yielded.begin() + 1, yielded.begin() + 1 + carried);
    Value row = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getIndexType(), state.iteration);
    for (auto [value, scan] :
         llvm::zip(yielded.drop_front(1 + carried), state.scans))
      next.scans.push_back(insertRow(rewriter, loc, value, scan, row));
    rewriter.eraseOp(yield);
    return next;
  }

  /// `scan` with row `row` replaced by `value` (a rank-reducing insert).
  static Value insertRow(OpBuilder &b, Location loc, Value value, Value scan,
                         Value row) {
    auto type = cast<RankedTensorType>(scan.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
    offsets[0] = row;
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1)};
    for (int64_t d : type.getShape().drop_front())
      sizes.push_back(b.getIndexAttr(d));
    SmallVector<OpFoldResult> strides(type.getRank(), b.getIndexAttr(1));
    return tensor::InsertSliceOp::create(b, loc, value, scan, offsets, sizes,
                                         strides);
  }

  static SmallVector<Value> lowerAsWhile(ConversionPatternRewriter &rewriter,
                                         LoopOp op, const LoopState &start,
                                         Value limit) {
    Location loc = op.getLoc();
    SmallVector<Value> initial = start.flat();
    TypeRange types = ValueRange(initial).getTypes();
    auto loop = scf::WhileOp::create(rewriter, loc, types, initial);
    SmallVector<Location> locs(types.size(), loc);
    Block *before = rewriter.createBlock(&loop.getBefore(), {}, types, locs);
    LoopState now =
        LoopState::unflatten(before->getArguments(), start.carried.size());
    Value go = arith::AndIOp::create(
        rewriter, loc, now.condition,
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt,
                              now.iteration, limit));
    scf::ConditionOp::create(rewriter, loc, go, before->getArguments());
    Block *after = rewriter.createBlock(&loop.getAfter(), {}, types, locs);
    LoopState next = inlineBody(
        rewriter, op, after,
        LoopState::unflatten(after->getArguments(), start.carried.size()));
    scf::YieldOp::create(rewriter, loc, next.flat());
    rewriter.setInsertionPointAfter(loop);
    return resultsOf(loop.getResults(), start.carried.size());
  }

  static SmallVector<Value> lowerAsFor(ConversionPatternRewriter &rewriter,
                                       LoopOp op, const LoopState &start,
                                       Value limit) {
    Location loc = op.getLoc();
    Type index = rewriter.getIndexType();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    // A negative trip count runs no iteration, as the loop's bound says.
    Value upper = arith::IndexCastOp::create(
        rewriter, loc, index,
        arith::MaxSIOp::create(
            rewriter, loc, limit,
            arith::ConstantIntOp::create(rewriter, loc, limit.getType(), 0)));
    SmallVector<Value> iterArgs = start.carried;
    llvm::append_range(iterArgs, start.scans);
    auto loop = scf::ForOp::create(rewriter, loc, zero, upper, one, iterArgs);
    Block *body = loop.getBody();
    // The builder adds a terminator only to a loop without iter_args.
    if (!body->empty())
      rewriter.eraseOp(&body->back());
    rewriter.setInsertionPointToStart(body);
    LoopState now;
    now.iteration = arith::IndexCastOp::create(
        rewriter, loc, start.iteration.getType(), loop.getInductionVar());
    now.condition = start.condition;
    size_t carried = start.carried.size();
    now.carried.assign(body->args_begin() + 1,
                       body->args_begin() + 1 + carried);
    now.scans.assign(body->args_begin() + 1 + carried, body->args_end());
    LoopState next = inlineBody(rewriter, op, body, now);
    SmallVector<Value> yielded = next.carried;
    llvm::append_range(yielded, next.scans);
    scf::YieldOp::create(rewriter, loc, yielded);
    rewriter.setInsertionPointAfter(loop);
    SmallVector<Value> results = loop.getResults();
    return results;
  }

  /// The nn.loop's results from the lowered loop's flat results.
  static SmallVector<Value> resultsOf(ValueRange flat, size_t carried) {
    LoopState last = LoopState::unflatten(flat, carried);
    SmallVector<Value> results = last.carried;
    llvm::append_range(results, last.scans);
    return results;
  }
};

struct YieldLowering : OpConversionPattern<YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(YieldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> values = adaptor.getValues();
    // A branch that passes on a tensor from outside it yields a copy: then
    // each branch's result is a buffer of its own, which the branch writes
    // (so that an accelerator can run both branches' kernels, predicated,
    // without the host choosing between buffers).
    Operation *branch = op->getParentOp();
    if (isa<scf::IfOp>(branch))
      for (Value &value : values)
        if (auto type = dyn_cast<RankedTensorType>(value.getType());
            type && type.hasStaticShape() &&
            !branch->isAncestor(value.getParentRegion()->getParentOp()))
          value =
              linalg::CopyOp::create(rewriter, op.getLoc(), value,
                                     tensor::EmptyOp::create(
                                         rewriter, op.getLoc(), type.getShape(),
                                         type.getElementType())
                                         .getResult())
                  .getResult(0);
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, values);
    return success();
  }
};

} // namespace

void anvil::nn::populateControlFlowPatterns(RewritePatternSet &patterns) {
  patterns.add<IfLowering, LoopLowering, YieldLowering>(patterns.getContext());
}
