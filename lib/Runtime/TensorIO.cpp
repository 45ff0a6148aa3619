//===- TensorIO.cpp - Tensors in NumPy and ONNX files ---------------------===//
#include "anvil/Runtime/TensorIO.h"
#include "anvil/Support/Sizes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <optional>
#include <cstring>

using namespace anvil::runtime;
using llvm::StringRef;

int64_t HostTensor::numElements() const {
  // Shapes are checked when a tensor is read or made (byteSize); a shape
  // that cannot be counted holds no elements.
  return anvil::checkedElementCount(shape).value_or(0);
}

AnvilTensor HostTensor::view() {
  return {name.empty() ? nullptr : name.c_str(), dtype,
          static_cast<int32_t>(shape.size()), shape.data(), data.data()};
}

/// Bytes of a dense tensor, or nullopt when a corrupted shape overflows.
static std::optional<size_t> byteSize(const HostTensor &t) {
  std::optional<int64_t> bytes =
      anvil::checkedByteCount(t.shape, anvilDTypeSize(t.dtype));
  if (!bytes)
    return std::nullopt;
  return static_cast<size_t>(*bytes);
}

static llvm::Error fileError(StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": " + message);
}

namespace {
struct NpyType {
  const char *descr;
  AnvilDType dtype;
};
const NpyType kNpyTypes[] = {
    {"<f4", ANVIL_DTYPE_FLOAT32}, {"<f8", ANVIL_DTYPE_FLOAT64},
    {"<f2", ANVIL_DTYPE_FLOAT16}, {"|i1", ANVIL_DTYPE_INT8},
    {"<i2", ANVIL_DTYPE_INT16},   {"<i4", ANVIL_DTYPE_INT32},
    {"<i8", ANVIL_DTYPE_INT64},   {"|b1", ANVIL_DTYPE_BOOL},
    {"|u1", ANVIL_DTYPE_UINT8},   {"<u2", ANVIL_DTYPE_UINT16},
    {"<u4", ANVIL_DTYPE_UINT32},  {"<u8", ANVIL_DTYPE_UINT64}};

/// The value of `'key': value` in a .npy header dict, up to `end`.
StringRef headerField(StringRef header, StringRef key, char end) {
  size_t at = header.find("'" + key.str() + "'");
  if (at == StringRef::npos)
    return "";
  StringRef rest = header.drop_front(at + key.size() + 2).ltrim(" :");
  // The dictionary's keys come in any order: the last value ends at '}'.
  return rest.take_until([&](char c) { return c == end || c == '}'; });
}
} // namespace

llvm::Expected<HostTensor> anvil::runtime::readNpy(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fileError(path, buffer.getError().message());
  StringRef bytes = (*buffer)->getBuffer();
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return fileError(path, "not a NumPy .npy file");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3)
    return fileError(path, ".npy format version " + llvm::Twine(major) +
                               " is not one Anvil reads (1 to 3)");
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) |
                static_cast<unsigned char>(bytes[9]) << 8;
    headerStart = 10;
  } else {
    if (bytes.size() < 12)
      return fileError(path, "truncated .npy header");
    headerLen = llvm::support::endian::read32le(bytes.data() + 8);
    headerStart = 12;
  }
  if (headerStart + headerLen > bytes.size())
    return fileError(path, "truncated .npy header");
  StringRef header = bytes.substr(headerStart, headerLen).trim();
  if (!header.starts_with("{") || !header.contains("'descr'") ||
      !header.contains("'shape'"))
    return fileError(path, "malformed .npy header (a dictionary with "
                           "'descr', 'fortran_order' and 'shape')");
  HostTensor t;
  StringRef descr = headerField(header, "descr", ',').trim(" '");
  for (const NpyType &type : kNpyTypes)
    if (descr == type.descr || (descr.drop_front() == StringRef(type.descr).drop_front() &&
                                descr[0] == '=' ))
      t.dtype = type.dtype;
  if (t.dtype == ANVIL_DTYPE_INVALID)
    return fileError(path, "unsupported .npy dtype '" + descr + "'");
  if (headerField(header, "fortran_order", ',').trim() != "False")
    return fileError(path, "Fortran-ordered .npy files are not supported");
  StringRef shape = headerField(header, "shape", ')').ltrim("( ");
  llvm::SmallVector<StringRef> dims;
  shape.split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef d : dims) {
    int64_t size;
    if (d.trim().getAsInteger(10, size) || size < 0)
      return fileError(path, "malformed .npy shape");
    t.shape.push_back(size);
  }
  std::optional<size_t> size = byteSize(t);
  if (!size)
    return fileError(path, "the .npy shape is too large");
  size_t expected = *size;
  StringRef payload = bytes.drop_front(headerStart + headerLen);
  if (payload.size() < expected)
    return fileError(path, "holds " + llvm::Twine(payload.size()) +
                               " data bytes, the header promises " +
                               llvm::Twine(expected));
  t.data.assign(payload.begin(), payload.begin() + expected);
  return t;
}

