//===- onnx_importer.cpp - Fuzz the ONNX importer -------------------------===//
//
// Any bytes as a .onnx file: the importer must accept them or report the
// problem, never crash, hang or read outside the model's directory. The
// MLIR context is renewed now and then: it keeps every attribute and type
// it ever made.
//
//===----------------------------------------------------------------------===//

#include "FuzzFiles.h"

#include "anvil/Import/ONNX.h"

#include "mlir/IR/MLIRContext.h"

#include <memory>

namespace {

mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static int uses = 0;
  if (!ctx || ++uses % 1000 == 0) {
    ctx = std::make_unique<mlir::MLIRContext>();
    // Diagnostics without a node would go to stderr for every input.
    ctx->getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
  }
  return *ctx;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = anvil::fuzz::writeScratch("model.onnx", data, size);
  anvil::onnx_import::ImportOptions options;
  anvil::onnx_import::importModelFile(context(), path, options);
  return 0;
}
