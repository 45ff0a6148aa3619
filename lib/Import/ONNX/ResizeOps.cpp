//===- ResizeOps.cpp - ONNX Resize and Upsample ---------------------------===//
//
// Shapes are static, so every output coordinate's source taps and weights
// are computed here, one axis at a time, following ONNX's reference
// (interpolate_1d_with_x): the coordinate transformation gives x_original,
// the n taps nearest to it (edge-clamped, ties to the smaller index) are
// weighted by the nearest / linear / cubic coefficients. Each resized axis
// becomes gathers of the taps, scaled and summed; innermost axes first, as
// the reference nests them.
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

struct ResizeMode {
  std::string mode, transform, nearest;
  double cubicA = -0.75;
  bool excludeOutside = false;
  double extrapolation = 0;
};

/// Per output coordinate of one axis: the taps' source indices and weights
/// (index[k][o], weight[k][o]), and whether it lies outside the crop.
struct AxisTaps {
  SmallVector<SmallVector<int64_t>> index;
  SmallVector<SmallVector<double>> weight;
  SmallVector<bool> outside;
};

SmallVector<double> coefficients(const ResizeMode &m, double ratio) {
  if (m.mode == "linear")
    return {1 - ratio, ratio};
  if (m.mode == "cubic") {
    double a = m.cubicA, r = ratio, s = 1 - ratio;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
  }
  if (ratio == 1)
    return {0, 1};
  if (m.nearest == "round_prefer_ceil")
    return {double(ratio < 0.5), double(ratio >= 0.5)};
  if (m.nearest == "floor")
    return {1, 0};
  if (m.nearest == "ceil")
    return {0, 1};
  return {double(ratio <= 0.5), double(ratio > 0.5)};
}

/// x_original of output coordinate `x`; nullopt when outside the crop.
/// Like the reference, `out` is the unrounded width scale * in.
std::optional<double> sourceCoordinate(const ResizeMode &m, double x,
                                       int64_t in, double out, double scale,
                                       double roiStart, double roiEnd) {
  if (m.transform == "align_corners")
    return out == 1 ? 0.0 : x * (in - 1) / (out - 1);
  if (m.transform == "asymmetric")
    return x / scale;
  if (m.transform == "tf_crop_and_resize") {
    double orig = out == 1 ? (roiEnd - roiStart) * (in - 1) / 2
                           : x * (roiEnd - roiStart) * (in - 1) / (out - 1);
    orig += roiStart * (in - 1);
    if (orig < 0 || orig > in - 1)
      return std::nullopt;
    return orig;
  }
  if (m.transform == "pytorch_half_pixel" && out == 1)
    return -0.5;
  if (m.transform == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  return (x + 0.5) / scale - 0.5;
}

AxisTaps axisTaps(const ResizeMode &m, int64_t in, int64_t out, double scale,
                  double roiStart, double roiEnd) {
  int64_t taps = m.mode == "cubic" ? 4 : 2;
  AxisTaps t;
  t.index.resize(taps);
  t.weight.resize(taps);
  for (int64_t o = 0; o < out; ++o) {
    auto orig =
        sourceCoordinate(m, o, in, scale * in, scale, roiStart, roiEnd);
    t.outside.push_back(!orig);
    double x = orig.value_or(0);
    double ratio = x == std::floor(x) ? 1 : x - std::floor(x);
    SmallVector<double> coeffs = coefficients(m, ratio);
    // The `taps` integers nearest x, ties to the smaller one: from
    // floor(x) - taps / 2 + 1, or x - taps / 2 when x is an integer.
    int64_t floorX = static_cast<int64_t>(std::floor(x));
    int64_t first = x == std::floor(x) ? floorX - taps / 2
                                        : floorX - taps / 2 + 1;
    double sum = 0;
    for (int64_t k = 0; k < taps; ++k) {
      int64_t idx = first + k;
      if (m.excludeOutside && (idx < 0 || idx >= in))
        coeffs[k] = 0;
      sum += coeffs[k];
    }
    for (int64_t k = 0; k < taps; ++k) {
      int64_t idx = first + k;
      t.index[k].push_back(std::clamp<int64_t>(idx, 0, in - 1));
      t.weight[k].push_back(m.excludeOutside && sum != 0 ? coeffs[k] / sum
                                                         : coeffs[k]);
    }
  }
  return t;
}

/// Values of `values` shaped to broadcast along `axis` of a rank-`rank`
/// tensor of `element` type.
Value alongAxis(NNBuilder &nb, ArrayRef<double> values, Type element,
                int64_t rank, int64_t axis) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = values.size();
  SmallVector<Attribute> attrs;
  for (double v : values)
    attrs.push_back(nb.b.getFloatAttr(element, v));
  return nb.constant(
      DenseElementsAttr::get(RankedTensorType::get(shape, element), attrs));
}

