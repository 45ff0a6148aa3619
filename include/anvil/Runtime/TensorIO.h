//===- TensorIO.h - Tensors in NumPy and ONNX files --------------*- C++ -*-===//
#ifndef ANVIL_RUNTIME_TENSORIO_H
#define ANVIL_RUNTIME_TENSORIO_H

#include "anvil-c/Runtime.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace anvil::runtime {

/// A tensor owning its data, as read from or written to a file.
struct HostTensor {
  std::string name;
  AnvilDType dtype = ANVIL_DTYPE_INVALID;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
  AnvilTensor view();
};

/// NumPy .npy (format 1.0 to 3.0, little-endian, C order).
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

/// A serialized onnx.TensorProto (the ONNX test-data format).
llvm::Expected<HostTensor> readTensorProto(llvm::StringRef path);

/// By extension: .npy, else .pb.
llvm::Expected<HostTensor> readTensorFile(llvm::StringRef path);

/// Element `i` as a double (for comparisons).
double elementAsDouble(const HostTensor &tensor, int64_t i);

} // namespace anvil::runtime

#endif // ANVIL_RUNTIME_TENSORIO_H
