//===- NeuralOps.cpp - ATen linear algebra, conv, pooling, norms to nn ----===//
//
// Composite ATen ops (linear, layer_norm, scaled_dot_product_attention)
// are decomposed into nn ops here; later passes fuse them again.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/Decompositions.h"

#include <cmath>

using namespace mlir;
using namespace anvil;
using namespace anvil::torch_import;

namespace {

/// A per-dimension list argument (stride, padding, ...): one value applies
/// to every spatial dimension; absent or empty gives `dflt`.
std::optional<SmallVector<int64_t>> spatialList(AtenContext &n, StringRef name,
                                                int64_t rank,
                                                ArrayRef<int64_t> dflt) {
  auto v = n.getInts(name);
  if (!v || v->empty())
    return SmallVector<int64_t>(dflt);
  if (v->size() == 1)
    return SmallVector<int64_t>(rank, (*v)[0]);
  if (static_cast<int64_t>(v->size()) != rank) {
    (void)n.invalid("'" + name + "' has " + Twine(v->size()) + " entries for " +
                    Twine(rank) + " spatial dimensions");
    return std::nullopt;
  }
  return v;
}

/// x @ w^T + b over the last dimension of x.
Value linearOf(AtenContext &n, Value x, Value w, Value bias) {
  auto xt = typeOf(x), wt = typeOf(w);
  if (wt.getRank() != 2 || xt.getRank() < 1 ||
      xt.getShape().back() != wt.getDimSize(1)) {
    (void)n.invalid("weight " + Twine(wt.getRank()) +
                    "-D does not match the input's last dimension");
    return nullptr;
  }
  int64_t k = xt.getShape().back(),
          rows = xt.getNumElements() / std::max<int64_t>(k, 1);
  Value flat = n.reshape(x, {rows, k});
  SmallVector<Value> operands{flat, w};
  if (bias)
    operands.push_back(bias);
  Value y =
      flat ? n.create<nn::GemmOp>(
                 operands, {n.b.getNamedAttr("trans_b", n.b.getBoolAttr(true))})
           : nullptr;
  SmallVector<int64_t> shape(xt.getShape().drop_back());
  shape.push_back(wt.getDimSize(0));
  return n.reshape(y, shape);
}

LogicalResult linear(AtenContext &n) {
  Value x = n.tensor("input"), w = n.tensor("weight");
  Value bias = n.isNone("bias") ? Value() : n.tensor("bias");
  if (!x || !w || (!n.isNone("bias") && !bias))
    return failure();
  Value r = linearOf(n, x, w, bias);
  return n.setOutputs(r);
}

LogicalResult matmul(AtenContext &n) {
  Value a = n.tensor("self"), b = n.tensor(n.arg("mat2") ? "mat2" : "other");
  Value r = a && b ? n.create<nn::MatMulOp>({a, b}) : nullptr;
  return n.setOutputs(r);
}

/// addmm(self, mat1, mat2, beta, alpha) = beta * self + alpha * mat1 @ mat2.
LogicalResult addmm(AtenContext &n) {
  Value c = n.tensor("self"), a = n.tensor("mat1"), b = n.tensor("mat2");
  if (!a || !b || !c)
    return failure();
  Value r = n.create<nn::GemmOp>(
      {a, b, c},
      {n.b.getNamedAttr("alpha", n.b.getF64FloatAttr(n.getFloat("alpha", 1))),
       n.b.getNamedAttr("beta", n.b.getF64FloatAttr(n.getFloat("beta", 1)))});
  return n.setOutputs(r);
}

LogicalResult convolution(AtenContext &n) {
  if (n.getBool("transposed", false))
    return n.unsupported("transposed convolution is not supported");
  Value x = n.tensor("input"), w = n.tensor("weight");
  Value bias = n.isNone("bias") ? Value() : n.tensor("bias");
  if (!x || !w || (!n.isNone("bias") && !bias))
    return failure();
  int64_t spatial = typeOf(x).getRank() - 2;
  if (spatial < 1)
    return n.invalid("the input needs a batch, a channel and a spatial "
                     "dimension");
  SmallVector<int64_t> ones(spatial, 1), zeros(spatial, 0);
  if (auto mode = n.getString("padding")) {
    if (*mode != "valid")
      return n.unsupported("padding='" + *mode + "' is not supported");
  }
  auto strides = spatialList(n, "stride", spatial, ones);
  auto padding = n.getString("padding")
                     ? std::optional(zeros)
                     : spatialList(n, "padding", spatial, zeros);
  auto dilation = spatialList(n, "dilation", spatial, ones);
  if (!strides || !padding || !dilation)
    return failure();
  SmallVector<int64_t> pads(*padding);
  pads.append(*padding);
  SmallVector<Value> operands{x, w};
  if (bias)
    operands.push_back(bias);
  Value r = n.create<nn::ConvOp>(
      operands, {i64s(n, "strides", *strides), i64s(n, "pads", pads),
                 i64s(n, "dilations", *dilation),
                 n.b.getNamedAttr(
                     "group", n.b.getI64IntegerAttr(n.getInt("groups", 1)))});
  return n.setOutputs(r);
}

/// A per-channel vector argument, or `fill` of the given size when None.
Value channelVector(AtenContext &n, StringRef name, int64_t channels,
                    Type element, double fill) {
  if (!n.isNone(name))
    return n.tensor(name);
  auto type = RankedTensorType::get({channels}, element);
  return n.constant(
      DenseElementsAttr::get(type, n.b.getFloatAttr(element, fill)));
}

/// batch_norm, native_batch_norm and _native_batch_norm_legit_no_training,
/// in inference form.
LogicalResult batchNorm(AtenContext &n) {
  if (n.getBool("training", false))
    return n.unsupported("training-mode batch norm (export the model in "
                         "eval mode)");
  Value x = n.tensor("input");
  if (!x)
    return failure();
  if (n.isNone("running_mean") || n.isNone("running_var"))
    return n.unsupported("batch norm without running statistics");
  auto xt = typeOf(x);
  if (xt.getRank() < 2)
    return n.invalid("the input needs a channel dimension");
  int64_t c = xt.getDimSize(1);
  Type f = xt.getElementType();
  Value scale = channelVector(n, "weight", c, f, 1.0);
  Value bias = channelVector(n, "bias", c, f, 0.0);
  Value mean = n.tensor("running_mean"), var = n.tensor("running_var");
  if (!scale || !bias || !mean || !var)
    return failure();
  Value r = n.create<nn::BatchNormOp>(
      {x, scale, bias, mean, var},
      {n.b.getNamedAttr("epsilon",
                        n.b.getF64FloatAttr(n.getFloat("eps", 1e-5)))});
  return n.setOutputs(r);
}

Value reduce(AtenContext &n, Value x, nn::ReduceKind kind,
             ArrayRef<int64_t> axes, bool keepdims) {
  return n.create<nn::ReduceOp>(
      x, {n.b.getNamedAttr("kind", nn::ReduceKindAttr::get(n.ctx(), kind)),
          i64s(n, "axes", axes),
          n.b.getNamedAttr("keepdims", n.b.getBoolAttr(keepdims))});
}

/// layer_norm and native_layer_norm over the trailing `normalized_shape`;
/// native_layer_norm's mean and 1/std outputs are bound too.
LogicalResult layerNorm(AtenContext &n) {
  Value x = n.tensor("input");
  auto shape = x ? n.requireInts("normalized_shape") : std::nullopt;
  if (!shape)
    return failure();
  auto xt = typeOf(x);
  int64_t rank = xt.getRank(), k = shape->size();
  if (k > rank || xt.getShape().take_back(k) != ArrayRef<int64_t>(*shape))
    return n.invalid("normalized_shape does not match the input's trailing "
                     "dimensions");
  Value scale = n.isNone("weight") ? Value() : n.tensor("weight");
  Value bias = n.isNone("bias") ? Value() : n.tensor("bias");
  if ((!n.isNone("weight") && !scale) || (!n.isNone("bias") && !bias))
    return failure();
  NNBuilder nb(n.b, n.loc);
  LayerNorm norm =
      buildLayerNorm(nb, x, scale, bias, rank - k, n.getFloat("eps", 1e-5));
  if (!norm.y)
    return n.report(nb.error);
  return n.setOutputs({norm.y, norm.mean, norm.invStdDev});
}

template <typename OpTy> LogicalResult softmax(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  if (!n.isNone("dtype"))
    x = n.castTo(x, elementType(n.ctx(), n.getInt("dtype", 7)));
  auto axis =
      x ? normalizeDim(n.getInt("dim", -1), typeOf(x).getRank()) : std::nullopt;
  if (!axis)
    return x ? n.invalid("dim is out of range") : failure();
  Value r = n.create<OpTy>(
      x, {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(*axis))});
  return n.setOutputs(r);
}