Value gatherAlong(NNBuilder &nb, Value x, int64_t axis,
                  ArrayRef<int64_t> index) {
  auto type = RankedTensorType::get({int64_t(index.size())},
                                    nb.b.getI64Type());
  return nb.create<nn::GatherOp>(
      {x, nb.constant(DenseElementsAttr::get(type, index))},
      {nb.b.getNamedAttr("axis", nb.b.getI64IntegerAttr(axis))});
}

Value resampleAxis(NNBuilder &nb, Value x, int64_t axis, const AxisTaps &t,
                   double extrapolation) {
  // After the builder's first failure every value is null.
  if (nb.failed() || !x)
    return nullptr;
  RankedTensorType type = typeOf(x);
  Type element = type.getElementType();
  int64_t rank = type.getRank();
  Value acc;
  for (size_t k = 0; k < t.index.size(); ++k) {
    if (llvm::all_of(t.weight[k], [](double w) { return w == 0; }))
      continue;
    Value tap = gatherAlong(nb, x, axis, t.index[k]);
    // Nearest taps weigh exactly 1 where they count: select, not multiply,
    // so integer tensors resize too.
    bool ones = llvm::all_of(t.weight[k], [](double w) { return w == 1; });
    if (!ones)
      tap = nb.create<nn::MulOp>(
          {tap, alongAxis(nb, t.weight[k], element, rank, axis)});
    acc = acc ? nb.create<nn::AddOp>({acc, tap}) : tap;
  }
  if (!acc)
    acc = nb.create<nn::MulOp>({gatherAlong(nb, x, axis, t.index[0]),
                                nb.scalar(0, element)});
  if (llvm::is_contained(t.outside, true)) {
    SmallVector<int64_t> shape(rank, 1);
    shape[axis] = t.outside.size();
    SmallVector<bool> mask(t.outside.begin(), t.outside.end());
    Value outside = nb.constant(DenseElementsAttr::get(
        RankedTensorType::get(shape, nb.b.getI1Type()), ArrayRef<bool>(mask)));
    acc = nb.create<nn::WhereOp>(
        {outside, nb.scalar(extrapolation, element), acc});
  }
  return acc;
}

