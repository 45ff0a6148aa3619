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
using anvil::Epilogue;
using anvil::PaddedInput;
using anvil::policy::CacheBlocks;
using anvil::policy::FoldRole;
using anvil::policy::isFoldedInto;
using anvil::policy::ThreadBlocks;

static constexpr llvm::StringLiteral kGemmSymbol = "anvil_sgemm_blocked";
static constexpr llvm::StringLiteral kDepthwiseSymbol = "anvil_sdwconv2d";
/// The tiling decision on a kernel op (replayed) and on its calls
/// (recorded): a product's [rows, cols] per block, a depthwise
/// convolution's [channels].
static constexpr llvm::StringLiteral kThreadBlocksAttr = "anvil.thread_blocks";
/// The same for a product's cache blocks in each call: [mc, kc, nc], 0
/// leaving a size to the kernel.
static constexpr llvm::StringLiteral kCacheBlocksAttr = "anvil.cache_blocks";
static constexpr int64_t kF32Bytes = sizeof(float);

namespace {

/// A row-major 2-D view of buffer memory: a byte address and the distance
/// between rows, in elements.
struct Matrix {
  Value address; // index
  Value ld;      // index
};

class GemmEmitter {
public:
  GemmEmitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// The address of element `offset` (elements) of `memref`'s storage.
  Value addressOf(Value memref, Value offset) {
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
    Value elements = arith::AddIOp::create(b, loc, meta.getOffset(), offset);
    return arith::AddIOp::create(
        b, loc, base, arith::MulIOp::create(b, loc, elements, c(kF32Bytes)));
  }

  Value ptr(Value address) {
    Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
  }
  Value i64(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }

  /// The epilogue's call operands, made once before the loops: whether to
  /// accumulate, the bias's address (or none) and the clamp's bounds.
  struct Operands {
    Value accumulate, bias, lo, hi;
  };
  Operands operands(const Epilogue &e) {
    auto f32 = [&](double v) {
      return arith::ConstantOp::create(b, loc,
                                       b.getF32FloatAttr(static_cast<float>(v)))
          .getResult();
    };
    return {arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(!e.init)),
            e.bias ? addressOf(e.bias, c(0)) : Value(), f32(e.lo), f32(e.hi)};
  }

  /// The bias from row `first` on, or a null pointer.
  Value biasFrom(const Operands &e, Value first) {
    if (!e.bias)
      return LLVM::ZeroOp::create(b, loc,
                                  LLVM::LLVMPointerType::get(b.getContext()));
    return ptr(arith::AddIOp::create(
        b, loc, e.bias, arith::MulIOp::create(b, loc, first, c(kF32Bytes))));
  }

  /// C[rows, cols] = epilogue(C + A[rows, depth] B[depth, cols]), in
  /// `blocks` that threads share, each call in `cache` blocks.
  void gemm(int64_t rows, int64_t cols, int64_t depth, Matrix a, Matrix bm,
            Matrix cm, const Operands &epilogue, ThreadBlocks blocks,
            CacheBlocks cache) {
    int64_t rowBlock = std::max<int64_t>(blocks.rows, 1),
            colBlock = std::max<int64_t>(blocks.cols, 1);
    int64_t rowBlocks = ceilDiv(rows, rowBlock),
            colBlocks = ceilDiv(cols, colBlock);
    auto body = [&](Value i, Value j) {
      Value r0 = arith::MulIOp::create(b, loc, i, c(rowBlock));
      Value c0 = arith::MulIOp::create(b, loc, j, c(colBlock));
      Value m = arith::MinSIOp::create(
          b, loc, c(rowBlock), arith::SubIOp::create(b, loc, c(rows), r0));
      Value n = arith::MinSIOp::create(
          b, loc, c(colBlock), arith::SubIOp::create(b, loc, c(cols), c0));
      auto at = [&](Matrix x, Value row, Value col) {
        Value elements = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, row, x.ld), col);
        return ptr(arith::AddIOp::create(
            b, loc, x.address, arith::MulIOp::create(b, loc, elements, c(4))));
      };
      SmallVector<Value> args = {i64(m), i64(n), i64(c(depth))};
      args.append({at(a, r0, c(0)), i64(a.ld)});
      args.append({at(bm, c(0), c0), i64(bm.ld)});
      args.append({at(cm, r0, c0), i64(cm.ld)});
      args.append({epilogue.accumulate, biasFrom(epilogue, r0), epilogue.lo,
                   epilogue.hi});
      for (int64_t size : {cache.mc, cache.kc, cache.nc})
        args.push_back(
            arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(size)));
      auto call = func::CallOp::create(b, loc, kGemmSymbol, TypeRange{}, args);
      call->setAttr(kThreadBlocksAttr,
                    b.getDenseI64ArrayAttr({rowBlock, colBlock}));
      call->setAttr(kCacheBlocksAttr,
                    b.getDenseI64ArrayAttr({cache.mc, cache.kc, cache.nc}));
    };
    forBlocks(rowBlocks, colBlocks, body);
  }

  /// Depthwise convolution of one image's `channels` planes in blocks of
  /// `blockChannels` that threads share. `in`, `w` and `out` address
  /// channel 0; `geometry` is anvil_sdwconv2d's (ih, iw, pad_top, pad_left,
  /// pad_bottom, pad_right, kh, kw, sh, sw, dh, dw, oh, ow).
  void depthwise(int64_t channels, Value in, Value w, Value out,
                 ArrayRef<int64_t> geometry, const Operands &epilogue,
                 int64_t blockChannels) {
    blockChannels = std::max<int64_t>(blockChannels, 1);
    int64_t blocks = ceilDiv(channels, blockChannels);
    auto area = [](ArrayRef<int64_t> sides) { return sides[0] * sides[1]; };
    int64_t inPlane = area(geometry.take_front(2)),
            weights = area(geometry.slice(6, 2)),
            outPlane = area(geometry.take_back(2));
    auto body = [&](Value i, Value) {
      Value first = arith::MulIOp::create(b, loc, i, c(blockChannels));
      Value count = arith::MinSIOp::create(
          b, loc, c(blockChannels),
          arith::SubIOp::create(b, loc, c(channels), first));
      auto at = [&](Value address, int64_t plane) {
        Value bytes =
            arith::MulIOp::create(b, loc, first, c(plane * kF32Bytes));
        return ptr(arith::AddIOp::create(b, loc, address, bytes));
      };
      auto constants = [&](ArrayRef<int64_t> values) {
        return llvm::map_to_vector(values, [&](int64_t v) {
          return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v))
              .getResult();
        });
      };
      SmallVector<Value> args = {i64(count), at(in, inPlane)};
      llvm::append_range(args, constants(geometry.take_front(6)));
      args.push_back(at(w, weights));
      llvm::append_range(args, constants(geometry.slice(6, 6)));
      args.push_back(at(out, outPlane));
      llvm::append_range(args, constants(geometry.take_back(2)));
      args.append({epilogue.accumulate, biasFrom(epilogue, first), epilogue.lo,
                   epilogue.hi});
      auto call =
          func::CallOp::create(b, loc, kDepthwiseSymbol, TypeRange{}, args);
      call->setAttr(kThreadBlocksAttr, b.getDenseI64ArrayAttr({blockChannels}));
    };
    forBlocks(blocks, 1, body);
  }

  OpBuilder &b;
  Location loc;

