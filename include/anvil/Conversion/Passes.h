//===- Passes.h - Anvil conversion passes -----------------------*- C++ -*-===//
#ifndef ANVIL_CONVERSION_PASSES_H
#define ANVIL_CONVERSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace anvil {
#define GEN_PASS_DECL
#include "anvil/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

#endif // ANVIL_CONVERSION_PASSES_H