llvm::Error anvil::runtime::writeNpy(StringRef path, const HostTensor &t) {
  const char *descr = nullptr;
  for (const NpyType &type : kNpyTypes)
    if (type.dtype == t.dtype)
      descr = type.descr;
  if (!descr)
    return fileError(path, "cannot write this dtype to .npy");
  std::string shape;
  for (int64_t d : t.shape)
    shape += std::to_string(d) + ", ";
  if (t.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (t.shape.size() == 1)
    shape.pop_back();
  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // Pad so that the data starts on a 64-byte boundary, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return fileError(path, ec.message());
  os << "\x93NUMPY" << '\x01' << '\x00';
  os << static_cast<char>(header.size() & 0xff)
     << static_cast<char>(header.size() >> 8);
  os << header;
  os.write(t.data.data(), t.data.size());
  return llvm::Error::success();
}

static AnvilDType dtypeFromOnnx(int type) {
  switch (type) {
  case onnx::TensorProto::FLOAT:
    return ANVIL_DTYPE_FLOAT32;
  case onnx::TensorProto::DOUBLE:
    return ANVIL_DTYPE_FLOAT64;
  case onnx::TensorProto::FLOAT16:
    return ANVIL_DTYPE_FLOAT16;
  case onnx::TensorProto::INT8:
    return ANVIL_DTYPE_INT8;
  case onnx::TensorProto::INT16:
    return ANVIL_DTYPE_INT16;
  case onnx::TensorProto::INT32:
    return ANVIL_DTYPE_INT32;
  case onnx::TensorProto::INT64:
    return ANVIL_DTYPE_INT64;
  case onnx::TensorProto::BOOL:
    return ANVIL_DTYPE_BOOL;
  case onnx::TensorProto::UINT8:
    return ANVIL_DTYPE_UINT8;
  case onnx::TensorProto::UINT16:
    return ANVIL_DTYPE_UINT16;
  case onnx::TensorProto::UINT32:
    return ANVIL_DTYPE_UINT32;
  case onnx::TensorProto::UINT64:
    return ANVIL_DTYPE_UINT64;
  default:
    return ANVIL_DTYPE_INVALID;
  }
}

template <typename To, typename Field>
static void copyField(const Field &field, std::vector<char> &out) {
  out.resize(field.size() * sizeof(To));
  To *dst = reinterpret_cast<To *>(out.data());
  for (int i = 0; i < field.size(); ++i)
    dst[i] = static_cast<To>(field.Get(i));
}

llvm::Expected<HostTensor> anvil::runtime::readTensorProto(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fileError(path, buffer.getError().message());
  onnx::TensorProto proto;
  if (!proto.ParseFromArray((*buffer)->getBufferStart(),
                            (*buffer)->getBufferSize()))
    return fileError(path, "not a serialized onnx.TensorProto");
  HostTensor t;
  t.name = proto.name();
  t.dtype = dtypeFromOnnx(proto.data_type());
  if (t.dtype == ANVIL_DTYPE_INVALID)
    return fileError(path, "unsupported TensorProto data type " +
                               llvm::Twine(proto.data_type()));
  t.shape.assign(proto.dims().begin(), proto.dims().end());
  std::optional<size_t> size = byteSize(t);
  if (!size)
    return fileError(path, "the tensor's shape is negative or too large");
  size_t bytes = *size;
  if (proto.has_raw_data()) {
    t.data.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    switch (t.dtype) {
    case ANVIL_DTYPE_FLOAT32:
      copyField<float>(proto.float_data(), t.data);
      break;
    case ANVIL_DTYPE_FLOAT64:
      copyField<double>(proto.double_data(), t.data);
      break;
    case ANVIL_DTYPE_INT64:
      copyField<int64_t>(proto.int64_data(), t.data);
      break;
    case ANVIL_DTYPE_INT32:
      copyField<int32_t>(proto.int32_data(), t.data);
      break;
    case ANVIL_DTYPE_INT16:
    case ANVIL_DTYPE_UINT16:
    case ANVIL_DTYPE_FLOAT16:
      copyField<int16_t>(proto.int32_data(), t.data);
      break;
    case ANVIL_DTYPE_INT8:
    case ANVIL_DTYPE_UINT8:
    case ANVIL_DTYPE_BOOL:
      copyField<int8_t>(proto.int32_data(), t.data);
      break;
    // ONNX keeps the two widest unsigned types in uint64_data.
    case ANVIL_DTYPE_UINT32:
      copyField<uint32_t>(proto.uint64_data(), t.data);
      break;
    case ANVIL_DTYPE_UINT64:
      copyField<uint64_t>(proto.uint64_data(), t.data);
      break;
    case ANVIL_DTYPE_INVALID:
      break;
    }
  }
  if (t.data.size() != bytes)
    return fileError(path, "holds " + llvm::Twine(t.data.size()) +
                               " data bytes for " + llvm::Twine(bytes) +
                               " expected");
  return t;
}

llvm::Expected<HostTensor> anvil::runtime::readTensorFile(StringRef path) {
  if (llvm::sys::path::extension(path) == ".npy")
    return readNpy(path);
  return readTensorProto(path);
}

static double halfToDouble(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v = exp == 0    ? std::ldexp(mant, -24)
             : exp == 31 ? (mant ? NAN : INFINITY)
                         : std::ldexp(mant | 0x400, exp - 25);
  return sign ? -v : v;
}

double anvil::runtime::elementAsDouble(const HostTensor &t, int64_t i) {
  const char *p = t.data.data();
  switch (t.dtype) {
  case ANVIL_DTYPE_FLOAT32:
    return reinterpret_cast<const float *>(p)[i];
  case ANVIL_DTYPE_FLOAT64:
    return reinterpret_cast<const double *>(p)[i];
  case ANVIL_DTYPE_FLOAT16:
    return halfToDouble(reinterpret_cast<const uint16_t *>(p)[i]);
  case ANVIL_DTYPE_INT8:
    return reinterpret_cast<const int8_t *>(p)[i];
  case ANVIL_DTYPE_INT16:
    return reinterpret_cast<const int16_t *>(p)[i];
  case ANVIL_DTYPE_INT32:
    return reinterpret_cast<const int32_t *>(p)[i];
  case ANVIL_DTYPE_INT64:
    return static_cast<double>(reinterpret_cast<const int64_t *>(p)[i]);
  case ANVIL_DTYPE_BOOL:
    return reinterpret_cast<const uint8_t *>(p)[i] != 0;
  case ANVIL_DTYPE_UINT8:
    return reinterpret_cast<const uint8_t *>(p)[i];
  case ANVIL_DTYPE_UINT16:
    return reinterpret_cast<const uint16_t *>(p)[i];
  case ANVIL_DTYPE_UINT32:
    return reinterpret_cast<const uint32_t *>(p)[i];
  case ANVIL_DTYPE_UINT64:
    return static_cast<double>(reinterpret_cast<const uint64_t *>(p)[i]);
  case ANVIL_DTYPE_INVALID:
    break;
  }
  return NAN;
}
