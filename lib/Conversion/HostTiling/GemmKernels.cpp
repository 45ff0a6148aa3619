//===- GemmKernels.cpp - f32 products as calls of the host GEMM kernel ----===//
//
// A compiler-generated loop nest reaches a fraction of a core's FMA rate on
// a large product; a packed, register-blocked kernel reaches most of it.
// This pass hands each f32 matmul, batched matmul and NCHW convolution to
// `anvil_sgemm` (include/anvil-c/Kernels.h), and each depthwise convolution
// to `anvil_sdwconv2d`, after bufferization, when the operands are plain
// row-major buffers. The kernels also do the work of the ops around them
// that would otherwise pass over the same memory: bias, clamp, padding.
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/Products.h"

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
#define GEN_PASS_DEF_HOSTGEMMKERNELS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

static constexpr llvm::StringLiteral kGemmSymbol = "anvil_sgemm_fused";
static constexpr llvm::StringLiteral kDepthwiseSymbol = "anvil_sdwconv2d";

namespace {

/// The ops next to a kernel's op that its call does as it writes the
/// output: the one before it that initializes the output (a broadcast of a
/// per-channel bias, or zeros), and an in-place clamp after it (ReLU,
/// ReLU6, Clip). Both must touch exactly the kernel's output buffer.
struct Epilogue {
  Operation *init = nullptr;
  Value bias;
  Operation *clamp = nullptr;
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();

  /// The folded ops are gone once the call does their work.
  void eraseFolded() {
    if (init)
      init->erase();
    if (clamp)
      clamp->erase();
  }
};

bool isIdentityCopyBody(Block &body) {
  return body.getOperations().size() == 1 &&
         body.getTerminator()->getOperand(0) == body.getArgument(0);
}

/// `init` broadcasts a contiguous f32 vector along the channels of the
/// NCHW `out`: that vector.
Value channelBias(Operation *init, Value out) {
  auto generic = dyn_cast_if_present<linalg::GenericOp>(init);
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getDpsInits()[0] != out ||
      generic.getNumReductionLoops() != 0 ||
      !isIdentityCopyBody(generic.getRegion().front()))
    return nullptr;
  Value bias = generic.getDpsInputs()[0];
  auto type = dyn_cast<MemRefType>(bias.getType());
  if (!type || type.getRank() != 1 || !type.getLayout().isIdentity() ||
      !type.getElementType().isF32())
    return nullptr;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  MLIRContext *ctx = generic.getContext();
  if (!maps[1].isIdentity() || maps[1].getNumDims() != 4 ||
      maps[0].getNumResults() != 1 ||
      maps[0].getResult(0) != getAffineDimExpr(1, ctx))
    return nullptr;
  return bias;
}

bool isZeroFill(Operation *init, Value out) {
  auto fill = dyn_cast_if_present<linalg::FillOp>(init);
  FloatAttr value;
  return fill && fill.getDpsInits()[0] == out &&
         matchPattern(fill.getDpsInputs()[0], m_Constant(&value)) &&
         value.getValue().isZero();
}

/// The bounds of an in-place clamp of `out` (maximumf / minimumf of the
/// element and f32 constants, as ReLU and Clip lower), if `op` is one.
std::optional<std::pair<double, double>> clampBounds(Operation *op, Value out) {
  auto generic = dyn_cast_if_present<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getDpsInputs()[0] != out ||
      generic.getDpsInits()[0] != out || generic.getNumReductionLoops() != 0 ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return std::nullopt;
  Block &body = generic.getRegion().front();
  double lo = -std::numeric_limits<double>::infinity(),
         hi = std::numeric_limits<double>::infinity();
  Value v = body.getTerminator()->getOperand(0);
  while (v != body.getArgument(0)) {
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != &body ||
        !isa<arith::MaximumFOp, arith::MinimumFOp>(def))
      return std::nullopt;
    FloatAttr bound;
    Value x = def->getOperand(0);
    if (!matchPattern(def->getOperand(1), m_Constant(&bound))) {
      x = def->getOperand(1);
      if (!matchPattern(def->getOperand(0), m_Constant(&bound)))
        return std::nullopt;
    }
    double value = bound.getValueAsDouble();
    if (isa<arith::MaximumFOp>(def))
      lo = std::max(lo, value);
    else
      hi = std::min(hi, value);
    v = x;
  }
  // With lo <= hi the order of the maxima and minima does not matter.
  // A body that only yields its input is a copy, not a clamp.
  if (!(lo <= hi) || body.getOperations().size() < 2)
    return std::nullopt;
  return std::make_pair(lo, hi);
}

