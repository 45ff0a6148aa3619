//===- SequenceOps.cpp - ONNX sequences as compile-time tensor lists ------===//
//
// Shapes are static, so a sequence is a list of tensor values whose length
// and order the importer knows: SequenceInsert builds a longer list,
// SequenceAt picks an element, ConcatFromSequence concatenates. Positions
// must therefore be constants (--bind-input can fix graph inputs).
// Sequence-typed graph inputs and outputs are not supported.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

using Sequence = NodeContext::Sequence;

/// The sequence input `i`; failure (reported) when it is not a sequence.
FailureOr<Sequence> sequenceAt(NodeContext &n, int i) {
  if (const Sequence *seq = n.sequenceInput(i))
    return *seq;
  return (void)n.invalid("input " + Twine(i) + " is not a sequence"), failure();
}

/// A constant position from input `i`, normalized against `size`; valid
/// positions are [-size, size - 1], or [-size, size] when `allowEnd`.
FailureOr<int64_t> position(NodeContext &n, int i, int64_t size,
                            bool allowEnd) {
  auto given = n.constInts(i);
  if (!given)
    return (void)n.needsConstant(i, "the position"), failure();
  if (given->size() != 1)
    return (void)n.invalid("the position must be a scalar"), failure();
  int64_t pos = (*given)[0];
  int64_t limit = allowEnd ? size : size - 1;
  if (pos < -size || pos > limit)
    return (void)n.invalid("position " + Twine(pos) + " is outside a sequence "
                           "of " + Twine(size) + " tensors"),
           failure();
  return pos < 0 ? pos + size : pos;
}

LogicalResult importSequenceEmpty(NodeContext &n) {
  if (failed(n.checkAttributes({"dtype"})))
    return failure();
  n.setSequenceOutput(0, {});
  return success();
}

LogicalResult importSequenceConstruct(NodeContext &n) {
  Sequence elements;
  for (int i = 0; i < n.numInputs(); ++i) {
    if (!n.input(i))
      return n.invalid("every input must be a tensor");
    elements.push_back(n.input(i));
  }
  n.setSequenceOutput(0, std::move(elements));
  return success();
}

LogicalResult importSequenceInsert(NodeContext &n) {
  auto seq = sequenceAt(n, 0);
  if (failed(seq))
    return failure();
  if (!n.input(1))
    return n.invalid("the inserted value must be a tensor");
  int64_t at = seq->size();
  if (n.input(2)) {
    auto pos = position(n, 2, seq->size(), /*allowEnd=*/true);
    if (failed(pos))
      return failure();
    at = *pos;
  }
  seq->insert(seq->begin() + at, n.input(1));
  n.setSequenceOutput(0, std::move(*seq));
  return success();
}

LogicalResult importSequenceErase(NodeContext &n) {
  auto seq = sequenceAt(n, 0);
  if (failed(seq))
    return failure();
  if (seq->empty())
    return n.invalid("erasing from an empty sequence");
  int64_t at = seq->size() - 1;
  if (n.input(1)) {
    auto pos = position(n, 1, seq->size(), /*allowEnd=*/false);
    if (failed(pos))
      return failure();
    at = *pos;
  }
  seq->erase(seq->begin() + at);
  n.setSequenceOutput(0, std::move(*seq));
  return success();
}

LogicalResult importSequenceAt(NodeContext &n) {
  auto seq = sequenceAt(n, 0);
  if (failed(seq))
    return failure();
  auto pos = position(n, 1, seq->size(), /*allowEnd=*/false);
  if (failed(pos))
    return failure();
  return n.setOutputs((*seq)[*pos]);
}

LogicalResult importSequenceLength(NodeContext &n) {
  auto seq = sequenceAt(n, 0);
  if (failed(seq))
    return failure();
  return n.setOutputs(n.constant(DenseElementsAttr::get(
      RankedTensorType::get({}, n.b.getI64Type()),
      static_cast<int64_t>(seq->size()))));
}

