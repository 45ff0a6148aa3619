//===- GemmKernels.cpp - f32 products as calls of the host GEMM kernel ----===//
//
// A compiler-generated loop nest reaches a fraction of a core's FMA rate on
// a large product; a packed, register-blocked kernel reaches most of it.
// This pass hands each f32 matmul, batched matmul and NCHW convolution to
// `anvil_sgemm` (include/anvil-c/Kernels.h), and each depthwise convolution
// to `anvil_sdwconv2d`, after bufferization, when the operands are plain
// row-major buffers. The kernels also do the work of the ops around them
// that would otherwise pass over the same memory: bias, clamp, padding.
// How the calls are cut into blocks that threads share is the tiling
// policy's decision (anvil/Policy/Tiling.h), recorded on each call as
// anvil.thread_blocks.
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/Folds.h"
#include "anvil/Conversion/HostDescription.h"
#include "anvil/Conversion/Products.h"
#include "anvil/Policy/Fusion.h"
#include "anvil/Policy/Tiling.h"

#include "KernelCalls.h"
#include "WinogradConv.h"
#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

namespace anvil {
#define GEN_PASS_DEF_HOSTFUSION
#define GEN_PASS_DEF_HOSTGEMMKERNELS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::host_kernels;
using anvil::Epilogue;
using anvil::PaddedInput;
using anvil::policy::CacheBlocks;
using anvil::policy::ConvAlgorithm;
using anvil::policy::ConvProblem;
using anvil::policy::FoldRole;
using anvil::policy::isFoldedInto;
using anvil::policy::ThreadBlocks;

namespace {

/// Strides of the buffers of `op`, when each is static with unit inner
/// stride (what anvil_sgemm reads).
std::optional<SmallVector<SmallVector<int64_t>>>
unitInnerStrides(linalg::LinalgOp op) {
  SmallVector<SmallVector<int64_t>> all;
  for (Value operand : op->getOperands()) {
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(cast<MemRefType>(operand.getType())
                   .getStridesAndOffset(strides, offset)) ||
        llvm::any_of(strides, ShapedType::isDynamic) || strides.back() != 1)
      return std::nullopt;
    all.push_back(strides);
  }
  return all;
}

/// Whether the convolution's input rows, filters and output images are
/// row-major blocks (`strides` per operand), as anvil_sgemm reads them.
bool convLayout(linalg::Conv2DNchwFchwOp op,
                ArrayRef<SmallVector<int64_t>> strides) {
  return anvil::rowMajorFrom(strides[0], shapeOf(op.getInputs()[0]), 2) &&
         anvil::rowMajorFrom(strides[1], shapeOf(op.getInputs()[1]), 0) &&
         anvil::rowMajorFrom(strides[2], shapeOf(op.getOutputs()[0]), 1);
}

/// Whether the depthwise convolution's images, filters and output images
/// are row-major blocks of planes, as anvil_sdwconv2d reads them.
bool depthwiseLayout(linalg::DepthwiseConv2DNchwChwOp op,
                     ArrayRef<SmallVector<int64_t>> strides) {
  return anvil::rowMajorFrom(strides[0], shapeOf(op.getInputs()[0]), 1) &&
         anvil::rowMajorFrom(strides[1], shapeOf(op.getInputs()[1]), 0) &&
         anvil::rowMajorFrom(strides[2], shapeOf(op.getOutputs()[0]), 1);
}

/// Whether the host kernels take `op` with its buffers as they are laid
/// out: the ops a kernel call is formed around.
bool kernelTakes(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() ||
      !(anvil::isStaticF32Product(op) || anvil::isStaticF32Depthwise(op)))
    return false;
  auto strides = unitInnerStrides(op);
  if (!strides)
    return false;
  if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation()))
    return convLayout(conv, *strides);
  if (auto dw = dyn_cast<linalg::DepthwiseConv2DNchwChwOp>(op.getOperation()))
    return depthwiseLayout(dw, *strides);
  return true;
}

