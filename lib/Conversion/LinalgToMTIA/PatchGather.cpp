//===- PatchGather.cpp - Implicit im2col for DPE products -----------------===//
//
// A convolution's B slices gathered from its image by DMA, one 2-D window
// per (tap, output row) the slice touches, instead of read from an im2col
// matrix that a vector-core job wrote through DRAM.
//
//===----------------------------------------------------------------------===//

#include "PatchGather.h"
#include "KernelBuilding.h"

#include "anvil/Dialect/MTIA/IR/MTIAOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <algorithm>

using namespace mlir;
using namespace anvil::mtia;

int64_t Patches::borderElements() const {
  return std::max({top * width, bottom * width, sourceHeight() * left,
                   sourceHeight() * right});
}

bool anvil::mtia::isPointwise(linalg::Conv2DNchwFchwOp op) {
  auto w = cast<MemRefType>(op.getInputs()[1].getType()).getShape();
  return w[2] == 1 && w[3] == 1 &&
         llvm::all_of(op.getStrides().getValues<int64_t>(),
                      [](int64_t s) { return s == 1; });
}

std::optional<Patches>
anvil::mtia::gatherablePatches(linalg::Conv2DNchwFchwOp op, Type input,
                               const anvil::target::TargetDesc &machine,
                               bool implicitPatches, bool sramStaging) {
  auto shapeOf = [](Value v) {
    return cast<MemRefType>(v.getType()).getShape();
  };
  Value image = op.getInputs()[0];
  auto x = shapeOf(image), w = shapeOf(op.getInputs()[1]),
       y = shapeOf(op.getOutputs()[0]);
  auto strides = llvm::to_vector(op.getStrides().getValues<int64_t>());
  auto dilations = llvm::to_vector(op.getDilations().getValues<int64_t>());
  bool splits = strides[1] > 1;
  Type element = cast<MemRefType>(image.getType()).getElementType();
  if (!implicitPatches || !sramStaging || input.isInteger(8) ||
      isPointwise(op) || x[3] % strides[1] != 0 || (splits && !element.isF32()))
    return std::nullopt;
  const auto &sram = machine.level(anvil::target::MemoryLevel::SRAM);
  int64_t staged = (x[0] * x[1] * x[2] * x[3] + w[0] * w[1] * w[2] * w[3]) *
                   elementBytes(input);
  if (4 * y[3] * elementBytes(input) < sram.transactionBytes ||
      staged > sram.capacityBytes)
    return std::nullopt;
  return Patches{x[1],       x[2],         x[3],         w[3], strides[0],
                 strides[1], dilations[0], dilations[1], y[3]};
}

std::optional<Patches>
anvil::mtia::padWhileStaging(Patches p, const anvil::PaddedInput &padding,
                             Type input,
                             const anvil::target::TargetDesc &machine) {
  p.top = padding.top;
  p.bottom = padding.bottom;
  p.left = padding.left;
  p.right = padding.right;
  int64_t local =
      machine.level(anvil::target::MemoryLevel::Local).capacityBytes;
  if (p.sourceWidth() % p.strideW != 0 ||
      2 * p.borderElements() * elementBytes(input) > local)
    return std::nullopt;
  return p;
}