/// max_pool2d / avg_pool2d (and their *_with_indices forms: the indices are
/// not computed).
template <typename OpTy> LogicalResult pool(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  int64_t spatial = typeOf(x).getRank() - 2;
  auto kernel = n.getInts("kernel_size");
  if (!kernel || spatial < 1)
    return n.invalid("kernel_size is missing or the input has no spatial "
                     "dimensions");
  SmallVector<int64_t> ones(spatial, 1), zeros(spatial, 0);
  auto kernels = spatialList(n, "kernel_size", spatial, ones);
  auto strides = spatialList(n, "stride", spatial, kernels ? *kernels : ones);
  auto padding = spatialList(n, "padding", spatial, zeros);
  auto dilation = spatialList(n, "dilation", spatial, ones);
  if (!kernels || !strides || !padding || !dilation)
    return failure();
  SmallVector<int64_t> pads(*padding);
  pads.append(*padding);
  SmallVector<NamedAttribute> attrs{
      i64s(n, "kernel_shape", *kernels), i64s(n, "strides", *strides),
      i64s(n, "pads", pads), i64s(n, "dilations", *dilation),
      n.b.getNamedAttr("ceil_mode",
                       n.b.getBoolAttr(n.getBool("ceil_mode", false)))};
  if constexpr (std::is_same_v<OpTy, nn::AveragePoolOp>) {
    if (!n.isNone("divisor_override"))
      return n.unsupported("divisor_override is not supported");
    attrs.push_back(n.b.getNamedAttr(
        "count_include_pad",
        n.b.getBoolAttr(n.getBool("count_include_pad", true))));
  }
  Value r = n.create<OpTy>(x, attrs);
  return n.setOutputs(r);
}