/// Whether a thread-block decision written on `op` is one its kernel can
/// carry out; an error naming the op where it is not.
LogicalResult checkPinned(linalg::LinalgOp op) {
  bool depthwise = isa<linalg::DepthwiseConv2DNchwChwOp>(op);
  if (auto cache = op->getAttrOfType<DenseI64ArrayAttr>(kCacheBlocksAttr))
    if (depthwise || cache.size() != 3 ||
        llvm::any_of(cache.asArrayRef(), [](int64_t v) { return v < 0; }))
      return op.emitError() << kCacheBlocksAttr
                            << (depthwise ? " is for products; this op runs "
                                            "the depthwise kernel"
                                          : " must hold 3 sizes (mc, kc, nc), "
                                            "each 0 (the kernel's) or more");
  if (auto algorithm = op->getAttrOfType<StringAttr>(kConvAlgorithmAttr)) {
    auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation());
    std::optional<ConvAlgorithm> parsed =
        anvil::policy::parseConvAlgorithm(algorithm.getValue());
    if (!conv || !parsed)
      return op.emitError() << kConvAlgorithmAttr
                            << (conv ? " must be \"im2col\" or \"winograd\""
                                     : " is for convolutions");
    std::optional<ConvProblem> problem = convProblemOf(conv);
    if (!problem || !anvil::policy::convAlgorithmApplies(*parsed, *problem))
      return op.emitError()
             << kConvAlgorithmAttr << " = \"" << algorithm.getValue()
             << "\" does not apply: Winograd's F(4x4, 3x3) takes 3 x 3 "
                "filters of stride and dilation 1, constant, over contiguous "
                "input planes";
  }
  auto pinned = op->getAttrOfType<DenseI64ArrayAttr>(kThreadBlocksAttr);
  if (!pinned)
    return success();
  int64_t sizes = depthwise ? 1 : 2;
  if (pinned.size() != sizes ||
      llvm::any_of(pinned.asArrayRef(), [](int64_t v) { return v <= 0; }))
    return op.emitError() << kThreadBlocksAttr << " must hold " << sizes
                          << (sizes == 1 ? " positive size (channels)"
                                         : " positive sizes (rows, cols)")
                          << " for this op";
  return success();
}

/// Whether the kernel of `op` pads its input as it reads it: the depthwise
/// kernel, and the Winograd input transform.
bool padsItsInput(Operation *op) {
  if (isa<linalg::DepthwiseConv2DNchwChwOp>(op))
    return true;
  auto algorithm = op->getAttrOfType<StringAttr>(kConvAlgorithmAttr);
  return isa<linalg::Conv2DNchwFchwOp>(op) && algorithm &&
         anvil::policy::parseConvAlgorithm(algorithm.getValue()) ==
             ConvAlgorithm::Winograd;
}

/// The folds the call of `op`'s kernel can do, as fusion candidates.
SmallVector<anvil::policy::FoldCandidate> foldCandidates(Operation *anchor) {
  auto op = cast<linalg::LinalgOp>(anchor);
  bool channelBiases =
      isa<linalg::Conv2DNchwFchwOp, linalg::DepthwiseConv2DNchwChwOp>(anchor);
  Epilogue e = anvil::matchEpilogue(op, channelBiases);
  SmallVector<anvil::policy::FoldCandidate> candidates;
  if (e.init)
    candidates.push_back({e.init, FoldRole::Init});
  if (e.clamp)
    candidates.push_back({e.clamp, FoldRole::Epilogue});
  if (padsItsInput(anchor))
    if (auto padded = anvil::matchPaddedInput(anchor, e.init))
      candidates.push_back({padded->copy, FoldRole::PaddedInput});
  return candidates;
}

/// The folds of `op`'s kernel that the fusion decision on the IR makes.
Epilogue decidedEpilogue(linalg::LinalgOp op, bool channelBiases) {
  Epilogue e = anvil::matchEpilogue(op, channelBiases);
  if (e.init && !isFoldedInto(e.init, op, FoldRole::Init))
    e.init = nullptr, e.bias = nullptr;
  if (e.clamp && !isFoldedInto(e.clamp, op, FoldRole::Epilogue))
    e = Epilogue{e.init, e.bias};
  return e;
}