LogicalResult checkMode(NodeContext &n, const ResizeMode &m) {
  if (m.mode != "nearest" && m.mode != "linear" && m.mode != "cubic")
    return n.invalid("unknown mode '" + m.mode + "'");
  static const char *transforms[] = {
      "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
      "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  if (!llvm::is_contained(transforms, m.transform))
    return n.invalid("unknown coordinate_transformation_mode '" + m.transform +
                     "'");
  if (m.mode != "nearest" &&
      !isa<FloatType>(n.inputType(0).getElementType()))
    return n.unsupported(m.mode + " resizing of integer tensors");
  return success();
}

/// Resizes every axis whose size or scale changes; `scales` per axis.
LogicalResult resize(NodeContext &n, const ResizeMode &m,
                     ArrayRef<int64_t> outShape, ArrayRef<double> scales,
                     ArrayRef<double> roi) {
  RankedTensorType in = n.inputType(0);
  int64_t rank = in.getRank();
  NNBuilder nb(n.b, n.loc);
  Value y = n.input(0);
  for (int64_t axis = rank - 1; axis >= 0; --axis) {
    int64_t inSize = in.getDimSize(axis), outSize = outShape[axis];
    bool crops = m.transform == "tf_crop_and_resize" &&
                 (roi[axis] != 0 || roi[rank + axis] != 1);
    if (inSize == outSize && scales[axis] == 1 && !crops)
      continue;
    if (outSize < 1 || inSize < 1)
      return n.unsupported("resizing to or from an empty dimension");
    AxisTaps taps = axisTaps(m, inSize, outSize, scales[axis],
                             roi.empty() ? 0 : roi[axis],
                             roi.empty() ? 1 : roi[rank + axis]);
    y = resampleAxis(nb, y, axis, taps, m.extrapolation);
  }
  return n.finish(nb, y);
}

/// Output sizes and per-axis scales from `scales` or `sizes`, as the
/// reference: sizes give scale = out / in; scales give out = floor(in * s).
LogicalResult outputGeometry(NodeContext &n, std::optional<SmallVector<double>> scales,
                             std::optional<SmallVector<int64_t>> sizes,
                             SmallVector<int64_t> &outShape,
                             SmallVector<double> &perAxis) {
  RankedTensorType in = n.inputType(0);
  size_t rank = in.getRank();
  if (sizes && !sizes->empty()) {
    if (sizes->size() != rank)
      return n.invalid("sizes needs one entry per dimension");
    outShape.assign(sizes->begin(), sizes->end());
    for (size_t d = 0; d < rank; ++d)
      perAxis.push_back(double(outShape[d]) / double(in.getDimSize(d)));
    return success();
  }
  if (!scales || scales->size() != rank)
    return n.invalid("scales needs one entry per dimension");
  for (size_t d = 0; d < rank; ++d) {
    if (!((*scales)[d] > 0))
      return n.invalid("scales must be positive");
    perAxis.push_back((*scales)[d]);
    outShape.push_back(static_cast<int64_t>(
        std::floor(double(in.getDimSize(d)) * (*scales)[d])));
  }
  return success();
}

LogicalResult importResize(NodeContext &n) {
  if (failed(n.checkAttributes({"mode", "coordinate_transformation_mode",
                                "nearest_mode", "cubic_coeff_a",
                                "exclude_outside", "extrapolation_value",
                                "antialias", "keep_aspect_ratio_policy"})))
    return failure();
  if (n.getInt("antialias", 0))
    return n.unsupported("antialiased resizing");
  if (n.getString("keep_aspect_ratio_policy", "stretch") != "stretch")
    return n.unsupported("keep_aspect_ratio_policy other than 'stretch'");
  ResizeMode m;
  m.mode = n.getString("mode", "nearest");
  bool v10 = n.opset < 11;
  m.transform = v10 ? "asymmetric"
                    : n.getString("coordinate_transformation_mode",
                                  "half_pixel");
  m.nearest = v10 ? "floor" : n.getString("nearest_mode", "round_prefer_floor");
  m.cubicA = n.getFloat("cubic_coeff_a", -0.75);
  m.excludeOutside = n.getInt("exclude_outside", 0);
  m.extrapolation = n.getFloat("extrapolation_value", 0);
  if (failed(checkMode(n, m)))
    return failure();
  std::optional<SmallVector<double>> scales, roi;
  std::optional<SmallVector<int64_t>> sizes;
  int scalesAt = v10 ? 1 : 2;
  if (n.input(scalesAt) && n.inputType(scalesAt).getNumElements() > 0) {
    scales = n.constFloats(scalesAt);
    if (!scales)
      return n.needsConstant(scalesAt, "scales");
  }
  if (!v10 && n.input(3)) {
    sizes = n.constInts(3);
    if (!sizes)
      return n.needsConstant(3, "sizes");
  }
  if (m.transform == "tf_crop_and_resize") {
    roi = n.input(1) ? n.constFloats(1) : std::nullopt;
    if (!roi)
      return n.input(1) ? n.needsConstant(1, "roi")
                        : n.invalid("tf_crop_and_resize needs roi");
    if (roi->size() != 2 * size_t(n.inputType(0).getRank()))
      return n.invalid("roi needs a start and an end per dimension");
  }
  SmallVector<int64_t> outShape;
  SmallVector<double> perAxis;
  if (failed(outputGeometry(n, scales, sizes, outShape, perAxis)))
    return failure();
  return resize(n, m, outShape, perAxis, roi.value_or(SmallVector<double>()));
}

/// Upsample (deprecated since opset 10): asymmetric, nearest rounds down.
LogicalResult importUpsample(NodeContext &n) {
  if (failed(n.checkAttributes({"mode", "scales"})))
    return failure();
  ResizeMode m;
  m.mode = n.getString("mode", "nearest");
  m.transform = "asymmetric";
  m.nearest = "floor";
  if (m.mode == "bilinear")
    m.mode = "linear";
  if (failed(checkMode(n, m)))
    return failure();
  std::optional<SmallVector<double>> scales;
  if (n.opset >= 9) {
    scales = n.input(1) ? n.constFloats(1) : std::nullopt;
    if (!scales)
      return n.input(1) ? n.needsConstant(1, "scales")
                        : n.invalid("scales is required");
  } else if (const auto *attr = n.attr("scales")) {
    scales = SmallVector<double>(attr->floats().begin(), attr->floats().end());
  }
  SmallVector<int64_t> outShape;
  SmallVector<double> perAxis;
  if (failed(outputGeometry(n, scales, std::nullopt, outShape, perAxis)))
    return failure();
  return resize(n, m, outShape, perAxis, {});
}

} // namespace

void anvil::onnx_import::addResizeOps(OpTable &t) {
  t["Resize"] = {importResize, 10};
  t["Upsample"] = {importUpsample, 7};
}
