//===- Constants.cpp - The elements of constant tensors -------------------===//

#include "anvil/Conversion/Constants.h"
#include "anvil/Sim/Half.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <climits>
#include <cstring>
#include <vector>

using namespace mlir;

std::optional<ArrayRef<char>> anvil::rawElements(ElementsAttr attr) {
  Type element = attr.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return std::nullopt;
    return dense.getRawData();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

/// Elements of `result` whose bytes are `raw`, computed from `source`: a
/// new resource named after a resource source (with `suffix`), else a
/// dense attribute.
static ElementsAttr derivedElements(ElementsAttr source,
                                    RankedTensorType result, ArrayRef<char> raw,
                                    StringRef suffix) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(source))
    return DenseResourceElementsAttr::get(
        result, (resource.getRawHandle().getKey() + "_" + suffix).str(),
        HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, alignof(double)));
  return DenseElementsAttr::getFromRawBuffer(result, raw);
}

ElementsAttr anvil::roundedElements(ElementsAttr attr, FloatType type) {
  auto shape = cast<ShapedType>(attr.getShapedType()).getShape();
  return roundedElements(
      attr, type, shape, [](int64_t i) { return i; }, "rounded");
}

ElementsAttr anvil::roundedElements(
    ElementsAttr attr, FloatType type, ArrayRef<int64_t> shape,
    llvm::function_ref<int64_t(int64_t)> sourceOf, StringRef suffix) {
  auto source = cast<ShapedType>(attr.getShapedType());
  // Elements already of `type` are only reordered.
  bool same = source.getElementType() == type;
  if (!(source.getElementType().isF32() || same) ||
      !isa<Float16Type, BFloat16Type>(type))
    return nullptr;
  auto result = RankedTensorType::get(shape, type);
  int64_t count = source.getNumElements();
  if (result.getNumElements() != count)
    return nullptr;
  // The SE's own conversions (anvil/Sim/Half.h): the same bits as every
  // run's, and fast enough for a model's weights.
  auto round = isa<Float16Type>(type) ? sim::floatToHalf : sim::floatToBF16;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr);
      dense && dense.isSplat()) {
    if (same)
      return DenseElementsAttr::get(result, dense.getSplatValue<APFloat>());
    uint16_t bits = round(dense.getSplatValue<float>());
    return DenseElementsAttr::get(
        result, llvm::APFloat(type.getFloatSemantics(),
                              llvm::APInt(sizeof(bits) * CHAR_BIT, bits)));
  }
  std::optional<ArrayRef<char>> bytes = rawElements(attr);
  int64_t width = same ? sizeof(uint16_t) : sizeof(float);
  if (!bytes || int64_t(bytes->size()) != count * width)
    return nullptr;
  std::vector<uint16_t> bits(count);
  for (int64_t i = 0; i < count; ++i) {
    const char *at = bytes->data() + sourceOf(i) * width;
    if (same) {
      std::memcpy(&bits[i], at, sizeof(uint16_t));
      continue;
    }
    float value;
    std::memcpy(&value, at, sizeof(float));
    bits[i] = round(value);
  }
  ArrayRef<char> out(reinterpret_cast<const char *>(bits.data()),
                     bits.size() * sizeof(uint16_t));
  return derivedElements(attr, result, out, suffix);
}

ElementsAttr anvil::transformedF32Elements(
    ElementsAttr attr, ArrayRef<int64_t> shape,
    llvm::function_ref<void(ArrayRef<float>, MutableArrayRef<float>)> transform,
    StringRef suffix) {
  auto source = cast<ShapedType>(attr.getShapedType());
  if (!source.getElementType().isF32())
    return nullptr;
  int64_t count = source.getNumElements();
  std::vector<float> in(count);
  if (auto dense = dyn_cast<DenseElementsAttr>(attr);
      dense && dense.isSplat()) {
    std::fill(in.begin(), in.end(), dense.getSplatValue<float>());
  } else {
    std::optional<ArrayRef<char>> bytes = rawElements(attr);
    if (!bytes || int64_t(bytes->size()) != count * int64_t(sizeof(float)))
      return nullptr;
    std::memcpy(in.data(), bytes->data(), bytes->size());
  }
  auto result = RankedTensorType::get(shape, source.getElementType());
  std::vector<float> out(result.getNumElements());
  transform(in, out);
  ArrayRef<char> raw(reinterpret_cast<const char *>(out.data()),
                     out.size() * sizeof(float));
  return derivedElements(attr, result, raw, suffix);
}