/// The folded ops are gone once the call does their work.
void eraseFolded(const Epilogue &e) {
  if (e.init)
    e.init->erase();
  if (e.clamp)
    e.clamp->erase();
}

LogicalResult lowerMatmul(linalg::MatmulOp op, const Blocking &blocking) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  Epilogue epilogue = decidedEpilogue(op, /*channelBiases=*/false);
  OpBuilder b(op);
  GemmEmitter e(b, op.getLoc());
  auto shape = [&](int i) { return shapeOf(op->getOperand(i)); };
  auto matrix = [&](int i) {
    return Matrix{e.addressOf(op->getOperand(i), e.c(0)),
                  e.c((*strides)[i][0])};
  };
  int64_t rows = shape(0)[0], cols = shape(1)[1], depth = shape(0)[1];
  auto [threads, cache] = blocking.gemm(op, rows, cols, depth);
  e.gemm(rows, cols, depth, matrix(0), matrix(1), matrix(2),
         e.operands(epilogue), threads, cache);
  eraseFolded(epilogue);
  op.erase();
  return success();
}

LogicalResult lowerBatchMatmul(linalg::BatchMatmulOp op,
                               const Blocking &blocking) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  Epilogue epilogue = decidedEpilogue(op, /*channelBiases=*/false);
  OpBuilder b(op);
  GemmEmitter e(b, op.getLoc());
  GemmEmitter::Operands finish = e.operands(epilogue);
  auto shape = [&](int i) { return shapeOf(op->getOperand(i)); };
  int64_t batches = shape(0)[0];
  auto loop = scf::ForOp::create(b, op.getLoc(), e.c(0), e.c(batches), e.c(1));
  b.setInsertionPointToStart(loop.getBody());
  Value batch = loop.getInductionVar();
  auto matrix = [&](int i) {
    Value offset =
        arith::MulIOp::create(b, op.getLoc(), batch, e.c((*strides)[i][0]));
    return Matrix{e.addressOf(op->getOperand(i), offset),
                  e.c((*strides)[i][1])};
  };
  int64_t rows = shape(0)[1], cols = shape(1)[2], depth = shape(0)[2];
  auto [threads, cache] = blocking.gemm(op, rows, cols, depth);
  e.gemm(rows, cols, depth, matrix(0), matrix(1), matrix(2), finish, threads,
         cache);
  b.setInsertionPointAfter(loop);
  eraseFolded(epilogue);
  op.erase();
  return success();
}

