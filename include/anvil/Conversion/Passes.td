//===- Passes.td - Anvil conversion passes -----------------*- tablegen -*-===//
#ifndef ANVIL_CONVERSION_PASSES_TD
#define ANVIL_CONVERSION_PASSES_TD
include "mlir/Pass/PassBase.td"
#endif