private:
  /// Calls `body(i, j)` for every block of a rows x cols grid, in an
  /// scf.parallel when there is more than one.
  void forBlocks(int64_t rows, int64_t cols,
                 llvm::function_ref<void(Value, Value)> body) {
    if (rows * cols == 1) {
      body(c(0), c(0));
      return;
    }
    scf::ParallelOp::create(
        b, loc, ValueRange{c(0), c(0)}, ValueRange{c(rows), c(cols)},
        ValueRange{c(1), c(1)},
        [&](OpBuilder &nested, Location, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          body(ivs[0], ivs[1]);
        });
  }

  static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
};

ArrayRef<int64_t> shapeOf(Value memref) {
  return cast<MemRefType>(memref.getType()).getShape();
}

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

/// The tiling policy and the machine that the calls are cut for.
struct Blocking {
  const anvil::policy::TilingPolicy &policy;
  anvil::target::HostDesc host;

  /// The thread blocks of `op`'s product with a rows x cols output summed
  /// over `depth`, and the cache blocks of each call: the decisions written
  /// on `op` (checked by checkPinned), or the policy's.
  std::pair<ThreadBlocks, CacheBlocks> gemm(Operation *op, int64_t rows,
                                            int64_t cols, int64_t depth) const {
    ThreadBlocks threads = policy.gemmBlocks(host, rows, cols);
    // A product whose operands take fewer bytes than the policy shares is
    // one block, on the calling thread.
    if ((rows * depth + depth * cols + rows * cols) * kF32Bytes <
        policy.minParallelBytes(host))
      threads = {rows, cols};
    if (auto pinned = op->getAttrOfType<DenseI64ArrayAttr>(kThreadBlocksAttr))
      threads = {pinned[0], pinned[1]};
    if (auto pinned = op->getAttrOfType<DenseI64ArrayAttr>(kCacheBlocksAttr))
      return {threads, {pinned[0], pinned[1], pinned[2]}};
    return {threads,
            policy.gemmCacheBlocks(host, std::min(threads.rows, rows),
                                   std::min(threads.cols, cols), depth)};
  }
  /// Channels per thread block of the depthwise convolution `op`.
  int64_t depthwise(Operation *op, int64_t channels) const {
    if (auto pinned = op->getAttrOfType<DenseI64ArrayAttr>(kThreadBlocksAttr))
      return pinned[0];
    // A convolution whose buffers take fewer bytes than the policy shares
    // is one block, on the calling thread.
    int64_t bytes = 0;
    for (Value operand : op->getOperands())
      if (auto type = dyn_cast<MemRefType>(operand.getType()))
        bytes += type.hasStaticShape()
                     ? type.getNumElements() * kF32Bytes
                     : std::numeric_limits<int64_t>::max() / 2;
    if (bytes < policy.minParallelBytes(host))
      return channels;
    return policy.depthwiseBlockChannels(host, channels);
  }
  /// Alignment of the buffers the calls use: a line of the innermost data
  /// cache, or a vector where the description names no cache.
  int64_t alignment() const {
    const anvil::target::CacheDesc *l1 = host.cache(1);
    return l1 && l1->lineBytes > 0 ? l1->lineBytes
                                   : host.vectorLanes * kF32Bytes;
  }
};

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
  if (isa<linalg::DepthwiseConv2DNchwChwOp>(anchor))
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

  static void declareKernel(ModuleOp module, StringRef symbol,
                            ArrayRef<Type> arguments) {
    if (module.lookupSymbol(symbol))
      return;
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    auto decl = func::FuncOp::create(b, module.getLoc(), symbol,
                                     b.getFunctionType(arguments, {}));
    decl.setPrivate();
  }
};
} // namespace

namespace {
/// The fusion seam on the host: the policy decides over the kernels the
/// GEMM and depthwise calls take and the folds they can do.
struct HostFusionPass : anvil::impl::HostFusionBase<HostFusionPass> {
  using Base::Base;

  void runOnOperation() override {
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
