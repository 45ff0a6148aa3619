//===- EinsumOps.cpp - ONNX Einsum and TopK --------------------------------===//
//
// Einsum: repeated labels within an operand take a diagonal (a product
// with an identity mask, then a sum), labels no one else needs are summed
// out, and operands combine two at a time as one batched nn.matmul over
// [batch, free, contracted] layouts. TopK picks the k extremes one at a
// time with nn.arg_max, masking each pick out; k is small in practice.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

#include <cmath>

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

/// An operand and the label of each of its dimensions. Ellipsis dimensions
/// get the labels '0', '1', ... counted from the right, which no equation
/// can use itself.
struct Labeled {
  Value value;
  std::string labels;
};

/// Expands "..." in `term` for an operand of `rank` dimensions; returns
/// nullopt when the term does not fit the rank.
std::optional<std::string> expandTerm(StringRef term, int64_t rank,
                                      int64_t &ellipsisRank) {
  size_t dots = term.find("...");
  std::string letters = (term.take_front(dots == StringRef::npos ? term.size()
                                                                 : dots) +
                         (dots == StringRef::npos ? "" : term.drop_front(dots + 3)))
                            .str();
  if (!llvm::all_of(letters, [](char c) { return std::isalpha(c); }))
    return std::nullopt;
  if (dots == StringRef::npos)
    return int64_t(letters.size()) == rank ? std::optional(letters)
                                           : std::nullopt;
  int64_t extra = rank - int64_t(letters.size());
  if (extra < 0)
    return std::nullopt;
  ellipsisRank = std::max(ellipsisRank, extra);
  std::string ellipsis;
  for (int64_t i = extra - 1; i >= 0; --i)
    ellipsis.push_back(char('0' + i));
  return term.take_front(dots).str() + ellipsis + term.drop_front(dots + 3).str();
}

std::string ellipsisLabels(int64_t rank) {
  std::string labels;
  for (int64_t i = rank - 1; i >= 0; --i)
    labels.push_back(char('0' + i));
  return labels;
}

/// Sums out dimension `pos` of `op`.
void sumOut(NNBuilder &nb, Labeled &op, size_t pos) {
  op.value = nb.reduce(op.value, int(nn::ReduceKind::Sum), {int64_t(pos)},
                       false);
  op.labels.erase(pos, 1);
}

/// Replaces a label repeated in `op` by its diagonal.
void takeDiagonals(NNBuilder &nb, Labeled &op) {
  for (size_t p = 0; p < op.labels.size() && !nb.failed(); ++p) {
    size_t q = op.labels.find(op.labels[p], p + 1);
    if (q == std::string::npos)
      continue;
    RankedTensorType type = typeOf(op.value);
    int64_t n = type.getDimSize(p);
    if (type.getDimSize(q) != n) {
      nb.error.reason = "label '" + std::string(1, op.labels[p]) +
                        "' repeats in one term over sizes " +
                        std::to_string(n) + " and " +
                        std::to_string(type.getDimSize(q));
      return;
    }
    // The identity mask as positions along p equal to those along q: n
    // constants each, not n * n.
    SmallVector<int64_t> along(type.getRank(), 1), across(type.getRank(), 1);
    along[p] = across[q] = n;
    Value mask = nb.cast(
        nb.create<nn::EqualOp>({nb.iota(n, nb.b.getI64Type(), along),
                                nb.iota(n, nb.b.getI64Type(), across)}),
        type.getElementType());
    op.value = nb.create<nn::MulOp>({op.value, mask});
    sumOut(nb, op, q);
    --p; // the label may repeat again
  }
}

/// Sums out the labels of `op` that are not in `keep`.
void sumOutUnneeded(NNBuilder &nb, Labeled &op, StringRef keep) {
  for (size_t p = op.labels.size(); p-- > 0 && !nb.failed();)
    if (!keep.contains(op.labels[p]))
      sumOut(nb, op, p);
}

