//===- Quantize.cpp - f32 products quantized for an i8 DPE ----------------===//
//
// The quantization job and the tiles' rescale of the i8 precision policy
// (Quantize.h). Both are ordinary code on the vector cores, charged with
// mtia.core_cost.
//
//===----------------------------------------------------------------------===//

#include "Quantize.h"
#include "KernelBuilding.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace anvil::mtia;
using anvil::target::TargetDesc;

namespace {

/// The largest magnitude of an i8: a row's or column's largest magnitude
/// maps to it.
constexpr float kLevels = std::numeric_limits<int8_t>::max();

Value f32Constant(OpBuilder &b, Location loc, float v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

/// How a matrix is quantized: one scale per row (A) or per column (B).
enum class Axis { Rows, Columns };

/// The map from a matrix's (row, column) iteration to its scale.
AffineMap scaleMap(MLIRContext *ctx, Axis axis) {
  return AffineMap::get(2, 0, getAffineDimExpr(axis == Axis::Rows ? 0 : 1, ctx),
                        ctx);
}

/// max[s] = the largest |x| of the row or column s of `matrix`.
void largestMagnitudes(OpBuilder &b, Location loc, Value matrix, Value max,
                       Axis axis) {
  MLIRContext *ctx = b.getContext();
  linalg::FillOp::create(b, loc, f32Constant(b, loc, 0), max);
  // Iterate (row, column) of the matrix with the reduced dimension second.
  AffineExpr s = getAffineDimExpr(0, ctx), r = getAffineDimExpr(1, ctx);
  AffineMap in = axis == Axis::Rows ? AffineMap::get(2, 0, {s, r}, ctx)
                                    : AffineMap::get(2, 0, {r, s}, ctx);
  AffineMap out = AffineMap::get(2, 0, s, ctx);
  linalg::GenericOp::create(
      b, loc, TypeRange{}, ValueRange{matrix}, ValueRange{max},
      ArrayRef<AffineMap>{in, out},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                    utils::IteratorType::reduction},
      [](OpBuilder &nb, Location nl, ValueRange args) {
        Value magnitude = math::AbsFOp::create(nb, nl, args[0]);
        linalg::YieldOp::create(
            nb, nl,
            arith::MaximumFOp::create(nb, nl, args[1], magnitude).getResult());
      });
}

/// q = round(127 x / max) as i8 (round half to even), 0 where max is 0.
void quantizeMatrix(OpBuilder &b, Location loc, Value matrix, Value max,
                    Value quantized, Axis axis) {
  MLIRContext *ctx = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  linalg::GenericOp::create(
      b, loc, TypeRange{}, ValueRange{matrix, max}, ValueRange{quantized},
      ArrayRef<AffineMap>{identity, scaleMap(ctx, axis), identity},
      SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
      [](OpBuilder &nb, Location nl, ValueRange args) {
        Value zero = f32Constant(nb, nl, 0);
        Value step = arith::DivFOp::create(nb, nl, f32Constant(nb, nl, kLevels),
                                           args[1]);
        Value scaled = arith::MulFOp::create(nb, nl, args[0], step);
        Value level = arith::FPToSIOp::create(
            nb, nl, nb.getI8Type(), math::RoundEvenOp::create(nb, nl, scaled));
        Value positive = arith::CmpFOp::create(
            nb, nl, arith::CmpFPredicate::OGT, args[1], zero);
        Value none = arith::ConstantIntOp::create(nb, nl, nb.getI8Type(), 0);
        linalg::YieldOp::create(
            nb, nl,
            arith::SelectOp::create(nb, nl, positive, level, none).getResult());
      });
}

/// Rows [start, start + count) of `n` shared out to PE `pe` of `pes`.
std::pair<Value, Value> shareOf(IndexMath &x, Value pe, int64_t pes,
                                int64_t n) {
  int64_t chunk = llvm::divideCeil(n, pes);
  Value start = x.min(x.mul(pe, x.c(chunk)), x.c(n));
  return {start, x.min(x.c(chunk), x.sub(x.c(n), start))};
}

} // namespace