/// conv_2d_nchw_fchw: per image, Y[F, OH*OW] += W[F, C*KH*KW] times the
/// input's patches, read in place for a 1x1 stride-1 kernel and gathered
/// into an im2col buffer otherwise; the bias and activation around it go
/// into the kernel's epilogue.
LogicalResult lowerConv(linalg::Conv2DNchwFchwOp op, const Blocking &blocking) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  Value input = op.getInputs()[0], filter = op.getInputs()[1],
        output = op.getOutputs()[0];
  auto in = shapeOf(input), w = shapeOf(filter), out = shapeOf(output);
  const auto &inS = (*strides)[0], &outS = (*strides)[2];
  if (!convLayout(op, *strides))
    return failure();
  SmallVector<int64_t> convStrides(op.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
  bool direct = w[2] == 1 && w[3] == 1 && convStrides[0] == 1 &&
                convStrides[1] == 1 && in[2] == out[2] && in[3] == out[3] &&
                anvil::rowMajorFrom(inS, in, 1);
  Location loc = op.getLoc();
  Epilogue epilogue = decidedEpilogue(op, /*channelBiases=*/true);
  if (blocking.convAlgorithm(op) == ConvAlgorithm::Winograd) {
    FailureOr<PaddedInput> padding = lowerWinogradConv(op, blocking, epilogue);
    if (failed(padding))
      return failure();
    eraseFolded(epilogue);
    op.erase();
    for (Operation *folded : padding->ops)
      folded->erase();
    return success();
  }
  OpBuilder b(op);
  GemmEmitter e(b, loc);
  GemmEmitter::Operands finish = e.operands(epilogue);
  int64_t depth = w[1] * w[2] * w[3], pixels = out[2] * out[3];
  Value patches;
  if (!direct)
    patches = memref::AllocOp::create(
        b, loc, MemRefType::get({depth, pixels}, b.getF32Type()),
        b.getI64IntegerAttr(blocking.alignment()));
  auto loop = scf::ForOp::create(b, loc, e.c(0), e.c(in[0]), e.c(1));
  b.setInsertionPointToStart(loop.getBody());
  Value image = loop.getInductionVar();
  Matrix lhs{e.addressOf(filter, e.c(0)), e.c(depth)};
  Matrix result{
      e.addressOf(output, arith::MulIOp::create(b, loc, image, e.c(outS[0]))),
      e.c(pixels)};
  Matrix rhs;
  if (direct) {
    rhs = {
        e.addressOf(input, arith::MulIOp::create(b, loc, image, e.c(inS[0]))),
        e.c(inS[1])};
  } else {
    anvil::fillPatches(b, loc, input, image, patches, w, out, convStrides,
                       dilations);
    rhs = {e.addressOf(patches, e.c(0)), e.c(pixels)};
  }
  auto [threads, cache] = blocking.gemm(op, w[0], pixels, depth);
  e.gemm(w[0], pixels, depth, lhs, rhs, result, finish, threads, cache);
  b.setInsertionPointAfter(loop);
  if (patches)
    memref::DeallocOp::create(b, loc, patches);
  eraseFolded(epilogue);
  op.erase();
  return success();
}

/// depthwise_conv_2d_nchw_chw on contiguous planes: per image, calls of
/// anvil_sdwconv2d. When the input is a zero-padded copy made for this op
/// alone, the kernel reads the copy's source and pads as it goes.
LogicalResult lowerDepthwise(linalg::DepthwiseConv2DNchwChwOp op,
                             const Blocking &blocking) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  Value input = op.getInputs()[0], filter = op.getInputs()[1],
        output = op.getOutputs()[0];
  auto w = shapeOf(filter), out = shapeOf(output);
  const auto &outS = (*strides)[2];
  if (!depthwiseLayout(op, *strides))
    return failure();
  Epilogue epilogue = decidedEpilogue(op, /*channelBiases=*/true);
  int64_t imageStride = (*strides)[0][0];
  PaddedInput padding;
  std::optional<PaddedInput> found = anvil::matchPaddedInput(op, epilogue.init);
  if (found && isFoldedInto(found->copy, op, FoldRole::PaddedInput)) {
    padding = std::move(*found);
    input = padding.source;
    SmallVector<int64_t> sourceStrides;
    int64_t offset;
    (void)cast<MemRefType>(input.getType())
        .getStridesAndOffset(sourceStrides, offset);
    imageStride = sourceStrides[0];
  }
  auto in = shapeOf(input);
  SmallVector<int64_t> convStrides(op.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
  Location loc = op.getLoc();
  OpBuilder b(op);
  GemmEmitter e(b, loc);
  GemmEmitter::Operands finish = e.operands(epilogue);
  auto loop = scf::ForOp::create(b, loc, e.c(0), e.c(in[0]), e.c(1));
  b.setInsertionPointToStart(loop.getBody());
  Value image = loop.getInductionVar();
  auto imageStart = [&](Value memref, int64_t stride) {
    return e.addressOf(memref,
                       arith::MulIOp::create(b, loc, image, e.c(stride)));
  };
  e.depthwise(in[1], imageStart(input, imageStride),
              e.addressOf(filter, e.c(0)), imageStart(output, outS[0]),
              {in[2], in[3], padding.top, padding.left, padding.bottom,
               padding.right, w[1], w[2], convStrides[0], convStrides[1],
               dilations[0], dilations[1], out[2], out[3]},
              finish, blocking.depthwise(op, in[1]));
  b.setInsertionPointAfter(loop);
  eraseFolded(epilogue);
  op.erase();
  for (Operation *folded : padding.ops)
    folded->erase();
  return success();
}

} // namespace