LogicalResult importConcatFromSequence(NodeContext &n) {
  if (failed(n.checkAttributes({"axis", "new_axis"})))
    return failure();
  auto seq = sequenceAt(n, 0);
  if (failed(seq))
    return failure();
  if (seq->empty())
    return n.invalid("concatenating an empty sequence");
  bool newAxis = n.getInt("new_axis", 0);
  for (Value v : *seq)
    if (typeOf(v).getRank() != typeOf(seq->front()).getRank())
      return n.invalid("the sequence's tensors have different ranks");
  int64_t rank = typeOf(seq->front()).getRank() + newAxis;
  int64_t axis = n.getInt("axis", 0);
  axis = axis < 0 ? axis + rank : axis;
  if (axis < 0 || axis >= rank)
    return n.invalid("axis out of range");
  NNBuilder nb(n.b, n.loc);
  Sequence parts;
  for (Value v : *seq) {
    SmallVector<int64_t> shape(typeOf(v).getShape());
    if (newAxis)
      shape.insert(shape.begin() + axis, 1);
    parts.push_back(nb.reshape(v, shape));
  }
  Value y = nb.concat(parts, axis);
  return n.finish(nb, y);
}

/// Chunk sizes along an axis of `dim` elements: ones by default, equal
/// chunks of a scalar split (the last smaller), or the given sizes.
/// A sequence is unrolled into one value per element: a split into more
/// parts than this is refused rather than imported for minutes.
constexpr int64_t kMaxSequenceParts = int64_t(1) << 16;

FailureOr<SmallVector<int64_t>> splitSizes(NodeContext &n, int64_t dim) {
  if (ShapedType::isDynamic(dim))
    return (void)n.invalid("needs a static dimension to split"), failure();
  auto tooMany = [&](int64_t parts) {
    if (parts <= kMaxSequenceParts)
      return false;
    (void)n.invalid("would make " + Twine(parts) +
                    " tensors; a sequence is unrolled into one value each, "
                    "at most " + Twine(kMaxSequenceParts));
    return true;
  };
  if (!n.input(1)) {
    if (tooMany(dim))
      return failure();
    return SmallVector<int64_t>(dim, 1);
  }
  auto given = n.constInts(1);
  if (!given)
    return (void)n.needsConstant(1, "split"), failure();
  SmallVector<int64_t> sizes;
  if (n.inputType(1).getRank() == 0) {
    int64_t chunk = (*given)[0];
    if (chunk < 1)
      return (void)n.invalid("split must be positive"), failure();
    if (tooMany(llvm::divideCeil(dim, chunk)))
      return failure();
    for (int64_t left = dim; left > 0; left -= chunk)
      sizes.push_back(std::min(chunk, left));
    return sizes;
  }
  int64_t total = 0;
  for (int64_t s : *given)
    total += s;
  if (total != dim || llvm::any_of(*given, [](int64_t s) { return s < 0; }))
    return (void)n.invalid("split sizes do not add up to the dimension"),
           failure();
  return *given;
}

LogicalResult importSplitToSequence(NodeContext &n) {
  if (failed(n.checkAttributes({"axis", "keepdims"})))
    return failure();
  RankedTensorType in = n.inputType(0);
  int64_t axis = n.getInt("axis", 0);
  axis = axis < 0 ? axis + in.getRank() : axis;
  if (axis < 0 || axis >= in.getRank())
    return n.invalid("axis out of range");
  auto sizes = splitSizes(n, in.getDimSize(axis));
  if (failed(sizes))
    return failure();
  // keepdims applies only to the default split into ones.
  bool squeeze = !n.input(1) && !n.getInt("keepdims", 1);
  NNBuilder nb(n.b, n.loc);
  Sequence parts;
  int64_t start = 0;
  for (int64_t size : *sizes) {
    Value part = nb.slice(n.input(0), axis, start, size);
    start += size;
    if (squeeze) {
      SmallVector<int64_t> shape(in.getShape());
      shape.erase(shape.begin() + axis);
      part = nb.reshape(part, shape);
    }
    parts.push_back(part);
  }
  if (nb.failed())
    return n.report(nb.error);
  n.setSequenceOutput(0, std::move(parts));
  return success();
}

} // namespace

void anvil::onnx_import::addSequenceOps(OpTable &t) {
  t["SequenceEmpty"] = {importSequenceEmpty, 11, 0};
  t["SequenceConstruct"] = {importSequenceConstruct, 11};
  t["SequenceInsert"] = {importSequenceInsert, 11, 2};
  t["SequenceErase"] = {importSequenceErase, 11};
  t["SequenceAt"] = {importSequenceAt, 11, 2};
  t["SequenceLength"] = {importSequenceLength, 11};
  t["ConcatFromSequence"] = {importConcatFromSequence, 11};
  t["SplitToSequence"] = {importSplitToSequence, 11};
}
