//===- GemmKernels.cpp - f32 products as calls of the host GEMM kernel ----===//
//
// A compiler-generated loop nest reaches a fraction of a core's FMA rate on
// a large product; a packed, register-blocked kernel reaches most of it.
// This pass hands each f32 matmul, batched matmul and NCHW convolution to
// `anvil_sgemm` (include/anvil-c/Kernels.h), after bufferization, when the
// operands are plain row-major buffers.
//
//===----------------------------------------------------------------------===//

#include "GemmKernels.h"

#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/TypeSwitch.h"

namespace anvil {
#define GEN_PASS_DEF_HOSTGEMMKERNELS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

static constexpr llvm::StringLiteral kGemmSymbol = "anvil_sgemm";

bool anvil::host::takesGemmKernel(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNchwFchwOp>(
          op))
    return false;
  // Matmuls with transposing or broadcasting indexing maps stay linalg.
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
      matmul && matmul.hasUserDefinedMaps())
    return false;
  if (auto batch = dyn_cast<linalg::BatchMatmulOp>(op.getOperation());
      batch && batch.hasUserDefinedMaps())
    return false;
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
           auto shaped = dyn_cast<ShapedType>(t);
           return shaped && shaped.hasStaticShape() &&
                  shaped.getElementType().isF32();
         });
}

/// patches[c, kh, kw, oh, ow] = input[image, c, oh*sh + kh*dh, ow*sw + kw*dw]
/// as a copy linalg.generic (lowered to loops with the other linalg ops).
linalg::GenericOp anvil::host::fillPatches(OpBuilder &b, Location loc, Value input,
                              Value image, Value patches,
                              ArrayRef<int64_t> w, ArrayRef<int64_t> out,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> dilations) {
  auto inType = cast<MemRefType>(input.getType());
  auto in = inType.getShape();
  SmallVector<OpFoldResult> offsets = {image, b.getIndexAttr(0),
                                       b.getIndexAttr(0), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(in[1]),
                                     b.getIndexAttr(in[2]),
                                     b.getIndexAttr(in[3])};
  SmallVector<OpFoldResult> unit(4, b.getIndexAttr(1));
  auto imageType = memref::SubViewOp::inferRankReducedResultType(
      {in[1], in[2], in[3]}, inType, offsets, sizes, unit);
  Value one = memref::SubViewOp::create(b, loc, cast<MemRefType>(imageType),
                                        input, offsets, sizes, unit);
  Value grid = memref::ExpandShapeOp::create(
      b, loc, SmallVector<int64_t>{w[1], w[2], w[3], out[2], out[3]}, patches,
      SmallVector<ReassociationIndices>{{0, 1, 2}, {3, 4}});
  MLIRContext *ctx = b.getContext();
  AffineExpr c = getAffineDimExpr(0, ctx), kh = getAffineDimExpr(1, ctx),
             kw = getAffineDimExpr(2, ctx), oh = getAffineDimExpr(3, ctx),
             ow = getAffineDimExpr(4, ctx);
  AffineMap read = AffineMap::get(
      5, 0,
      {c, oh * strides[0] + kh * dilations[0],
       ow * strides[1] + kw * dilations[1]},
      ctx);
  SmallVector<utils::IteratorType> parallel(5, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
      b, loc, ValueRange{one}, ValueRange{grid},
      SmallVector<AffineMap>{read, b.getMultiDimIdentityMap(5)}, parallel,
      [](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(nb, l, args[0]);
      });
}


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
    Value base =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
    Value elements = arith::AddIOp::create(b, loc, meta.getOffset(), offset);
    return arith::AddIOp::create(
        b, loc, base, arith::MulIOp::create(b, loc, elements, c(4)));
  }

  Value ptr(Value address) {
    Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
    return LLVM::IntToPtrOp::create(b, loc,
                                    LLVM::LLVMPointerType::get(b.getContext()),
                                    asInt);
  }
  Value i64(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }

  /// C[rows, cols] += A[rows, depth] B[depth, cols], split into blocks of
  /// rows (or of columns when there are few rows) that threads share.
  void gemm(int64_t rows, int64_t cols, int64_t depth, Matrix a, Matrix bm,
            Matrix cm) {
    int64_t rowBlocks = std::clamp<int64_t>(rows / kMinBlockRows, 1, kMaxBlocks);
    int64_t colBlocks =
        rowBlocks > 1 ? 1
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
      SmallVector<Value> args = {
          i64(m),           i64(n),         i64(c(depth)),
          at(a, r0, c(0)),  i64(a.ld),      at(bm, c(0), c0),
          i64(bm.ld),       at(cm, r0, c0), i64(cm.ld),
          arith::ConstantIntOp::create(b, loc, 1, 32)};
      func::CallOp::create(b, loc, kGemmSymbol, TypeRange{}, args);
    };
    if (rowBlocks * colBlocks == 1) {
      body(c(0), c(0));
      return;
    }
    scf::ParallelOp::create(
        b, loc, ValueRange{c(0), c(0)}, ValueRange{c(rowBlocks), c(colBlocks)},
        ValueRange{c(1), c(1)},
        [&](OpBuilder &nested, Location, ValueRange ivs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          body(ivs[0], ivs[1]);
        });
  }

  OpBuilder &b;
  Location loc;