void anvil::mtia::zeroBorders(OpBuilder &b, Location loc, const Patches &p,
                              Value planes, int64_t count, Value pe,
                              int64_t pes,
                              function_ref<Value(int64_t, int64_t)> zeros) {
  IndexMath x{b, loc};
  Value all = zeros(1, p.borderElements());
  Type type = cast<MemRefType>(all.getType()).getElementType();
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
  linalg::FillOp::create(b, loc, zero, all);
  MLIRContext *ctx = b.getContext();
  CoreCostOp::create(b, loc, x.c(p.borderElements()),
                     x.c(p.borderElements() * elementBytes(type)),
                     TypeAttr::get(type),
                     MemorySpaceAttr::get(ctx, MemorySpace::Local));
  auto loop = scf::ForOp::create(b, loc, pe, x.c(count), x.c(pes));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value first = x.mul(loop.getInductionVar(), x.c(p.height));
  int64_t inside = p.sourceHeight();
  // Rows above, rows below, then the columns either side of the rows
  // between them: a strided image's rows are split into phases, where
  // padded column w is column (w % strideW) * width / strideW + w /
  // strideW.
  struct Strip {
    int64_t row, column, rows, columns;
  };
  SmallVector<Strip> strips = {{0, 0, p.top, p.width},
                               {p.height - p.bottom, 0, p.bottom, p.width}};
  if (p.strideW == 1) {
    strips.push_back({p.top, 0, inside, p.left});
    strips.push_back({p.top, p.width - p.right, inside, p.right});
  } else {
    auto column = [&](int64_t w) {
      return w % p.strideW * (p.width / p.strideW) + w / p.strideW;
    };
    for (int64_t w = 0; w < p.left; ++w)
      strips.push_back({p.top, column(w), inside, 1});
    for (int64_t w = p.width - p.right; w < p.width; ++w)
      strips.push_back({p.top, column(w), inside, 1});
  }
  Value last;
  for (const Strip &s : strips) {
    if (s.rows == 0 || s.columns == 0)
      continue;
    SmallVector<OpFoldResult> offsets = {x.add(first, x.c(s.row)),
                                         b.getIndexAttr(s.column)},
                              sizes = {b.getIndexAttr(s.rows),
                                       b.getIndexAttr(s.columns)},
                              strides(2, b.getIndexAttr(1));
    Value strip =
        memref::SubViewOp::create(b, loc, planes, offsets, sizes, strides);
    last = DMAOp::create(b, loc, token(b), zeros(s.rows, s.columns), strip);
  }
  // The DMA engine runs in order: the last in means all are.
  WaitOp::create(b, loc, ValueRange{last});
}

Value anvil::mtia::gatherPatches(OpBuilder &b, Location loc, const Patches &p,
                                 Value image, Value k0, Value depth, Value j0,
                                 Value cols, Value slot, Value none) {
  IndexMath x{b, loc};
  auto max = [&](Value l, Value r) -> Value {
    return arith::MaxUIOp::create(b, loc, l, r);
  };
  Value channels = x.c(p.channels), outW = x.c(p.outW), one = x.c(1);
  Value kEnd = x.add(k0, depth), jEnd = x.add(j0, cols);
  // Reduction index k = tap * channels + c, tap = r * kernelW + s; column
  // j = oh * outW + ow.
  Value firstTap = x.div(k0, channels);
  Value endTap = x.add(x.div(x.sub(kEnd, one), channels), one);
  Value firstRow = x.div(j0, outW);
  Value endRow = x.add(x.div(x.sub(jEnd, one), outW), one);
  auto taps =
      scf::ForOp::create(b, loc, firstTap, endTap, one, ValueRange{none});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(taps.getBody());
  Value tap = taps.getInductionVar(), tapK = x.mul(tap, channels);
  Value c0 = x.sub(max(k0, tapK), tapK);
  Value count = x.sub(x.sub(x.min(kEnd, x.add(tapK, channels)), tapK), c0);
  Value slotRow = x.sub(x.add(tapK, c0), k0);
  Value r = x.div(tap, x.c(p.kernelW)), s = x.rem(tap, x.c(p.kernelW));
  // Tap s reads pixels ow * strideW + s * dilationW: phase (s * dilationW)
  // % strideW, from (s * dilationW) / strideW on.
  Value shift = x.mul(s, x.c(p.dilationW)), strideW = x.c(p.strideW);
  Value tapColumn =
      x.add(x.mul(x.rem(shift, strideW), x.c(p.width / p.strideW)),
            x.div(shift, strideW));
  Value tapRow = x.mul(r, x.c(p.dilationH));
  // Channel c's row ih of the image is row c * height + ih of the matrix.
  Value firstChannel = x.mul(c0, x.c(p.height));
  auto rows = scf::ForOp::create(b, loc, firstRow, endRow, one,
                                 ValueRange{taps.getRegionIterArg(0)});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(rows.getBody());
    Value oh = rows.getInductionVar(), rowJ = x.mul(oh, outW);
    Value ow0 = x.sub(max(j0, rowJ), rowJ);
    Value length = x.sub(x.sub(x.min(jEnd, x.add(rowJ, outW)), rowJ), ow0);
    Value imageRow =
        x.add(firstChannel, x.add(x.mul(oh, x.c(p.strideH)), tapRow));
    Value column = x.add(tapColumn, ow0);
    Value slotColumn = x.sub(x.add(rowJ, ow0), j0);
    // The tap's channels are `height` rows apart.
    SmallVector<OpFoldResult> offsets = {imageRow, column},
                              sizes = {count, length},
                              strides = {b.getIndexAttr(p.height),
                                         b.getIndexAttr(1)};
    Value window =
        memref::SubViewOp::create(b, loc, image, offsets, sizes, strides);
    Value moved = DMAOp::create(
        b, loc, token(b), window,
        subview2D(b, loc, slot, slotRow, slotColumn, count, length));
    scf::YieldOp::create(b, loc, moved);
  }
  scf::YieldOp::create(b, loc, rows.getResult(0));
  return taps.getResult(0);
}