int64_t sizeOf(const Labeled &op, char label) {
  return typeOf(op.value).getDimSize(op.labels.find(label));
}

Value transposeTo(NNBuilder &nb, const Labeled &op, StringRef order) {
  SmallVector<int64_t> perm;
  for (char c : order)
    perm.push_back(op.labels.find(c));
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return op.value;
  return nb.transpose(op.value, perm);
}

/// a x b as [B, M, K] x [B, K, N], keeping the labels in `keep`.
Labeled contract(NNBuilder &nb, Labeled a, Labeled b, StringRef keep) {
  std::string batch, freeA, freeB, summed;
  for (char c : a.labels) {
    bool shared = b.labels.find(c) != std::string::npos;
    (shared ? (keep.contains(c) ? batch : summed) : freeA).push_back(c);
  }
  for (char c : b.labels)
    if (a.labels.find(c) == std::string::npos)
      freeB.push_back(c);
  auto product = [&](const Labeled &op, StringRef labels) {
    int64_t p = 1;
    for (char c : labels)
      p *= sizeOf(op, c);
    return p;
  };
  int64_t B = product(a, batch), M = product(a, freeA), K = product(a, summed),
          N = product(b, freeB);
  Value lhs = nb.reshape(transposeTo(nb, a, batch + freeA + summed), {B, M, K});
  Value rhs = nb.reshape(transposeTo(nb, b, batch + summed + freeB), {B, K, N});
  SmallVector<int64_t> shape;
  for (char c : batch + freeA)
    shape.push_back(sizeOf(a, c));
  for (char c : freeB)
    shape.push_back(sizeOf(b, c));
  Value product3 = nb.create<nn::MatMulOp>({lhs, rhs});
  return {nb.reshape(product3, shape), batch + freeA + freeB};
}

LogicalResult importEinsum(NodeContext &n) {
  if (failed(n.checkAttributes({"equation"})))
    return failure();
  std::string equation;
  for (char c : n.getString("equation", ""))
    if (c != ' ')
      equation.push_back(c);
  auto [lhs, rhs] = StringRef(equation).split("->");
  bool explicitOutput = StringRef(equation).contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (int(terms.size()) != n.numInputs())
    return n.invalid("the equation names " + Twine(terms.size()) +
                     " operands for " + Twine(n.numInputs()) + " inputs");
  SmallVector<Labeled> ops;
  int64_t ellipsisRank = 0;
  for (auto [i, term] : llvm::enumerate(terms)) {
    // Every operand is required: an empty name leaves no operand.
    if (!n.input(i))
      return n.invalid("input " + Twine(i) + " is missing: every operand "
                       "of the equation is required");
    auto labels = expandTerm(term, n.inputType(i).getRank(), ellipsisRank);
    if (!labels)
      return n.invalid("term '" + term + "' does not fit input " + Twine(i));
    ops.push_back({n.input(i), *labels});
  }
  std::string output;
  if (explicitOutput) {
    // The output's ellipsis stands for the widest input ellipsis.
    int64_t letters = rhs.size() - (rhs.contains("...") ? 3 : 0);
    int64_t unused = 0;
    auto expanded = expandTerm(rhs, letters + (rhs.contains("...") ? ellipsisRank : 0),
                               unused);
    if (!expanded)
      return n.invalid("the output term '" + rhs + "' is malformed");
    output = *expanded;
  } else {
    std::map<char, int> counts;
    for (const Labeled &op : ops)
      for (char c : op.labels)
        if (std::isalpha(c))
          ++counts[c];
    output = ellipsisLabels(ellipsisRank);
    for (auto [c, count] : counts)
      if (count == 1)
        output.push_back(c);
  }
  NNBuilder nb(n.b, n.loc);
  for (Labeled &op : ops)
    takeDiagonals(nb, op);
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string needed = output;
    for (size_t j = 0; j < ops.size(); ++j)
      if (j != i)
        needed += ops[j].labels;
    sumOutUnneeded(nb, ops[i], needed);
  }
  if (nb.failed())
    return n.report(nb.error);
  for (const Labeled &op : ops)
    for (const Labeled &other : ops)
      for (char c : op.labels)
        if (other.labels.find(c) != std::string::npos &&
            sizeOf(op, c) != sizeOf(other, c))
          return n.unsupported("label '" + Twine(c) +
                               "' has different sizes (broadcasting "
                               "ellipsis dimensions is not supported)");
  Labeled acc = ops.front();
  for (size_t i = 1; i < ops.size() && !nb.failed(); ++i) {
    std::string keep = output;
    for (size_t j = i + 1; j < ops.size(); ++j)
      keep += ops[j].labels;
    acc = contract(nb, acc, ops[i], keep);
  }
  sumOutUnneeded(nb, acc, output);
  if (nb.failed())
    return n.report(nb.error);
  if (acc.labels.size() != output.size())
    return n.invalid("the output term names labels no input has");
  Value y = transposeTo(nb, acc, output);
  return n.finish(nb, y);
}