private:
  // Blocks small enough to spread over a few threads, large enough that
  // each block's packing of the shared operand stays cheap.
  static constexpr int64_t kMinBlockRows = 96, kMinBlockCols = 512,
                           kMaxBlocks = 8;
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

LogicalResult lowerMatmul(linalg::MatmulOp op) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  OpBuilder b(op);
  GemmEmitter e(b, op.getLoc());
  auto shape = [&](int i) { return shapeOf(op->getOperand(i)); };
  auto matrix = [&](int i) {
    return Matrix{e.addressOf(op->getOperand(i), e.c(0)),
                  e.c((*strides)[i][0])};
  };
  e.gemm(shape(0)[0], shape(1)[1], shape(0)[1], matrix(0), matrix(1),
         matrix(2));
  op.erase();
  return success();
}

LogicalResult lowerBatchMatmul(linalg::BatchMatmulOp op) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  OpBuilder b(op);
  GemmEmitter e(b, op.getLoc());
  auto shape = [&](int i) { return shapeOf(op->getOperand(i)); };
  int64_t batches = shape(0)[0];
  auto loop = scf::ForOp::create(b, op.getLoc(), e.c(0), e.c(batches), e.c(1));
  b.setInsertionPointToStart(loop.getBody());
  Value batch = loop.getInductionVar();
  auto matrix = [&](int i) {
    Value offset = arith::MulIOp::create(b, op.getLoc(), batch,
                                         e.c((*strides)[i][0]));
    return Matrix{e.addressOf(op->getOperand(i), offset),
                  e.c((*strides)[i][1])};
  };
  e.gemm(shape(0)[1], shape(1)[2], shape(0)[2], matrix(0), matrix(1),
         matrix(2));
  op.erase();
  return success();
}

/// conv_2d_nchw_fchw: per image, Y[F, OH*OW] += W[F, C*KH*KW] times the
/// input's patches, read in place for a 1x1 stride-1 kernel and gathered
/// into an im2col buffer otherwise.
LogicalResult lowerConv(linalg::Conv2DNchwFchwOp op) {
  auto strides = unitInnerStrides(op);
  if (!strides)
    return failure();
  Value input = op.getInputs()[0], filter = op.getInputs()[1],
        output = op.getOutputs()[0];
  auto in = shapeOf(input), w = shapeOf(filter), out = shapeOf(output);
  const auto &inS = (*strides)[0], &wS = (*strides)[1], &outS = (*strides)[2];
  // Each image's channels, and each filter's weights, must be one
  // row-major block; outputs likewise.
  if (inS[2] != in[3] || wS[0] != w[1] * w[2] * w[3] || wS[1] != w[2] * w[3] ||
      wS[2] != w[3] || outS[2] != out[3] || outS[1] != out[2] * out[3])
    return failure();
  SmallVector<int64_t> convStrides(op.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
  bool direct = w[2] == 1 && w[3] == 1 && convStrides[0] == 1 &&
                convStrides[1] == 1 && in[2] == out[2] && in[3] == out[3] &&
                inS[1] == in[2] * in[3];
  Location loc = op.getLoc();
  OpBuilder b(op);
  GemmEmitter e(b, loc);
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
  Matrix result{e.addressOf(output, arith::MulIOp::create(b, loc, image,
                                                          e.c(outS[0]))),
                e.c(pixels)};
  Matrix rhs;
  if (direct) {
    rhs = {e.addressOf(input,
                       arith::MulIOp::create(b, loc, image, e.c(inS[0]))),
           e.c(inS[1])};
  } else {
    anvil::host::fillPatches(b, loc, input, image, patches, w, out,
                             convStrides, dilations);
    rhs = {e.addressOf(patches, e.c(0)), e.c(pixels)};
  }
  e.gemm(w[0], pixels, depth, lhs, rhs, result);
  b.setInsertionPointAfter(loop);
  if (patches)
    memref::DeallocOp::create(b, loc, patches);
  op.erase();
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
      if (op.hasPureBufferSemantics() && anvil::host::takesGemmKernel(op))
        targets.push_back(op);
    });
    bool any = false;
    for (linalg::LinalgOp op : targets) {
      LogicalResult lowered =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case([](linalg::MatmulOp m) { return lowerMatmul(m); })
              .Case([](linalg::BatchMatmulOp m) { return lowerBatchMatmul(m); })
              .Case([](linalg::Conv2DNchwFchwOp c) { return lowerConv(c); })
              .Default([](Operation *) { return failure(); });
      any |= succeeded(lowered);
    }
    if (any)
      declareKernel(module);
  }

  static void declareKernel(ModuleOp module) {
    if (module.lookupSymbol(kGemmSymbol))
      return;
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    Type i64 = b.getI64Type(), ptr = LLVM::LLVMPointerType::get(b.getContext());
    auto type = b.getFunctionType(
        {i64, i64, i64, ptr, i64, ptr, i64, ptr, i64, b.getI32Type()}, {});
    auto decl = func::FuncOp::create(b, module.getLoc(), kGemmSymbol, type);
    decl.setPrivate();
  }
};
} // namespace