/// What the call of `op`'s kernel can fold: `channelBiases` says whether a
/// bias along an NCHW output's channels is a bias per row of the kernel.
Epilogue findEpilogue(linalg::LinalgOp op, bool channelBiases) {
  Epilogue e;
  Value out = op.getDpsInits()[0];
  // Ops that touch no memory (views, constants) may sit in between.
  Operation *before = op->getPrevNode();
  while (before && isMemoryEffectFree(before))
    before = before->getPrevNode();
  Operation *after = op->getNextNode();
  while (after && isMemoryEffectFree(after))
    after = after->getNextNode();
  if (Value bias = channelBiases ? channelBias(before, out) : nullptr) {
    e.init = before;
    e.bias = bias;
  } else if (isZeroFill(before, out)) {
    e.init = before;
  }
  if (auto bounds = clampBounds(after, out)) {
    e.clamp = after;
    std::tie(e.lo, e.hi) = *bounds;
  }
  return e;
}

/// A zero-padded copy of an NCHW buffer made only for one op to read: an
/// alloc filled with zeros, the source copied into a window of it
/// (`tensor.pad` once bufferized). A kernel that pads as it reads takes the
/// source instead, and these ops go.
struct PaddedInput {
  Value source;
  /// Rows above and columns to the left, rows below and columns to the
  /// right.
  int64_t top = 0, left = 0, bottom = 0, right = 0;
  /// The fill, copy, window, dealloc (if any) and alloc: the order in which
  /// they can be erased once the reader is gone.
  SmallVector<Operation *> ops;

  void eraseAll() {
    for (Operation *o : ops)
      o->erase();
  }
};

bool fillsWithPositiveZero(Operation *o, Value buffer) {
  FloatAttr value;
  auto isZero = [&](Value v) {
    return matchPattern(v, m_Constant(&value)) && value.getValue().isPosZero();
  };
  if (auto fill = dyn_cast<linalg::FillOp>(o))
    return fill.getDpsInits()[0] == buffer && isZero(fill.getDpsInputs()[0]);
  auto map = dyn_cast<linalg::MapOp>(o);
  return map && map.getDpsInits()[0] == buffer && map.getInputs().empty() &&
         isZero(map.getMapper().front().getTerminator()->getOperand(0));
}

/// Whether `o` leaves every existing buffer as it was.
bool writesNoBuffer(Operation *o) {
  if (isMemoryEffectFree(o))
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(o);
  return effects && !effects.hasEffect<MemoryEffects::Write>() &&
         !effects.hasEffect<MemoryEffects::Free>();
}

