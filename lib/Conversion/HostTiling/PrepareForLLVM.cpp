//===- PrepareForLLVM.cpp - Lower vector ops and copies for LLVM ----------===//
#include "anvil/Conversion/HostDescription.h"

#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace anvil {
#define GEN_PASS_DEF_HOSTPREPAREFORLLVM
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

namespace {
/// memref.copy -> linalg.copy (later loops, or a memcpy for contiguous
/// buffers after LLVM's idiom recognition).
struct CopyToLinalg : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                op.getTarget());
    return success();
  }
};

/// Keeps the shortest prefix of `op`'s dimensions with at least
/// `parallelIterations` iterations (never the innermost of several)
/// parallel and turns the rest into scf.for loops inside it, so that LLVM
/// can vectorize the innermost.
void sequentializeInnerDims(IRRewriter &rewriter, scf::ParallelOp op,
                            int64_t parallelIterations) {
  size_t rank = op.getNumLoops(), keep = 0;
  int64_t iterations = 1;
  while (keep + 1 < rank && iterations < parallelIterations) {
    auto lb = getConstantIntValue(op.getLowerBound()[keep]);
    auto ub = getConstantIntValue(op.getUpperBound()[keep]);
    auto step = getConstantIntValue(op.getStep()[keep]);
    if (!lb || !ub || !step)
      break;
    iterations *= (*ub - *lb + *step - 1) / *step;
    ++keep;
  }
  if (rank <= 1 || keep == rank || !op.getInitVals().empty())
    return;
  keep = std::max<size_t>(keep, 1);
  rewriter.setInsertionPoint(op);
  auto outer = scf::ParallelOp::create(
      rewriter, op.getLoc(), op.getLowerBound().take_front(keep),
      op.getUpperBound().take_front(keep), op.getStep().take_front(keep));
  rewriter.setInsertionPointToStart(outer.getBody());
  IRMapping mapping;
  for (size_t i = 0; i < keep; ++i)
    mapping.map(op.getInductionVars()[i], outer.getInductionVars()[i]);
  for (size_t i = keep; i < rank; ++i) {
    auto loop = scf::ForOp::create(rewriter, op.getLoc(), op.getLowerBound()[i],
                                   op.getUpperBound()[i], op.getStep()[i]);
    mapping.map(op.getInductionVars()[i], loop.getInductionVar());
    rewriter.setInsertionPointToStart(loop.getBody());
  }
  for (Operation &inner : op.getBody()->without_terminator())
    rewriter.clone(inner, mapping);
  rewriter.eraseOp(op);
}

/// The bytes of the buffers `op` reads and writes, or none where one has
/// a dynamic shape.
std::optional<int64_t> bufferBytes(linalg::LinalgOp op) {
  int64_t bytes = 0;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type)
      continue;
    if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
      return std::nullopt;
    bytes += type.getNumElements() *
             llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  }
  return bytes;
}

/// How the host's threads share loop nests: the parallel iterations of
/// each, and the bytes below which one runs on the calling thread.
struct Sharing {
  int64_t iterations = 0;
  int64_t minBytes = 0;
};

/// Linalg ops at the top of the function become scf.parallel nests (the
/// host's threads share their outer loops), unless their buffers take
/// fewer than `sharing.minBytes`; ops already inside a parallel tile loop
/// become sequential loops, so parallel regions never nest.
LogicalResult lowerLinalgToLoops(func::FuncOp func, Sharing sharing) {
  SmallVector<linalg::LinalgOp> ops;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureBufferSemantics())
      ops.push_back(op);
  });
  IRRewriter rewriter(func.getContext());
  for (linalg::LinalgOp op : ops) {
    rewriter.setInsertionPoint(op);
    bool nested = op->getParentOfType<scf::ParallelOp>() ||
                  op->getParentOfType<scf::ForallOp>();
    std::optional<int64_t> bytes = bufferBytes(op);
    bool alone = nested || (bytes && *bytes < sharing.minBytes);
    auto loops = alone ? linalg::linalgOpToLoops(rewriter, op)
                       : linalg::linalgOpToParallelLoops(rewriter, op);
    if (failed(loops))
      return op.emitOpError("cannot be lowered to loops");
    rewriter.eraseOp(op);
    if (!alone && !loops->empty())
      if (auto parallel = dyn_cast<scf::ParallelOp>(loops->front()))
        sequentializeInnerDims(rewriter, parallel, sharing.iterations);
  }
  return success();
}

/// The bare-pointer calling convention cannot express a memref with a zero
/// dimension (it has no strides), so FuncToLLVM would leave the entry point
/// unconverted. Such an argument is passed as a plain pointer instead, and a
/// zero-element stack buffer replaces it inside: nothing is ever read from
/// or written to either.
void retypeEmptyEntryArguments(func::FuncOp func) {
  if (!func.isPublic() || func.isExternal())
    return;
  Block &entry = func.getBody().front();
  OpBuilder builder = OpBuilder::atBlockBegin(&entry);
  auto pointer = LLVM::LLVMPointerType::get(func.getContext());
  bool changed = false;
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() != 0)
      continue;
    auto standIn = memref::AllocaOp::create(builder, arg.getLoc(), type);
    arg.replaceAllUsesWith(standIn);
    arg.setType(pointer);
    changed = true;
  }
  if (changed)
    func.setFunctionType(FunctionType::get(
        func.getContext(), entry.getArgumentTypes(), func.getResultTypes()));
}

struct HostPrepareForLLVMPass
    : anvil::impl::HostPrepareForLLVMBase<HostPrepareForLLVMPass> {
  using Base::Base;

  /// How threads share loop nests: the option's parallel iterations (every
  /// nest shared), or the tiling policy's for the module's host
  /// description.
  FailureOr<Sharing> sharing() {
    if (parallelIterations > 0)
      return Sharing{static_cast<int64_t>(parallelIterations), 0};
    FailureOr<anvil::HostTiling> decide =
        anvil::hostTilingOf(getOperation(), tiling);
    if (failed(decide))
      return failure();
    return Sharing{decide->policy->parallelIterations(decide->host),
                   decide->policy->minParallelBytes(decide->host)};
  }

  void runOnOperation() override {
    FailureOr<Sharing> shared = sharing();
    if (failed(shared))
      return signalPassFailure();
    retypeEmptyEntryArguments(getOperation());
    // Copies first, so that the loops below cover them too.
    RewritePatternSet copies(&getContext());
    copies.add<CopyToLinalg>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(copies))) ||
        failed(lowerLinalgToLoops(getOperation(), *shared)))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerParallel);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    vector::populateVectorMaskOpLoweringPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
