//===- onnx_importer.cpp - Fuzz the ONNX importer -------------------------===//
//
// Any bytes as a .onnx file: the importer must accept them or report the
// problem, never crash, hang or read outside the model's directory.
//
//===----------------------------------------------------------------------===//

#include "FuzzContext.h"
#include "FuzzFiles.h"

#include "anvil/Import/ONNX.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = anvil::fuzz::writeScratch("model.onnx", data, size);
  anvil::onnx_import::ImportOptions options;
  anvil::onnx_import::importModelFile(anvil::fuzz::renewedContext(), path,
                                      options);
  return 0;
}