Value anvil::mtia::imageRows(OpBuilder &b, Location loc, const Patches &p,
                             Value staged, Value first) {
  bool strided = p.strideW > 1;
  int64_t rows = strided ? p.channels * p.height : p.channels;
  SmallVector<OpFoldResult> offsets = {first, b.getIndexAttr(0)},
                            sizes = {b.getIndexAttr(rows),
                                     b.getIndexAttr(p.imageElements() / rows)};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  Value matrix =
      memref::SubViewOp::create(b, loc, staged, offsets, sizes, strides);
  if (strided)
    return matrix;
  Value image = memref::ExpandShapeOp::create(
      b, loc, SmallVector<int64_t>{p.channels, p.height, p.width}, matrix,
      SmallVector<mlir::ReassociationIndices>{{0}, {1, 2}});
  return memref::CollapseShapeOp::create(
      b, loc, image, SmallVector<mlir::ReassociationIndices>{{0, 1}, {2}});
}

Value anvil::mtia::splitIntoPhases(OpBuilder &b, Location loc, int64_t phases,
                                   Value wide, Value narrow, Value rows,
                                   Value cols, Value firstColumn, Value copy,
                                   Value copyRow, int64_t copyWidth,
                                   int64_t leftPad) {
  IndexMath x{b, loc};
  auto shape = cast<MemRefType>(narrow.getType()).getShape();
  int64_t stepRows = shape[0], runs = shape[1] / phases;
  auto split = [&](Value view, int64_t d1, int64_t d2) -> Value {
    return memref::ExpandShapeOp::create(
        b, loc, SmallVector<int64_t>{stepRows, d1, d2}, view,
        SmallVector<mlir::ReassociationIndices>{{0}, {1, 2}});
  };
  MLIRContext *ctx = b.getContext();
  Type input = cast<MemRefType>(narrow.getType()).getElementType();
  Type f32 = cast<MemRefType>(wide.getType()).getElementType();
  AffineExpr r, p, q;
  bindDims(ctx, r, p, q);
  auto read = AffineMap::get(3, 0, {r, q, p}, ctx);
  auto write = AffineMap::getMultiDimIdentityMap(3, ctx);
  linalg::GenericOp::create(
      b, loc, TypeRange{}, ValueRange{split(wide, runs, phases)},
      ValueRange{split(narrow, phases, runs)}, ArrayRef<AffineMap>{read, write},
      SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value rounded = arith::TruncFOp::create(nb, nl, input, args[0]);
        linalg::YieldOp::create(nb, nl, rounded);
      });
  int64_t elements = stepRows * shape[1];
  CoreCostOp::create(b, loc, x.c(elements),
                     x.c(elements * (elementBytes(f32) + elementBytes(input))),
                     TypeAttr::get(f32),
                     MemorySpaceAttr::get(ctx, MemorySpace::Local));
  // Columns c0 .. c0 + m of the step's rows: phase p's are m / phases
  // pixels from p * copyWidth / phases + c0 / phases in the copy.
  Value stepRuns = x.div(cols, x.c(phases));
  Value firstRun = x.div(firstColumn, x.c(phases));
  Value out;
  for (int64_t phase = 0; phase < phases; ++phase) {
    // Source pixel c0 + q * phases + phase is pixel leftPad + c0 + q *
    // phases + phase of the padded row: in phase (leftPad + phase) %
    // phases, at c0 / phases + q + (leftPad + phase) / phases.
    int64_t lands = (leftPad + phase) % phases,
            shift = (leftPad + phase) / phases;
    Value from =
        subview2D(b, loc, narrow, x.c(0), x.c(phase * runs), rows, stepRuns);
    Value to =
        subview2D(b, loc, copy, copyRow,
                  x.add(x.c(lands * copyWidth / phases + shift), firstRun),
                  rows, stepRuns);
    out = DMAOp::create(b, loc, token(b), from, to);
  }
  return out;
}