/// adaptive_avg_pool: a mean when the output is 1x1, a plain average pool
/// when the input divides evenly into the output.
LogicalResult adaptiveAvgPool(AtenContext &n) {
  Value x = n.tensor("self");
  auto out = x ? n.requireInts("output_size") : std::nullopt;
  if (!out)
    return failure();
  auto shape = typeOf(x).getShape();
  int64_t spatial = out->size(), rank = shape.size();
  if (rank < spatial + 1)
    return n.invalid("the input has fewer dimensions than output_size");
  SmallVector<int64_t> axes, kernel;
  bool global = true;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = shape[rank - spatial + i], o = (*out)[i];
    if (o <= 0 || in % o != 0)
      return n.unsupported("adaptive pooling from " + Twine(in) + " to " +
                           Twine(o) + " (uneven windows) is not supported");
    axes.push_back(rank - spatial + i);
    kernel.push_back(in / o);
    global &= o == 1;
  }
  if (global) {
    Value r = reduce(n, x, nn::ReduceKind::Mean, axes, true);
    return n.setOutputs(r);
  }
  if (rank != spatial + 2)
    return n.unsupported("adaptive pooling without a batch dimension");
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  Value r = n.create<nn::AveragePoolOp>(
      x, {i64s(n, "kernel_shape", kernel), i64s(n, "strides", kernel),
          i64s(n, "pads", zeros), i64s(n, "dilations", ones)});
  return n.setOutputs(r);
}

/// sum / mean / amax / amin over `dim` (all dimensions when absent).
template <nn::ReduceKind Kind> LogicalResult reduction(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  if (!n.isNone("dtype"))
    x = n.castTo(x, elementType(n.ctx(), n.getInt("dtype", 7)));
  int64_t rank = x ? typeOf(x).getRank() : 0;
  auto dims = n.getInts("dim");
  SmallVector<int64_t> axes;
  if (!dims || dims->empty()) {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  } else {
    for (int64_t d : *dims) {
      auto axis = normalizeDim(d, rank);
      if (!axis)
        return n.invalid("dim " + Twine(d) + " is out of range");
      axes.push_back(*axis);
    }
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  if (Kind == nn::ReduceKind::Mean && x &&
      !isa<FloatType>(typeOf(x).getElementType()))
    return n.invalid("mean of an integer tensor");
  Value r = x ? reduce(n, x, Kind, axes, n.getBool("keepdim", false)) : nullptr;
  return n.setOutputs(r);
}

/// The index of the largest element along `dim` (the first of equals), or
/// of the flattened tensor where `dim` is None.
LogicalResult argmax(AtenContext &n) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  int64_t axis = 0;
  bool keepdim = n.getBool("keepdim", false);
  if (n.isNone("dim")) {
    x = n.reshape(x, {typeOf(x).getNumElements()});
    keepdim = false;
  } else {
    auto normalized = normalizeDim(n.getInt("dim", 0), typeOf(x).getRank());
    if (!normalized)
      return n.invalid("dim " + Twine(n.getInt("dim", 0)) + " is out of range");
    axis = *normalized;
  }
  Value r = x ? n.create<nn::ArgMaxOp>(
                    x, {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(axis)),
                        n.b.getNamedAttr("keepdims", n.b.getBoolAttr(keepdim)),
                        n.b.getNamedAttr("select_last_index",
                                         n.b.getBoolAttr(false)),
                        n.b.getNamedAttr("min", n.b.getBoolAttr(false))})
              : nullptr;
  return n.setOutputs(r);
}

