//===- RecurrentOps.cpp - ONNX LSTM and LayerNormalization to nn ----------===//
//
// Both are decomposed by the builders the torch.export importer shares
// (anvil/Import/Decompositions.h).
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

using namespace mlir;
using namespace anvil;
using namespace anvil::onnx_import;

namespace {

LogicalResult importLayerNorm(NodeContext &n) {
  if (failed(n.checkAttributes({"axis", "epsilon", "stash_type"})))
    return failure();
  Value x = n.input(0);
  int64_t rank = typeOf(x).getRank();
  int64_t axis = n.getInt("axis", -1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return n.invalid("axis " + Twine(n.getInt("axis", -1)) + " out of range");
  NNBuilder nb(n.b, n.loc);
  LayerNorm norm = buildLayerNorm(nb, x, n.input(1), n.input(2), axis,
                                  n.getFloat("epsilon", 1e-5));
  if (!norm.y)
    return n.report(nb.error);
  return n.setOutputs({norm.y, norm.mean, norm.invStdDev});
}

/// Rejects the LSTM features Anvil's decomposition does not model.
LogicalResult checkLstmFeatures(NodeContext &n) {
  if (failed(n.checkAttributes({"hidden_size", "direction", "layout",
                                "input_forget", "activations"})))
    return failure();
  if (n.getInt("input_forget", 0))
    return n.unsupported("input_forget is not supported");
  if (n.input(4))
    return n.unsupported("sequence_lens is not supported (every sequence "
                         "runs the full length)");
  if (n.input(7))
    return n.unsupported("peephole weights (P) are not supported");
  if (const auto *acts = n.attr("activations")) {
    std::vector<std::string> want = {"Sigmoid", "Tanh", "Tanh"};
    for (int i = 0; i < acts->strings_size(); ++i)
      if (acts->strings(i) != want[i % 3])
        return n.unsupported("activation '" + acts->strings(i) +
                             "' is not supported");
  }
  return success();
}

/// Checks the ONNX recurrent shapes before any slicing: X [T, B, I],
/// W [dirs, G*H, I], R [dirs, G*H, H], B [dirs, 2*G*H] and an initial state
/// [dirs, B, H] ([B, dirs, H] batch-first); X already in [T, B, I] order.
/// Sets `hidden` to H.
LogicalResult checkRecurrentShapes(NodeContext &n, Value x, int64_t dirs,
                                   int64_t gates, bool batchFirst,
                                   int64_t &hidden) {
  auto xs = typeOf(x).getShape(), ws = typeOf(n.input(1)).getShape(),
       rs = typeOf(n.input(2)).getShape();
  std::string gh = std::to_string(gates) + "H";
  if (xs.size() != 3)
    return n.invalid("X must be 3-D, got rank " + Twine(xs.size()));
  if (rs.size() != 3 || rs[0] != dirs || rs[2] <= 0)
    return n.invalid("R must be [" + Twine(dirs) + ", " + gh + ", H]");
  hidden = rs[2];
  if (rs[1] != gates * hidden)
    return n.invalid("R must be [" + Twine(dirs) + ", " + gh +
                     ", H] with H = " + Twine(hidden));
  if (ws.size() != 3 || ws[0] != dirs || ws[1] != gates * hidden ||
      ws[2] != xs[2])
    return n.invalid("W must be [" + Twine(dirs) + ", " + gh +
                     ", I] with H = " + Twine(hidden) +
                     " and I = " + Twine(xs[2]));
  if (Value b = n.input(3)) {
    auto bs = typeOf(b).getShape();
    if (bs.size() != 2 || bs[0] != dirs || bs[1] != 2 * gates * hidden)
      return n.invalid("B must be [" + Twine(dirs) + ", " + Twine(2 * gates) +
                       "H] with H = " + Twine(hidden));
  }
  SmallVector<int64_t> state = {dirs, xs[1], hidden};
  if (batchFirst)
    std::swap(state[0], state[1]);
  for (int i : {5, 6})
    if (Value v = n.input(i); v && typeOf(v).getShape() != ArrayRef(state))
      return n.invalid("initial state " + Twine(i) + " must be [" +
                       Twine(state[0]) + ", " + Twine(state[1]) + ", " +
                       Twine(state[2]) + "]");
  return success();
}

/// Slot `d` of a per-direction tensor [dirs, ...], without that dimension.
Value direction(NNBuilder &nb, Value v, int64_t d) {
  if (!v)
    return nullptr;
  SmallVector<int64_t> shape(typeOf(v).getShape().drop_front());
  return nb.reshape(nb.slice(v, 0, d, 1), shape);
}

/// Direction `d` of an initial state [dirs, B, H] ([B, dirs, H]
/// batch-first) as [B, H], or `zero` when the model gives none.
Value initialState(NNBuilder &nb, Value state, int64_t d, bool batchFirst,
                   Value zero) {
  if (!state)
    return zero;
  if (!batchFirst)
    return direction(nb, state, d);
  return nb.reshape(nb.slice(state, 1, d, 1), typeOf(zero).getShape());
}

LogicalResult importLstm(NodeContext &n) {
  if (failed(checkLstmFeatures(n)))
    return failure();
  std::string dir = n.getString("direction", "forward");
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    return n.invalid("unknown direction '" + dir + "'");
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  bool batchFirst = n.getInt("layout", 0) == 1;
  Value x = n.input(0), w = n.input(1), r = n.input(2);
  if (typeOf(x).getRank() != 3)
    return n.invalid("X must be 3-D");
  NNBuilder nb(n.b, n.loc);
  if (batchFirst)
    x = nb.create<nn::TransposeOp>(
        x, {n.b.getNamedAttr("perm", n.b.getDenseI64ArrayAttr({1, 0, 2}))});
  int64_t hidden = 0;
  if (failed(checkRecurrentShapes(n, x, dirs, 4, batchFirst, hidden)))
    return failure();
  int64_t batch = typeOf(x).getDimSize(1);
  Type f = typeOf(w).getElementType();
  auto zeros = RankedTensorType::get({batch, hidden}, f);
  Value zero =
      n.constant(DenseElementsAttr::get(zeros, n.b.getFloatAttr(f, 0)));
  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < dirs && !nb.failed(); ++d) {
    LstmWeights weights{
        direction(nb, w, d), direction(nb, r, d), nullptr, {0, 2, 3, 1}};
    if (Value b = direction(nb, n.input(3), d))
      weights.bias =
          nb.create<nn::AddOp>({nb.slice(b, 0, 0, 4 * hidden),
                                nb.slice(b, 0, 4 * hidden, 4 * hidden)});
    Value h0 = initialState(nb, n.input(5), d, batchFirst, zero);
    Value c0 = initialState(nb, n.input(6), d, batchFirst, zero);
    bool reverse = dir == "reverse" || d == 1;
    auto result =
        buildLstm(nb, x, weights, h0, c0, reverse, n.rollsRecurrence(x));
    if (!result)
      break;
    int64_t steps = typeOf(result->hiddenStates).getDimSize(0);
    ys.push_back(nb.reshape(result->hiddenStates, {steps, 1, batch, hidden}));
    hs.push_back(nb.reshape(result->h, {1, batch, hidden}));
    cs.push_back(nb.reshape(result->c, {1, batch, hidden}));
  }
  Value y = nb.failed() ? nullptr : nb.concat(ys, 1);
  if (batchFirst)
    y = nb.create<nn::TransposeOp>(
        y, {n.b.getNamedAttr("perm", n.b.getDenseI64ArrayAttr({2, 0, 1, 3}))});
  Value h = nb.failed() ? nullptr : nb.concat(hs, 0);
  Value c = nb.failed() ? nullptr : nb.concat(cs, 0);
  if (nb.failed())
    return n.report(nb.error);
  if (batchFirst) {
    auto perm = n.b.getNamedAttr("perm", n.b.getDenseI64ArrayAttr({1, 0, 2}));
    h = nb.create<nn::TransposeOp>(h, {perm});
    c = nb.create<nn::TransposeOp>(c, {perm});
  }
  return n.setOutputs({y, h, c});
}

/// One direction's weights of an RNN or GRU: W [G*H, I], R [G*H, H] and
/// the input and recurrent biases [G*H] (null when absent).
struct CellWeights {
  Value w, r, wb, rb;
  int64_t hidden;
};

/// One step: the new hidden state from the step's input projection
/// x W^T + Wb [B, G*H] and the previous state.
using CellStep = Value (*)(NNBuilder &nb, Value projected, Value h,
                           const CellWeights &cw, bool linearBeforeReset);

Value rnnStep(NNBuilder &nb, Value projected, Value h, const CellWeights &cw,
              bool) {
  return nb.create<nn::TanhOp>(
      {nb.create<nn::AddOp>({projected, nb.linear(h, cw.r, cw.rb)})});
}

/// ONNX GRU, gates in z r h order.
Value gruStep(NNBuilder &nb, Value projected, Value h, const CellWeights &cw,
              bool linearBeforeReset) {
  int64_t H = cw.hidden;
  auto part = [&](Value v, int64_t gate) {
    return v ? nb.slice(v, typeOf(v).getRank() - 1, gate * H, H) : nullptr;
  };
  Value recurrentZR = nb.linear(h, nb.slice(cw.r, 0, 0, 2 * H),
                                cw.rb ? nb.slice(cw.rb, 0, 0, 2 * H) : nullptr);
  Value zr = nb.create<nn::SigmoidOp>(
      {nb.create<nn::AddOp>({nb.slice(projected, 1, 0, 2 * H), recurrentZR})});
  Value z = nb.slice(zr, 1, 0, H), r = nb.slice(zr, 1, H, H);
  Value rh = nb.slice(cw.r, 0, 2 * H, H);
  Value rbh = part(cw.rb, 2);
  Value candidate = linearBeforeReset
                        ? nb.create<nn::MulOp>({r, nb.linear(h, rh, rbh)})
                        : nb.linear(nb.create<nn::MulOp>({r, h}), rh, rbh);
  Value hTilde = nb.create<nn::TanhOp>(
      {nb.create<nn::AddOp>({part(projected, 2), candidate})});
  // (1 - z) h~ + z h = h~ + z (h - h~)
  return nb.create<nn::AddOp>(
      {hTilde, nb.create<nn::MulOp>({z, nb.create<nn::SubOp>({h, hTilde})})});
}

/// Runs one direction over x [T, B, I]; returns every state [T, B, H] and
/// the last one.
std::pair<Value, Value> runCell(NNBuilder &nb, Value x, const CellWeights &cw,
                                Value h, bool reverse, CellStep step,
                                bool linearBeforeReset, bool rolled) {
  auto shape = typeOf(x).getShape();
  int64_t steps = shape[0], batch = shape[1];
  int64_t width = typeOf(cw.w).getDimSize(0);
  Value projected = nb.reshape(
      nb.linear(nb.reshape(x, {steps * batch, shape[2]}), cw.w, cw.wb),
      {steps, batch, width});
  auto run = buildRecurrence(nb, projected, h, reverse, rolled,
                             [&](NNBuilder &nb, Value row, ValueRange states) {
                               return SmallVector<Value>{step(
                                   nb, row, states[0], cw, linearBeforeReset)};
                             });
  if (!run)
    return {nullptr, nullptr};
  return {run->all, run->last[0]};
}

/// RNN and GRU: `gates` blocks of H rows in W and R, default activations.
LogicalResult importSimpleRecurrent(NodeContext &n, int64_t gates,
                                    ArrayRef<StringRef> activations,
                                    CellStep step) {
  if (failed(n.checkAttributes({"hidden_size", "direction", "layout",
                                "activations", "linear_before_reset"})))
    return failure();
  if (n.input(4))
    return n.unsupported("sequence_lens is not supported (every sequence "
                         "runs the full length)");
  if (const auto *acts = n.attr("activations"))
    for (int i = 0; i < acts->strings_size(); ++i)
      if (acts->strings(i) != activations[i % activations.size()])
        return n.unsupported("activation '" + acts->strings(i) +
                             "' is not supported");
  std::string dir = n.getString("direction", "forward");
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    return n.invalid("unknown direction '" + dir + "'");
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  Value x = n.input(0), w = n.input(1), r = n.input(2);
  if (typeOf(x).getRank() != 3)
    return n.invalid("X must be 3-D");
  bool batchFirst = n.getInt("layout", 0) == 1;
  NNBuilder nb(n.b, n.loc);
  if (batchFirst)
    x = nb.transpose(x, {1, 0, 2});
  int64_t hidden = 0;
  if (failed(checkRecurrentShapes(n, x, dirs, gates, batchFirst, hidden)))
    return failure();
  int64_t batch = typeOf(x).getDimSize(1);
  Type f = typeOf(w).getElementType();
  Value zero = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({batch, hidden}, f), n.b.getFloatAttr(f, 0)));
  SmallVector<Value> ys, hs;
  for (int64_t d = 0; d < dirs && !nb.failed(); ++d) {
    CellWeights cw{direction(nb, w, d), direction(nb, r, d), nullptr, nullptr,
                   hidden};
    if (Value b = direction(nb, n.input(3), d)) {
      cw.wb = nb.slice(b, 0, 0, gates * hidden);
      cw.rb = nb.slice(b, 0, gates * hidden, gates * hidden);
    }
    Value h0 = initialState(nb, n.input(5), d, batchFirst, zero);
    auto [all, last] =
        runCell(nb, x, cw, h0, dir == "reverse" || d == 1, step,
                n.getInt("linear_before_reset", 0), n.rollsRecurrence(x));
    if (!all)
      break;
    int64_t steps = typeOf(all).getDimSize(0);
    ys.push_back(nb.reshape(all, {steps, 1, batch, hidden}));
    hs.push_back(nb.reshape(last, {1, batch, hidden}));
  }
  Value y = nb.failed() ? nullptr : nb.concat(ys, 1);
  Value h = nb.failed() ? nullptr : nb.concat(hs, 0);
  if (batchFirst) {
    y = nb.transpose(y, {2, 0, 1, 3});
    h = nb.transpose(h, {1, 0, 2});
  }
  return n.finish(nb, {y, h});
}

LogicalResult importRnn(NodeContext &n) {
  return importSimpleRecurrent(n, 1, {"Tanh"}, rnnStep);
}

LogicalResult importGru(NodeContext &n) {
  return importSimpleRecurrent(n, 3, {"Sigmoid", "Tanh"}, gruStep);
}

} // namespace

void anvil::onnx_import::addRecurrentOps(OpTable &t) {
  t["LayerNormalization"] = {importLayerNorm, 17, 2};
  t["LSTM"] = {importLstm, 7, 3};
  t["RNN"] = {importRnn, 7, 3};
  t["GRU"] = {importGru, 7, 3};
}
