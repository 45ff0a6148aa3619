//===- Folds.cpp - What a product kernel can fold into itself -------------===//

#include "anvil/Conversion/Folds.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

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
  // Ops that touch no memory (views, constants) may sit in between, and
  // before the op new buffers too.
  Operation *before = op->getPrevNode();
  while (before && (isMemoryEffectFree(before) || isa<memref::AllocOp>(before)))
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

/// The buffer a view is of: `v` through view-like ops to their source.
static Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether `v` is a contiguous f32 buffer of `shape`.
static bool isContiguousF32(Value v, ArrayRef<int64_t> shape) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.hasStaticShape() && type.getShape() == shape &&
         type.getLayout().isIdentity() && type.getElementType().isF32();
}

/// Whether nothing after `last` reads the values `out` holds then: `out`
/// is a buffer of its own whose next user after `last` (deallocations
/// aside) overwrites all of it without reading it, or has none.
static bool deadAfter(Value out, Operation *last) {
  if (!out.getDefiningOp<memref::AllocOp>())
    return false;
  Operation *next = nullptr;
  for (Operation *user : out.getUsers()) {
    if (isa<memref::DeallocOp>(user))
      continue;
    Operation *at = last->getBlock()->findAncestorOpInBlock(*user);
    if (!at)
      return false;
    if (last->isBeforeInBlock(at) && (!next || at->isBeforeInBlock(next)))
      next = at;
  }
  if (!next)
    return true;
  auto overwrite = dyn_cast<linalg::LinalgOp>(next);
  if (!overwrite || overwrite.getNumDpsInits() != 1 ||
      overwrite.getDpsInits()[0] != out ||
      llvm::is_contained(overwrite.getDpsInputs(), out))
    return false;
  OpOperand *init = overwrite.getDpsInitOperand(0);
  return overwrite.getMatchingIndexingMap(init).isPermutation() &&
         !overwrite.payloadUsesValueFromOperand(init);
}

/// Whether `generic`'s body computes from its inputs alone, with ops that
/// touch no memory and hold no regions.
static bool isPlainElementwiseBody(linalg::GenericOp generic) {
  Block &body = generic.getRegion().front();
  if (!generic.getRegionOutputArgs()[0].use_empty())
    return false;
  return llvm::all_of(body.without_terminator(), [](Operation &op) {
    return op.getNumRegions() == 0 && isMemoryEffectFree(&op);
  });
}

/// The ops between `product` and `generic` that define `generic`'s
/// operands, which the product's kernel needs before it runs: new
/// buffers, and views of what is defined before the product. Null where
/// one of them cannot move there.
static std::optional<SmallVector<Operation *>>
definedInBetween(Operation *product, linalg::GenericOp generic) {
  SmallVector<Operation *> defs;
  for (Value operand : generic->getOperands()) {
    Operation *def = operand.getDefiningOp();
    if (!def || def->getBlock() != product->getBlock() ||
        def->isBeforeInBlock(product))
      continue;
    bool fresh = isa<memref::AllocOp>(def) && def->getNumOperands() == 0;
    bool view = isMemoryEffectFree(def) &&
                llvm::all_of(def->getOperands(), [&](Value v) {
                  Operation *d = v.getDefiningOp();
                  return !d || d->isBeforeInBlock(product);
                });
    if (!fresh && !view)
      return std::nullopt;
    if (!llvm::is_contained(defs, def))
      defs.push_back(def);
  }
  return defs;
}

SmallVector<Operation *> anvil::epilogueOperandDefs(linalg::LinalgOp product,
                                                    linalg::GenericOp generic) {
  return definedInBetween(product, generic)
      .value_or(SmallVector<Operation *>());
}

Value anvil::reshapedBuffer(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def))
      v = collapse.getSrc();
    else if (auto expand = dyn_cast<memref::ExpandShapeOp>(def))
      v = expand.getSrc();
    else
      break;
  }
  return v;
}

std::optional<SmallVector<EpilogueRead>>
anvil::epilogueReads(linalg::LinalgOp product, linalg::GenericOp generic) {
  Value out = product.getDpsInits()[0];
  auto outType = cast<MemRefType>(out.getType());
  if (generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 0 ||
      !isPlainElementwiseBody(generic) || !outType.hasStaticShape())
    return std::nullopt;
  // The loops run over the elements of the product's output, as the
  // output of the op lays them out.
  SmallVector<int64_t> loops = generic.getStaticLoopRanges();
  OpOperand *init = generic.getDpsInitOperand(0);
  if (!generic.getMatchingIndexingMap(init).isIdentity() ||
      !isContiguousF32(init->get(), loops) ||
      ShapedType::getNumElements(loops) != outType.getNumElements())
    return std::nullopt;
  MLIRContext *ctx = generic.getContext();
  AffineMap lastLoop =
      AffineMap::get(loops.size(), 0, getAffineDimExpr(loops.size() - 1, ctx));
  // A vector along the last loop is a C tile's columns only where the
  // kernel's C matrix is the output itself.
  bool columns = isa<linalg::MatmulOp>(product.getOperation()) &&
                 loops.back() == outType.getShape().back();
  SmallVector<EpilogueRead> reads;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    Value v = input->get();
    if (map.isIdentity() && isContiguousF32(v, loops))
      reads.push_back(reshapedBuffer(v) == out ? EpilogueRead::Product
                                               : EpilogueRead::Tile);
    else if (columns && map == lastLoop && isContiguousF32(v, {loops.back()}))
      reads.push_back(EpilogueRead::Columns);
    else
      return std::nullopt;
  }
  if (!llvm::is_contained(reads, EpilogueRead::Product))
    return std::nullopt;
  return reads;
}

linalg::GenericOp anvil::matchElementwiseEpilogue(linalg::LinalgOp product) {
  Value out = product.getDpsInits()[0];
  // Views, constants and new buffers may sit in between.
  auto next = [](Operation *op) {
    op = op->getNextNode();
    while (op && (isMemoryEffectFree(op) || isa<memref::AllocOp>(op)))
      op = op->getNextNode();
    return op;
  };
  Operation *after = next(product);
  if (after && clampBounds(after, out))
    after = next(after);
  auto generic = dyn_cast_if_present<linalg::GenericOp>(after);
  if (!generic || !epilogueReads(product, generic) ||
      !definedInBetween(product, generic))
    return nullptr;
  Value written = generic.getDpsInits()[0];
  if (reshapedBuffer(written) == out)
    return generic;
  if (!deadAfter(out, generic))
    return nullptr;
  // Written elsewhere than C: the product reads its inputs and, where one is a
  // padded copy that its kernel may take the source of instead, that source.
  SmallVector<Value> read;
  auto copiedFrom = [&](Operation *op) {
    if (auto copy = dyn_cast<memref::CopyOp>(op))
      read.push_back(rootBuffer(copy.getSource()));
  };
  for (Value input : product.getDpsInputs()) {
    Value root = rootBuffer(input);
    read.push_back(root);
    for (Operation *user : root.getUsers()) {
      copiedFrom(user);
      for (Operation *viewUser : user->getUsers())
        copiedFrom(viewUser);
    }
  }
  if (llvm::is_contained(read, rootBuffer(written)))
    return nullptr;
  return generic;
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