QuantizedOperands anvil::mtia::quantizeOperands(OpBuilder &b, Location loc,
                                                const TargetDesc &machine,
                                                Value a, Value bMat,
                                                StringRef name) {
  auto aShape = cast<MemRefType>(a.getType()).getShape();
  int64_t m = aShape[0], k = aShape[1];
  int64_t n = cast<MemRefType>(bMat.getType()).getShape()[1];
  auto alloc = [&](ArrayRef<int64_t> shape, Type type) -> Value {
    return allocateDRAM(b, loc, MemRefType::get(shape, type), machine);
  };
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  QuantizedOperands q{alloc({m, k}, i8), alloc({k, n}, i8), alloc({m}, f32),
                      alloc({n}, f32)};
  OpBuilder::InsertionGuard guard(b);
  int64_t pes = std::min<int64_t>(machine.numPEs(), std::max(m, n));
  Value pe = openKernel(b, loc, name, pes);
  IndexMath x{b, loc};
  auto [row, rows] = shareOf(x, pe, pes, m);
  auto [col, cols] = shareOf(x, pe, pes, n);
  Value aRows = subview2D(b, loc, a, row, x.c(0), rows, x.c(k));
  Value aMax = subview1D(b, loc, q.aMax, row, rows);
  largestMagnitudes(b, loc, aRows, aMax, Axis::Rows);
  quantizeMatrix(b, loc, aRows, aMax,
                 subview2D(b, loc, q.a, row, x.c(0), rows, x.c(k)), Axis::Rows);
  Value bCols = subview2D(b, loc, bMat, x.c(0), col, x.c(k), cols);
  Value bMax = subview1D(b, loc, q.bMax, col, cols);
  largestMagnitudes(b, loc, bCols, bMax, Axis::Columns);
  quantizeMatrix(b, loc, bCols, bMax,
                 subview2D(b, loc, q.b, x.c(0), col, x.c(k), cols),
                 Axis::Columns);
  // Per element: |x| and max, then divide, multiply, round, convert and
  // select; reads the f32 operand twice and writes a byte.
  Value elements = x.mul(x.add(rows, cols), x.c(k));
  CoreCostOp::create(b, loc, x.mul(elements, x.c(7)),
                     x.add(x.mul(elements, x.c(2 * 4 + 1)),
                           x.mul(x.add(rows, cols), x.c(2 * 4))),
                     TypeAttr::get(f32));
  return q;
}

void anvil::mtia::freeQuantized(OpBuilder &b, Location loc,
                                const QuantizedOperands &q) {
  for (Value buffer : {q.a, q.b, q.aMax, q.bMax})
    memref::DeallocOp::create(b, loc, buffer);
}

void anvil::mtia::rescaleTile(OpBuilder &b, Location loc, Value q, Value aMax,
                              Value bMax, Value c, bool accumulate) {
  MLIRContext *ctx = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  linalg::GenericOp::create(
      b, loc, TypeRange{}, ValueRange{q, aMax, bMax}, ValueRange{c},
      ArrayRef<AffineMap>{identity, scaleMap(ctx, Axis::Rows),
                          scaleMap(ctx, Axis::Columns), identity},
      SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
      [accumulate](OpBuilder &nb, Location nl, ValueRange args) {
        Value scale = arith::MulFOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, args[1], args[2]),
            f32Constant(nb, nl, 1.0f / (kLevels * kLevels)));
        Value sum = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), args[0]);
        Value value = arith::MulFOp::create(nb, nl, sum, scale);
        if (accumulate)
          value = arith::AddFOp::create(nb, nl, args[3], value);
        linalg::YieldOp::create(nb, nl, value);
      });
  IndexMath x{b, loc};
  Value rows = memref::DimOp::create(b, loc, q, 0);
  Value cols = memref::DimOp::create(b, loc, q, 1);
  // In local memory: the i32 sum read, the f32 tile written (and read
  // first when accumulating).
  Value elements = x.mul(rows, cols);
  int64_t f32Bytes = elementBytes(b.getF32Type());
  int64_t perElement =
      elementBytes(b.getI32Type()) + (accumulate ? 2 : 1) * f32Bytes;
  CoreCostOp::create(b, loc, x.mul(elements, x.c(4)),
                     x.mul(elements, x.c(perElement)),
                     TypeAttr::get(b.getF32Type()),
                     MemorySpaceAttr::get(b.getContext(), MemorySpace::Local));
}