/// A [l, s] causal mask: position i sees positions j <= i.
Value causalMask(AtenContext &n, int64_t l, int64_t s) {
  SmallVector<bool> keep;
  for (int64_t i = 0; i < l; ++i)
    for (int64_t j = 0; j < s; ++j)
      keep.push_back(j <= i);
  return n.constant(DenseElementsAttr::get(
      RankedTensorType::get({l, s}, n.b.getI1Type()), ArrayRef<bool>(keep)));
}

/// softmax(q k^T * scale + mask) v over the last two dimensions; `mask` is
/// boolean (false hides) or additive, and may be null.
Value attention(AtenContext &n, Value q, Value k, Value v, double scale,
                Value mask) {
  int64_t rank = typeOf(q).getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  Type f = typeOf(q).getElementType();
  Value kT = n.create<nn::TransposeOp>(k, {i64s(n, "perm", perm)});
  Value scores = kT ? n.create<nn::MatMulOp>({q, kT}) : nullptr;
  scores = scores ? n.create<nn::MulOp>({scores, n.scalar(scale, f)}) : nullptr;
  if (scores && mask)
    scores = typeOf(mask).getElementType().isInteger(1)
                 ? n.create<nn::WhereOp>({mask, scores, n.scalar(-INFINITY, f)})
                 : n.create<nn::AddOp>({scores, n.castTo(mask, f)});
  Value weights =
      scores ? n.create<nn::SoftmaxOp>(
                   scores,
                   {n.b.getNamedAttr("axis", n.b.getI64IntegerAttr(rank - 1))})
             : nullptr;
  return weights ? n.create<nn::MatMulOp>({weights, v}) : nullptr;
}

/// scaled_dot_product_attention, with the causal or given mask.
LogicalResult scaledDotProductAttention(AtenContext &n) {
  if (n.getFloat("dropout_p", 0.0) != 0.0)
    return n.unsupported("attention dropout at inference");
  if (n.getBool("enable_gqa", false))
    return n.unsupported("grouped-query attention (enable_gqa)");
  if (n.getBool("is_causal", false) && !n.isNone("attn_mask"))
    return n.invalid("is_causal and attn_mask together");
  Value q = n.tensor("query"), k = n.tensor("key"), v = n.tensor("value");
  if (!q || !k || !v)
    return failure();
  int64_t rank = typeOf(q).getRank();
  if (rank < 2 || typeOf(k).getRank() != rank)
    return n.invalid("query and key need the same rank, at least 2");
  double scale = n.isNone("scale")
                     ? 1.0 / std::sqrt(double(typeOf(q).getShape().back()))
                     : n.getFloat("scale", 1.0);
  Value mask;
  if (n.getBool("is_causal", false))
    mask = causalMask(n, typeOf(q).getDimSize(rank - 2),
                      typeOf(k).getDimSize(rank - 2));
  else if (!n.isNone("attn_mask") && !(mask = n.tensor("attn_mask")))
    return failure();
  return n.setOutputs(attention(n, q, k, v, scale, mask));
}

/// [B, L, E] -> [B, heads, L, E / heads], and back.
Value splitHeads(AtenContext &n, Value x, int64_t heads) {
  auto shape = typeOf(x).getShape();
  Value split = n.reshape(x, {shape[0], shape[1], heads, shape[2] / heads});
  return split
             ? n.create<nn::TransposeOp>(split, {i64s(n, "perm", {0, 2, 1, 3})})
             : nullptr;
}

Value mergeHeads(AtenContext &n, Value x) {
  auto shape = typeOf(x).getShape();
  Value merged = n.create<nn::TransposeOp>(x, {i64s(n, "perm", {0, 2, 1, 3})});
  return n.reshape(merged, {shape[0], shape[2], shape[1] * shape[3]});
}