/// `reader`'s first operand as a padded copy, if it is one that `reader`
/// alone reads and whose source nothing writes before `reader` runs
/// (`allowed` may write, but not the source).
std::optional<PaddedInput> findPaddedInput(Operation *reader,
                                           Operation *allowed) {
  auto alloc = reader->getOperand(0).getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != reader->getBlock() ||
      alloc.getType().getRank() != 4)
    return std::nullopt;
  Operation *fill = nullptr, *dealloc = nullptr;
  memref::SubViewOp window;
  for (Operation *user : alloc->getUsers()) {
    if (user == reader)
      continue;
    if (isa<memref::DeallocOp>(user) && !dealloc)
      dealloc = user;
    else if (auto view = dyn_cast<memref::SubViewOp>(user); view && !window)
      window = view;
    else if (!fill && fillsWithPositiveZero(user, alloc))
      fill = user;
    else
      return std::nullopt;
  }
  if (!fill || !window || !window->hasOneUse())
    return std::nullopt;
  auto copy = dyn_cast<memref::CopyOp>(*window->getUsers().begin());
  if (!copy || copy.getTarget() != window.getResult() ||
      fill->getBlock() != reader->getBlock() ||
      copy->getBlock() != reader->getBlock() || !fill->isBeforeInBlock(copy) ||
      !copy->isBeforeInBlock(reader))
    return std::nullopt;
  for (Operation *o = copy->getNextNode(); o != reader; o = o->getNextNode())
    if (o != allowed && !writesNoBuffer(o))
      return std::nullopt;
  // The window: whole images and channels, unit steps, static offsets.
  ArrayRef<int64_t> offsets = window.getStaticOffsets(),
                    sizes = window.getStaticSizes(),
                    padded = alloc.getType().getShape();
  if (!llvm::all_of(window.getStaticStrides(),
                    [](int64_t s) { return s == 1; }) ||
      llvm::any_of(offsets, ShapedType::isDynamic) ||
      llvm::any_of(sizes, ShapedType::isDynamic) || offsets[0] != 0 ||
      offsets[1] != 0 || sizes[0] != padded[0] || sizes[1] != padded[1])
    return std::nullopt;
  PaddedInput p;
  p.source = copy.getSource();
  p.top = offsets[2];
  p.left = offsets[3];
  p.bottom = padded[2] - offsets[2] - sizes[2];
  p.right = padded[3] - offsets[3] - sizes[3];
  p.ops = {fill, copy, window};
  if (dealloc)
    p.ops.push_back(dealloc);
  p.ops.push_back(alloc);
  return p;
}

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
    return arith::AddIOp::create(b, loc, base,
                                 arith::MulIOp::create(b, loc, elements, c(4)));
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
    return {arith::ConstantIntOp::create(b, loc, e.init ? 0 : 1, 32),
            e.bias ? addressOf(e.bias, c(0)) : Value(), f32(e.lo), f32(e.hi)};
  }

  /// The bias from row `first` on, or a null pointer.
  Value biasFrom(const Operands &e, Value first) {
    if (!e.bias)
      return LLVM::ZeroOp::create(b, loc,
                                  LLVM::LLVMPointerType::get(b.getContext()));
    return ptr(arith::AddIOp::create(
        b, loc, e.bias, arith::MulIOp::create(b, loc, first, c(4))));
  }

  /// C[rows, cols] = epilogue(C + A[rows, depth] B[depth, cols]), split
  /// into blocks of rows (or of columns when there are few rows) that
  /// threads share.
  void gemm(int64_t rows, int64_t cols, int64_t depth, Matrix a, Matrix bm,
            Matrix cm, const Operands &epilogue) {
    int64_t rowBlocks =
        std::clamp<int64_t>(rows / kMinBlockRows, 1, kMaxBlocks);
    int64_t colBlocks =
        rowBlocks > 1
            ? 1
            : std::clamp<int64_t>(cols / kMinBlockCols, 1, kMaxBlocks);
    int64_t rowBlock = ceilTo(ceilDiv(rows, rowBlocks), 6);
    int64_t colBlock = ceilTo(ceilDiv(cols, colBlocks), 16);
    rowBlocks = ceilDiv(rows, rowBlock);
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
      func::CallOp::create(b, loc, kGemmSymbol, TypeRange{}, args);
    };
    forBlocks(rowBlocks, colBlocks, body);
  }

  /// Depthwise convolution of one image's `channels` planes in blocks of
  /// channels that threads share. `in`, `w` and `out` address channel 0;
  /// `geometry` is anvil_sdwconv2d's (ih, iw, pad_top, pad_left,
  /// pad_bottom, pad_right, kh, kw, sh, sw, dh, dw, oh, ow).
  void depthwise(int64_t channels, Value in, Value w, Value out,
                 ArrayRef<int64_t> geometry, const Operands &epilogue) {
    int64_t blocks =
        std::clamp<int64_t>(channels / kMinBlockChannels, 1, kMaxBlocks);
    int64_t blockChannels = ceilDiv(channels, blocks);
    blocks = ceilDiv(channels, blockChannels);
    int64_t inPlane = geometry[0] * geometry[1],
            weights = geometry[6] * geometry[7],
            outPlane = geometry[12] * geometry[13];
    auto body = [&](Value i, Value) {
      Value first = arith::MulIOp::create(b, loc, i, c(blockChannels));
      Value count = arith::MinSIOp::create(
          b, loc, c(blockChannels),
          arith::SubIOp::create(b, loc, c(channels), first));
      auto at = [&](Value address, int64_t plane) {
        Value bytes = arith::MulIOp::create(b, loc, first, c(plane * 4));
        return ptr(arith::AddIOp::create(b, loc, address, bytes));
      };
      auto constants = [&](ArrayRef<int64_t> values) {
        return llvm::map_to_vector(values, [&](int64_t v) {
          return arith::ConstantIntOp::create(b, loc, v, 64).getResult();
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
      func::CallOp::create(b, loc, kDepthwiseSymbol, TypeRange{}, args);
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

  // Blocks small enough to spread over a few threads, large enough that
  // each block's packing of the shared operand stays cheap.
  static constexpr int64_t kMinBlockRows = 96, kMinBlockCols = 512,
                           kMaxBlocks = 8, kMinBlockChannels = 8;
  static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
  static int64_t ceilTo(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }
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

/// Whether dimensions `from`.. of a buffer with `shape` and `strides` are
/// one row-major block.
bool rowMajorFrom(ArrayRef<int64_t> strides, ArrayRef<int64_t> shape,
                  unsigned from) {
  int64_t expected = 1;
  for (unsigned d = shape.size(); d-- > from;) {
    if (strides[d] != expected)
      return false;
    expected *= shape[d];
  }
  return true;
}

LogicalResult lowerMatmul(linalg::MatmulOp op) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  Epilogue epilogue = findEpilogue(op, /*channelBiases=*/false);
  OpBuilder b(op);
  GemmEmitter e(b, op.getLoc());
  auto shape = [&](int i) { return shapeOf(op->getOperand(i)); };
  auto matrix = [&](int i) {
    return Matrix{e.addressOf(op->getOperand(i), e.c(0)),
                  e.c((*strides)[i][0])};
  };
  e.gemm(shape(0)[0], shape(1)[1], shape(0)[1], matrix(0), matrix(1), matrix(2),
         e.operands(epilogue));
  epilogue.eraseFolded();
  op.erase();
  return success();
}

LogicalResult lowerBatchMatmul(linalg::BatchMatmulOp op) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  Epilogue epilogue = findEpilogue(op, /*channelBiases=*/false);
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
  e.gemm(shape(0)[1], shape(1)[2], shape(0)[2], matrix(0), matrix(1), matrix(2),
         finish);
  b.setInsertionPointAfter(loop);
  epilogue.eraseFolded();
  op.erase();
  return success();
}

/// conv_2d_nchw_fchw: per image, Y[F, OH*OW] += W[F, C*KH*KW] times the
/// input's patches, read in place for a 1x1 stride-1 kernel and gathered
/// into an im2col buffer otherwise; the bias and activation around it go
/// into the kernel's epilogue.
LogicalResult lowerConv(linalg::Conv2DNchwFchwOp op) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  Value input = op.getInputs()[0], filter = op.getInputs()[1],
        output = op.getOutputs()[0];
  auto in = shapeOf(input), w = shapeOf(filter), out = shapeOf(output);
  const auto &inS = (*strides)[0], &wS = (*strides)[1], &outS = (*strides)[2];
  // Each input row, the filters and each image's output must be row-major
  // blocks.
  if (!rowMajorFrom(inS, in, 2) || !rowMajorFrom(wS, w, 0) ||
      !rowMajorFrom(outS, out, 1))
    return failure();
  SmallVector<int64_t> convStrides(op.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
  bool direct = w[2] == 1 && w[3] == 1 && convStrides[0] == 1 &&
                convStrides[1] == 1 && in[2] == out[2] && in[3] == out[3] &&
                rowMajorFrom(inS, in, 1);
  Location loc = op.getLoc();
  Epilogue epilogue = findEpilogue(op, /*channelBiases=*/true);
  OpBuilder b(op);
  GemmEmitter e(b, loc);
  GemmEmitter::Operands finish = e.operands(epilogue);
  int64_t depth = w[1] * w[2] * w[3], pixels = out[2] * out[3];
  Value patches;
  if (!direct)
    patches = memref::AllocOp::create(
        b, loc, MemRefType::get({depth, pixels}, b.getF32Type()),
        b.getI64IntegerAttr(64));
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
  e.gemm(w[0], pixels, depth, lhs, rhs, result, finish);
  b.setInsertionPointAfter(loop);
  if (patches)
    memref::DeallocOp::create(b, loc, patches);
  epilogue.eraseFolded();
  op.erase();
  return success();
}

/// depthwise_conv_2d_nchw_chw on contiguous planes: per image, calls of
/// anvil_sdwconv2d. When the input is a zero-padded copy made for this op
/// alone, the kernel reads the copy's source and pads as it goes.
LogicalResult lowerDepthwise(linalg::DepthwiseConv2DNchwChwOp op) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  Value input = op.getInputs()[0], filter = op.getInputs()[1],
        output = op.getOutputs()[0];
  auto w = shapeOf(filter), out = shapeOf(output);
  const auto &wS = (*strides)[1], &outS = (*strides)[2];
  if (!rowMajorFrom((*strides)[0], shapeOf(input), 1) ||
      !rowMajorFrom(wS, w, 0) || !rowMajorFrom(outS, out, 1))
    return failure();
  Epilogue epilogue = findEpilogue(op, /*channelBiases=*/true);
  int64_t imageStride = (*strides)[0][0];
  PaddedInput padding;
  if (auto found = findPaddedInput(op, epilogue.init)) {
    auto sourceType = cast<MemRefType>(found->source.getType());
    SmallVector<int64_t> sourceStrides;
    int64_t offset;
    if (succeeded(sourceType.getStridesAndOffset(sourceStrides, offset)) &&
        sourceType.hasStaticShape() &&
        !ShapedType::isDynamic(sourceStrides[0]) &&
        rowMajorFrom(sourceStrides, sourceType.getShape(), 1)) {
      padding = std::move(*found);
      input = padding.source;
      imageStride = sourceStrides[0];
    }
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
              finish);
  b.setInsertionPointAfter(loop);
  epilogue.eraseFolded();
  op.erase();
  padding.eraseAll();
  return success();
}

} // namespace

namespace {
struct HostGemmKernelsPass
    : anvil::impl::HostGemmKernelsBase<HostGemmKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> targets;
    module.walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() &&
          (anvil::isStaticF32Product(op) ||
           anvil::isStaticF32Depthwise(op)))
        targets.push_back(op);
    });
    bool gemm = false, depthwise = false;
    for (linalg::LinalgOp op : targets) {
      LogicalResult lowered =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case([](linalg::MatmulOp m) { return lowerMatmul(m); })
              .Case([](linalg::BatchMatmulOp m) { return lowerBatchMatmul(m); })
              .Case([](linalg::Conv2DNchwFchwOp c) { return lowerConv(c); })
              .Case([&](linalg::DepthwiseConv2DNchwChwOp c) {
                return lowerDepthwise(c);
              })
              .Default([](Operation *) { return failure(); });
      bool isDepthwise = isa<linalg::DepthwiseConv2DNchwChwOp>(op);
      (isDepthwise ? depthwise : gemm) |= succeeded(lowered);
    }
    OpBuilder b(module.getContext());
    Type i64 = b.getI64Type(), f32 = b.getF32Type(),
         ptr = LLVM::LLVMPointerType::get(b.getContext());
    if (gemm)
      declareKernel(module, kGemmSymbol,
                    {i64, i64, i64, ptr, i64, ptr, i64, ptr, i64,
                     b.getI32Type(), ptr, f32, f32});
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
