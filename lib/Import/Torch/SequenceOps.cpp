//===- SequenceOps.cpp - ATen recurrent, bag and indexing ops to nn -------===//
//
// Ops whose ATen form is a loop or a data-dependent gather, expressed in
// static nn ops:
//  - lstm runs over the (static) sequence length, unrolled or as one
//    nn.loop as the compiler's placement policy decides, with the input
//    projection of all time steps done as one matrix product;
//  - embedding_bag reduces each bag with a 0/1 membership matrix built from
//    the offsets at run time, so the offsets may be any run-time input;
//  - index.Tensor linearizes consecutive advanced indices into one gather.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::torch_import;

namespace {

//===----------------------------------------------------------------------===//
// LSTM
//===----------------------------------------------------------------------===//

/// lstm.input: layers of (bi)directional cells; the weights come as one
/// list, per layer and direction: w_ih, w_hh[, b_ih, b_hh].
LogicalResult lstm(AtenContext &n) {
  if (n.getBool("train", false) && n.getFloat("dropout", 0) != 0)
    return n.unsupported("training-mode dropout between layers");
  Value x = n.tensor("input");
  auto hx = n.tensors("hx");
  auto params = n.tensors("params");
  if (!x || !hx || !params)
    return failure();
  bool hasBiases = n.getBool("has_biases", true);
  int64_t layers = n.getInt("num_layers", 1);
  int64_t dirs = n.getBool("bidirectional", false) ? 2 : 1;
  bool batchFirst = n.getBool("batch_first", false);
  size_t perCell = hasBiases ? 4 : 2;
  if (hx->size() != 2 || params->size() != perCell * layers * dirs ||
      typeOf(x).getRank() != 3)
    return n.invalid("expects a 3-D input, (h0, c0) and " +
                     Twine(perCell * layers * dirs) + " weights");
  NNBuilder nb(n.b, n.loc);
  Value seq = batchFirst
                  ? nb.create<nn::TransposeOp>(x, {i64s(n, "perm", {1, 0, 2})})
                  : x;
  Value h0 = (*hx)[0], c0 = (*hx)[1];
  int64_t batch = seq ? typeOf(seq).getDimSize(1) : 0;
  int64_t hidden = typeOf(h0).getShape().back();
  SmallVector<Value> hn, cn;
  for (int64_t layer = 0; layer < layers && !nb.failed(); ++layer) {
    SmallVector<Value> directions;
    for (int64_t d = 0; d < dirs; ++d) {
      size_t base = (layer * dirs + d) * perCell;
      LstmWeights w{(*params)[base], (*params)[base + 1], nullptr};
      if (hasBiases)
        w.bias =
            nb.create<nn::AddOp>({(*params)[base + 2], (*params)[base + 3]});
      int64_t cell = layer * dirs + d;
      auto result = buildLstm(
          nb, seq, w, nb.reshape(nb.slice(h0, 0, cell, 1), {batch, hidden}),
          nb.reshape(nb.slice(c0, 0, cell, 1), {batch, hidden}), d == 1,
          n.rollsRecurrence(typeOf(seq).getDimSize(0)));
      if (!result)
        break;
      directions.push_back(result->hiddenStates);
      hn.push_back(nb.reshape(result->h, {1, batch, hidden}));
      cn.push_back(nb.reshape(result->c, {1, batch, hidden}));
    }
    seq = nb.failed() ? nullptr : nb.concat(directions, 2);
  }
  Value out =
      batchFirst ? nb.create<nn::TransposeOp>(seq, {i64s(n, "perm", {1, 0, 2})})
                 : seq;
  Value h = nb.failed() ? nullptr : nb.concat(hn, 0);
  Value c = nb.failed() ? nullptr : nb.concat(cn, 0);
  if (nb.failed())
    return n.report(nb.error);
  return n.setOutputs({out, h, c});
}

//===----------------------------------------------------------------------===//
// embedding_bag
//===----------------------------------------------------------------------===//

/// The [bags, N] 0/1 matrix with a 1 where index j belongs to bag b:
/// offsets[b] <= j < end[b].
Value bagMembership(AtenContext &n, Value offsets, int64_t numIndices,
                    bool includeLastOffset) {
  offsets = n.castTo(offsets, n.b.getI64Type());
  int64_t count = typeOf(offsets).getDimSize(0);
  int64_t bags = includeLastOffset ? count - 1 : count;
  NNBuilder nb(n.b, n.loc);
  Value starts = nb.slice(offsets, 0, 0, bags);
  Value ends = includeLastOffset ? nb.slice(offsets, 0, 1, bags)
                                 : nb.concat({nb.slice(offsets, 0, 1, bags - 1),
                                              n.constantI64({numIndices})},
                                             0);
  Value j = nb.reshape(
      n.constantI64(llvm::to_vector(llvm::seq<int64_t>(0, numIndices))),
      {1, numIndices});
  starts = nb.reshape(starts, {bags, 1});
  ends = nb.reshape(ends, {bags, 1});
  Value member =
      nb.create<nn::AndOp>({nb.create<nn::GreaterEqualOp>({j, starts}),
                            nb.create<nn::LessOp>({j, ends})});
  if (nb.failed())
    (void)n.report(nb.error);
  return member;
}

/// embedding_bag and _embedding_bag (sum and mean modes).
LogicalResult embeddingBag(AtenContext &n) {
  int64_t mode = n.getInt("mode", 0);
  if (mode != 0 && mode != 1)
    return n.unsupported("mode " + Twine(mode) +
                         " (max) is not supported; sum and mean are");
  Value weight = n.tensor("weight"), indices = n.tensor("indices");
  if (!weight || !indices)
    return failure();
  indices = n.castTo(indices, n.b.getI64Type());
  auto it = typeOf(indices);
  Value offsets;
  bool includeLast = n.getBool("include_last_offset", false);
  if (it.getRank() == 2) {
    // Fixed-size bags, one per row.
    SmallVector<int64_t> starts;
    for (int64_t b = 0; b < it.getDimSize(0); ++b)
      starts.push_back(b * it.getDimSize(1));
    offsets = n.constantI64(starts);
    includeLast = false;
    indices = n.reshape(indices, {it.getNumElements()});
  } else if (it.getRank() == 1 && !n.isNone("offsets")) {
    offsets = n.tensor("offsets");
  } else {
    return n.invalid("expects 1-D indices with offsets or 2-D indices");
  }
  if (!offsets || typeOf(offsets).getRank() != 1 ||
      typeOf(offsets).getDimSize(0) < (includeLast ? 2 : 1))
    return offsets ? n.invalid("offsets must be 1-D and non-empty") : failure();
  int64_t numIndices = it.getNumElements();
  Type f = typeOf(weight).getElementType();
  Value member = bagMembership(n, offsets, numIndices, includeLast);
  int64_t padding = n.getInt("padding_idx", -1);
  if (member && !n.isNone("padding_idx") && padding >= 0) {
    Value kept = n.create<nn::NotOp>(n.create<nn::EqualOp>(
        {indices, n.scalar(double(padding), n.b.getI64Type())}));
    member =
        kept ? n.create<nn::AndOp>({member, n.reshape(kept, {1, numIndices})})
             : nullptr;
  }
  Value weights = member ? n.castTo(member, f) : nullptr;
  if (weights && !n.isNone("per_sample_weights")) {
    if (mode != 0)
      return n.invalid("per_sample_weights needs mode sum");
    Value psw = n.reshape(n.tensor("per_sample_weights"), {1, numIndices});
    weights = psw ? n.create<nn::MulOp>({weights, psw}) : nullptr;
  }
  Value rows = n.create<nn::GatherOp>(
      {weight, indices}, {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(0))});
  Value out =
      weights && rows ? n.create<nn::MatMulOp>({weights, rows}) : nullptr;
  if (out && mode == 1) {
    Value sizes = n.create<nn::ReduceOp>(
        n.castTo(member, f),
        {n.b.getNamedAttr(
             "kind", nn::ReduceKindAttr::get(n.ctx(), nn::ReduceKind::Sum)),
         i64s(n, "axes", {1}),
         n.b.getNamedAttr("keepdims", n.b.getBoolAttr(true))});
    // An empty bag averages to zero, as in PyTorch.
    Value divisor =
        sizes ? n.create<nn::MaxOp>({sizes, n.scalar(1.0, f)}) : nullptr;
    out = divisor ? n.create<nn::DivOp>({out, divisor}) : nullptr;
  }
  return n.setOutputs(out);
}

