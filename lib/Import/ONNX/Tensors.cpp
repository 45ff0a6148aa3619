//===- Tensors.cpp - ONNX tensors to MLIR attributes ----------------------===//
//
// Large float weights become dense resource attributes (a blob the IR never
// prints inline); small and non-float tensors become DenseElementsAttr so
// that shape computations can read them.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "anvil/Support/Sizes.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace anvil::onnx_import;


Type anvil::onnx_import::elementType(MLIRContext *ctx, int onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  default:
    return nullptr;
  }
}

std::string anvil::onnx_import::onnxTypeName(int onnxType) {
  if (onnx::TensorProto::DataType_IsValid(onnxType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(onnxType));
  return "data type " + std::to_string(onnxType);
}

namespace {

/// Reads external data, refusing any location outside the model directory.
FailureOr<std::string> readExternal(const onnx::TensorProto &tensor,
                                    StringRef modelDir, std::string &error) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
      continue;
    }
    if (entry.key() != "offset" && entry.key() != "length")
      continue;
    int64_t &field = entry.key() == "offset" ? offset : length;
    if (StringRef(entry.value()).getAsInteger(10, field) || field < 0) {
      error = "external data " + entry.key() + " '" + entry.value() +
              "' is not a byte count (a non-negative 64-bit integer)";
      return failure();
    }
  }
  llvm::SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  llvm::SmallString<256> real, realDir;
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      llvm::sys::fs::real_path(path, real) ||
      llvm::sys::fs::real_path(modelDir, realDir) ||
      !StringRef(real).starts_with((realDir + "/").str())) {
    error = "external data location '" + location +
            "' is not a file inside the model's directory";
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFile(real, /*IsText=*/false);
  if (!buffer) {
    error = "cannot read external data '" + location +
            "': " + buffer.getError().message();
    return failure();
  }
  StringRef bytes = (*buffer)->getBuffer();
  std::optional<int64_t> end =
      anvil::checkedRangeEnd(offset, std::max<int64_t>(length, 0));
  if (!end || static_cast<uint64_t>(*end) > bytes.size()) {
    error = "external data range is outside '" + location + "'";
    return failure();
  }
  bytes = bytes.drop_front(offset);
  if (length >= 0)
    bytes = bytes.take_front(length);
  return bytes.str();
}

/// Little-endian element bytes from the typed repeated fields.
template <typename To, typename Field>
std::string packField(const Field &field) {
  std::string out(field.size() * sizeof(To), '\0');
  To *dst = reinterpret_cast<To *>(out.data());
  for (int i = 0; i < field.size(); ++i)
    dst[i] = static_cast<To>(field.Get(i));
  return out;
}

std::string typedFieldBytes(const onnx::TensorProto &t) {
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    return packField<float>(t.float_data());
  case onnx::TensorProto::DOUBLE:
    return packField<double>(t.double_data());
  case onnx::TensorProto::INT64:
    return packField<int64_t>(t.int64_data());
  case onnx::TensorProto::INT32:
    return packField<int32_t>(t.int32_data());
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
    return packField<int16_t>(t.int32_data());
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return packField<int8_t>(t.int32_data());
  // ONNX keeps the two widest unsigned types in uint64_data.
  case onnx::TensorProto::UINT32:
    return packField<uint32_t>(t.uint64_data());
  case onnx::TensorProto::UINT64:
    return packField<uint64_t>(t.uint64_data());
  default:
    return "";
  }
}

} // namespace

FailureOr<ElementsAttr>
anvil::onnx_import::tensorToAttr(MLIRContext *ctx,
                                 const onnx::TensorProto &tensor,
                                 StringRef modelDir, std::string &error,
                                 bool &unsupported) {
  unsupported = false;
  Type element = elementType(ctx, tensor.data_type());
  if (!element) {
    unsupported = true;
    error = "tensor '" + tensor.name() + "' has unsupported element type " +
            onnxTypeName(tensor.data_type());
    return failure();
  }
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; })) {
    error = "tensor '" + tensor.name() + "' has a negative dimension";
    return failure();
  }
  auto type = RankedTensorType::get(shape, element);
  std::string bytes;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    auto external = readExternal(tensor, modelDir, error);
    if (failed(external))
      return failure();
    bytes = std::move(*external);
  } else {
    bytes = tensor.has_raw_data() ? tensor.raw_data() : typedFieldBytes(tensor);
  }
  size_t elementBytes = element.isInteger(1)
                            ? 1
                            : element.getIntOrFloatBitWidth() / 8;
  std::optional<int64_t> expected = anvil::checkedByteCount(shape, elementBytes);
  if (!expected) {
    error = "tensor '" + tensor.name() + "' has a shape whose size overflows "
            "64 bits";
    return failure();
  }
  if (bytes.size() != static_cast<uint64_t>(*expected)) {
    error = "tensor '" + tensor.name() + "' holds " +
            std::to_string(bytes.size()) + " bytes, its shape needs " +
            std::to_string(*expected);
    return failure();
  }
  auto attr = elementsFromBytes(type, bytes,
                                tensor.name().empty() ? "weight" : tensor.name());
  if (!attr) {
    error = "tensor '" + tensor.name() + "' has malformed data";
    return failure();
  }
  return attr;
}