namespace {
struct HostGemmKernelsPass
    : anvil::impl::HostGemmKernelsBase<HostGemmKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<anvil::HostTiling> decide = anvil::hostTilingOf(module, tiling);
    if (failed(decide))
      return signalPassFailure();
    SmallVector<linalg::LinalgOp> targets;
    module.walk([&](linalg::LinalgOp op) {
      if (kernelTakes(op))
        targets.push_back(op);
    });
    bool pinnedOk = true;
    for (linalg::LinalgOp op : targets)
      pinnedOk &= succeeded(checkPinned(op));
    if (!pinnedOk)
      return signalPassFailure();
    Blocking blocking{*decide->policy, std::move(decide->host)};
    bool gemm = false, depthwise = false;
    for (linalg::LinalgOp op : targets) {
      // Read before lowering: a lowered op is erased.
      bool isDepthwise = isa<linalg::DepthwiseConv2DNchwChwOp>(op);
      LogicalResult lowered =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case(
                  [&](linalg::MatmulOp m) { return lowerMatmul(m, blocking); })
              .Case([&](linalg::BatchMatmulOp m) {
                return lowerBatchMatmul(m, blocking);
              })
              .Case([&](linalg::Conv2DNchwFchwOp c) {
                return lowerConv(c, blocking);
              })
              .Case([&](linalg::DepthwiseConv2DNchwChwOp c) {
                return lowerDepthwise(c, blocking);
              })
              .Default([](Operation *) { return failure(); });
      (isDepthwise ? depthwise : gemm) |= succeeded(lowered);
    }
    OpBuilder b(module.getContext());
    Type i64 = b.getI64Type(), f32 = b.getF32Type(),
         ptr = LLVM::LLVMPointerType::get(b.getContext());
    if (gemm)
      declareKernel(module, kGemmSymbol,
                    {i64, i64, i64, ptr, i64, ptr, i64, ptr, i64,
                     b.getI32Type(), ptr, f32, f32, i64, i64, i64});
    if (depthwise) {
      // (channels, in, ih, iw, 4 pads, w, kh, kw, sh, sw, dh, dw, out, oh,
      // ow, accumulate, bias, lo, hi)
      SmallVector<Type> args = {i64, ptr};
      args.append(6, i64);
      args.push_back(ptr);
      args.append(6, i64);
      args.push_back(ptr);
      args.append({i64, i64, b.getI32Type(), ptr, f32, f32});
      declareKernel(module, kDepthwiseSymbol, args);
    }
  }
};
} // namespace

namespace {
/// The fusion seam on the host: the policy decides over the kernels the
/// GEMM and depthwise calls take and the folds they can do.
struct HostFusionPass : anvil::impl::HostFusionBase<HostFusionPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<anvil::HostTiling> decide = anvil::hostTilingOf(module, tiling);
    if (failed(decide))
      return signalPassFailure();
    Blocking blocking{*decide->policy, std::move(decide->host)};
    module.walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (kernelTakes(conv) && !conv->hasAttr(kConvAlgorithmAttr))
        conv->setAttr(
            kConvAlgorithmAttr,
            StringAttr::get(conv.getContext(),
                            convAlgorithmName(blocking.convAlgorithm(conv))));
    });
    auto formsKernel = [](Operation *op) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
      return linalgOp && kernelTakes(linalgOp);
    };
    if (failed(anvil::policy::decideFusion(getOperation(), policy,
                                           {formsKernel, foldCandidates})))
      signalPassFailure();
  }
};
} // namespace
