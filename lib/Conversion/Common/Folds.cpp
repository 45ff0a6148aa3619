//===- Folds.cpp - What a product kernel can fold into itself -------------===//

#include "anvil/Conversion/Folds.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace anvil;

bool anvil::rowMajorFrom(ArrayRef<int64_t> strides, ArrayRef<int64_t> shape,
                         unsigned from) {
  int64_t expected = 1;
  for (unsigned d = shape.size(); d-- > from;) {
    if (strides[d] != expected)
      return false;
    expected *= shape[d];
  }
  return true;
}

static bool isIdentityCopyBody(Block &body) {
  return body.getOperations().size() == 1 &&
         body.getTerminator()->getOperand(0) == body.getArgument(0);
}

/// `init` broadcasts a contiguous f32 vector along the channels of the
/// NCHW `out`: that vector.
static Value channelBias(Operation *init, Value out) {
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

bool anvil::isZeroFill(Operation *init, Value out) {
  auto fill = dyn_cast_if_present<linalg::FillOp>(init);
  FloatAttr value;
  return fill && fill.getDpsInits()[0] == out &&
         matchPattern(fill.getDpsInputs()[0], m_Constant(&value)) &&
         value.getValue().isZero();
}

/// The bounds a one-input generic clamps its input to (maximumf /
/// minimumf of the element and f32 constants, as ReLU and Clip lower), if
/// its body is such a clamp.
static std::optional<std::pair<double, double>>
clampBodyBounds(linalg::GenericOp generic) {
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

/// Whether `generic` has one input and one output, both read and written
/// element for element.
static bool isOneToOne(linalg::GenericOp generic) {
  return generic.getNumDpsInputs() == 1 && generic.getNumDpsInits() == 1 &&
         generic.getNumReductionLoops() == 0 &&
         llvm::all_of(generic.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); });
}

/// The bounds of an in-place clamp of `out`, if `op` is one.
static std::optional<std::pair<double, double>> clampBounds(Operation *op,
                                                            Value out) {
  auto generic = dyn_cast_if_present<linalg::GenericOp>(op);
  if (!generic || !isOneToOne(generic) || generic.getDpsInputs()[0] != out ||
      generic.getDpsInits()[0] != out)
    return std::nullopt;
  return clampBodyBounds(generic);
}

bool anvil::isClampOfProduct(Operation *op) {
  auto generic = dyn_cast_if_present<linalg::GenericOp>(op);
  if (!generic || !isOneToOne(generic) || !clampBodyBounds(generic))
    return false;
  Operation *input = generic.getDpsInputs()[0].getDefiningOp();
  return isa_and_present<linalg::MatmulOp, linalg::BatchMatmulOp,
                         linalg::Conv2DNchwFchwOp, linalg::Conv2DNgchwGfchwOp,
                         linalg::DepthwiseConv2DNchwChwOp>(input);
}

Epilogue anvil::matchEpilogue(linalg::LinalgOp op, bool channelBiases) {
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

static bool fillsWithPositiveZero(Operation *o, Value buffer) {
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
static bool writesNoBuffer(Operation *o) {
  if (isMemoryEffectFree(o))
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(o);
  return effects && !effects.hasEffect<MemoryEffects::Write>() &&
         !effects.hasEffect<MemoryEffects::Free>();
}

std::optional<PaddedInput> anvil::matchPaddedInput(Operation *reader,
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
  auto sourceType = cast<MemRefType>(copy.getSource().getType());
  SmallVector<int64_t> sourceStrides;
  int64_t sourceOffset;
  if (failed(sourceType.getStridesAndOffset(sourceStrides, sourceOffset)) ||
      !sourceType.hasStaticShape() || ShapedType::isDynamic(sourceStrides[0]) ||
      !rowMajorFrom(sourceStrides, sourceType.getShape(), 1))
    return std::nullopt;
  PaddedInput p;
  p.source = copy.getSource();
  p.copy = copy;
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