//===----------------------------------------------------------------------===//
// index.Tensor
//===----------------------------------------------------------------------===//

/// self[None.., i1, ..., ik]: indices after any leading Nones, consecutive.
/// The indexed dimensions are merged and the indices linearized (after
/// normalizing negative ones), so that one gather does the work; the result
/// shape is PyTorch's for consecutive advanced indices.
LogicalResult index(AtenContext &n) {
  Value x = n.tensor("self");
  auto indices = x ? n.tensors("indices", /*allowNone=*/true) : std::nullopt;
  if (!indices)
    return failure();
  size_t first = 0;
  while (first < indices->size() && !(*indices)[first])
    ++first;
  size_t last = first;
  while (last < indices->size() && (*indices)[last])
    ++last;
  for (size_t i = last; i < indices->size(); ++i)
    if ((*indices)[i])
      return n.unsupported("advanced indices separated by slices");
  auto shape = typeOf(x).getShape();
  if (first == last || last > shape.size())
    return n.invalid("no index tensor, or more indices than dimensions");
  Value linear;
  int64_t merged = 1;
  for (size_t d = last; d-- > first;) {
    Value idx = (*indices)[d];
    if (typeOf(idx).getElementType().isInteger(1))
      return n.unsupported("boolean mask indexing (its shape depends on the "
                           "data)");
    idx = n.castTo(idx, n.b.getI64Type());
    Value size = n.scalar(double(shape[d]), n.b.getI64Type());
    Value negative = n.create<nn::LessOp>({idx, n.scalar(0, n.b.getI64Type())});
    idx = negative ? n.create<nn::WhereOp>(
                         {negative, n.create<nn::AddOp>({idx, size}), idx})
                   : nullptr;
    if (idx && merged != 1)
      idx = n.create<nn::MulOp>(
          {idx, n.scalar(double(merged), n.b.getI64Type())});
    linear = !idx ? nullptr : linear ? n.create<nn::AddOp>({linear, idx}) : idx;
    if (!linear)
      return failure();
    merged *= shape[d];
  }
  SmallVector<int64_t> flatShape(shape.take_front(first));
  flatShape.push_back(merged);
  flatShape.append(shape.begin() + last, shape.end());
  Value flat = n.reshape(x, flatShape);
  Value r = flat ? n.create<nn::GatherOp>(
                       {flat, linear},
                       {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(first))})
                 : nullptr;
  return n.setOutputs(r);
}

} // namespace

void anvil::torch_import::addSequenceOps(AtenTable &t) {
  t["aten.lstm.input"] = lstm;
  t["aten.embedding_bag"] = embeddingBag;
  t["aten._embedding_bag"] = embeddingBag;
  t["aten._embedding_bag_forward_only"] = embeddingBag;
  t["aten.index.Tensor"] = index;
}
