//===- FuzzContext.h - An MLIR context for importer fuzz targets -*- C++ -*-===//
//
// The context keeps every attribute and type it ever made, so a fuzz run
// that imported into one context forever would grow without bound: it is
// renewed every thousand inputs. Diagnostics are dropped (each input would
// print its own).
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_FUZZ_FUZZCONTEXT_H
#define ANVIL_FUZZ_FUZZCONTEXT_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>

namespace anvil::fuzz {

inline mlir::MLIRContext &renewedContext() {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static int uses = 0;
  if (!ctx || ++uses % 1000 == 0) {
    ctx = std::make_unique<mlir::MLIRContext>();
    ctx->getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
  }
  return *ctx;
}

} // namespace anvil::fuzz

#endif // ANVIL_FUZZ_FUZZCONTEXT_H