/// _native_multi_head_attention: PyTorch's fused inference path of
/// nn.MultiheadAttention (batch first), here as projections, attention and
/// the output projection. The attention weights output is not computed.
LogicalResult nativeMultiHeadAttention(AtenContext &n) {
  if (!n.isNone("mask"))
    return n.unsupported("a mask on the fused multi-head attention");
  Value query = n.tensor("query"), key = n.tensor("key"),
        value = n.tensor("value");
  Value w = n.tensor("qkv_weight"), b = n.tensor("qkv_bias");
  Value projW = n.tensor("proj_weight"), projB = n.tensor("proj_bias");
  if (!query || !key || !value || !w || !b || !projW || !projB)
    return failure();
  int64_t e = n.getInt("embed_dim", 0), heads = n.getInt("num_head", 1);
  if (typeOf(query).getRank() != 3 || heads <= 0 || e % heads != 0 ||
      typeOf(w).getShape() != ArrayRef<int64_t>{3 * e, e})
    return n.invalid("expects [B, L, E] inputs and a [3E, E] qkv_weight");
  NNBuilder nb(n.b, n.loc);
  SmallVector<Value> qkv;
  for (auto [i, x] : llvm::enumerate(SmallVector<Value>{query, key, value})) {
    Value proj =
        linearOf(n, x, nb.slice(w, 0, i * e, e), nb.slice(b, 0, i * e, e));
    qkv.push_back(proj ? splitHeads(n, proj, heads) : nullptr);
    if (!qkv.back())
      return nb.failed() ? n.report(nb.error) : failure();
  }
  double scale = 1.0 / std::sqrt(double(e / heads));
  Value context = attention(n, qkv[0], qkv[1], qkv[2], scale, nullptr);
  Value merged = context ? mergeHeads(n, context) : nullptr;
  return n.setOutputs(merged ? linearOf(n, merged, projW, projB) : nullptr);
}

} // namespace

void anvil::torch_import::addNeuralOps(AtenTable &t) {
  t["aten.linear"] = linear;
  t["aten.matmul"] = matmul;
  t["aten.mm"] = matmul;
  t["aten.bmm"] = matmul;
  t["aten.addmm"] = addmm;
  t["aten.conv1d"] = convolution;
  t["aten.conv2d"] = convolution;
  t["aten.convolution"] = convolution;
  t["aten._convolution"] = convolution;
  t["aten.batch_norm"] = batchNorm;
  t["aten.native_batch_norm"] = batchNorm;
  t["aten._native_batch_norm_legit_no_training"] = batchNorm;
  t["aten.layer_norm"] = layerNorm;
  t["aten.native_layer_norm"] = layerNorm;
  t["aten.softmax"] = softmax<nn::SoftmaxOp>;
  t["aten._softmax"] = softmax<nn::SoftmaxOp>;
  t["aten.log_softmax"] = softmax<nn::LogSoftmaxOp>;
  t["aten._log_softmax"] = softmax<nn::LogSoftmaxOp>;
  t["aten.max_pool1d"] = pool<nn::MaxPoolOp>;
  t["aten.max_pool2d"] = pool<nn::MaxPoolOp>;
  t["aten.max_pool2d_with_indices"] = pool<nn::MaxPoolOp>;
  t["aten.avg_pool1d"] = pool<nn::AveragePoolOp>;
  t["aten.avg_pool2d"] = pool<nn::AveragePoolOp>;
  t["aten.adaptive_avg_pool1d"] = adaptiveAvgPool;
  t["aten.adaptive_avg_pool2d"] = adaptiveAvgPool;
  t["aten._adaptive_avg_pool2d"] = adaptiveAvgPool;
  t["aten.sum"] = reduction<nn::ReduceKind::Sum>;
  t["aten.mean"] = reduction<nn::ReduceKind::Mean>;
  t["aten.amax"] = reduction<nn::ReduceKind::Max>;
  t["aten.amin"] = reduction<nn::ReduceKind::Min>;
  // The overloads without a dim reduce everything (max.dim also returns
  // indices: not imported).
  t["aten.max.default"] = reduction<nn::ReduceKind::Max>;
  t["aten.argmax"] = argmax;
  t["aten.min.default"] = reduction<nn::ReduceKind::Min>;
  t["aten.scaled_dot_product_attention"] = scaledDotProductAttention;
  t["aten._native_multi_head_attention"] = nativeMultiHeadAttention;
}