constexpr int64_t kMaxTopK = 256;

LogicalResult importTopK(NodeContext &n) {
  if (failed(n.checkAttributes({"axis", "largest", "sorted", "k"})))
    return failure();
  std::optional<SmallVector<int64_t>> k =
      n.opset >= 10 ? n.constInts(1)
                    : std::optional(SmallVector<int64_t>{n.getInt("k", -1)});
  if (!k)
    return n.needsConstant(1, "k");
  RankedTensorType in = n.inputType(0);
  int64_t axis = n.getInt("axis", -1);
  axis = axis < 0 ? axis + in.getRank() : axis;
  if (axis < 0 || axis >= in.getRank() || k->size() != 1 || (*k)[0] < 0 ||
      (*k)[0] > in.getDimSize(axis))
    return n.invalid("k and axis must fit the input");
  int64_t count = (*k)[0];
  if (count > kMaxTopK)
    return n.unsupported("k of " + Twine(count) + " exceeds " +
                         Twine(kMaxTopK));
  if (count == 0)
    return n.unsupported("k of 0 (empty outputs)");
  bool largest = n.getInt("largest", 1);
  Type element = in.getElementType();
  NNBuilder nb(n.b, n.loc);
  // A pick is masked out with the value no other element can lose to.
  double sentinel = largest ? -INFINITY : INFINITY;
  if (!isa<FloatType>(element))
    return n.unsupported("TopK of integer tensors");
  int64_t size = in.getDimSize(axis);
  SmallVector<int64_t> positionsShape(in.getRank(), 1);
  positionsShape[axis] = size;
  Value positions = nb.iota(size, nb.b.getI64Type(), positionsShape);
  Value x = n.input(0);
  SmallVector<Value> values, indices;
  for (int64_t i = 0; i < count && !nb.failed(); ++i) {
    Value best = nb.create<nn::ArgMaxOp>(
        {x}, {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(axis)),
              nb.b.getNamedAttr("keepdims", nb.b.getBoolAttr(true)),
              nb.b.getNamedAttr("select_last_index", nb.b.getBoolAttr(false)),
              nb.b.getNamedAttr("min", nb.b.getBoolAttr(!largest))});
    indices.push_back(best);
    values.push_back(nb.create<nn::GatherElementsOp>(
        {n.input(0), best},
        {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(axis))}));
    x = nb.create<nn::WhereOp>({nb.create<nn::EqualOp>({positions, best}),
                                nb.scalar(sentinel, element), x});
  }
  Value y = nb.concat(values, axis), i = nb.concat(indices, axis);
  return n.finish(nb, {y, i});
}

} // namespace

void anvil::onnx_import::addEinsumOps(OpTable &t) {
  t["Einsum"] = {importEinsum, 12};
  t["TopK"] = {importTopK, 1};
}
