//===- tensor_reader.cpp - Fuzz the .npy and .pb tensor readers -----------===//
//
// The first byte chooses the format (even: .npy, odd: an ONNX TensorProto
// .pb); the rest is the file. A reader returns a tensor whose data holds
// all its elements, or an error.
//
//===----------------------------------------------------------------------===//

#include "FuzzFiles.h"

#include "anvil/Runtime/TensorIO.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const char *name = data[0] % 2 ? "tensor.pb" : "tensor.npy";
  std::string path = anvil::fuzz::writeScratch(name, data + 1, size - 1);
  llvm::Expected<anvil::runtime::HostTensor> tensor = anvil::runtime::readTensorFile(path);
  if (!tensor) {
    llvm::consumeError(tensor.takeError());
    return 0;
  }
  // Every element the shape promises is there to read.
  volatile double sum = 0;
  for (int64_t i = 0, n = tensor->numElements(); i < n; ++i)
    sum = sum + anvil::runtime::elementAsDouble(*tensor, i);
  return 0;
}
