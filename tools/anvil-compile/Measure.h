//===- Measure.h - Tiling candidates timed (--roller-measure) ---*- C++ -*-===//
//
// The measured mode of the tiling room: each DPE product is compiled alone
// under each of the policy's first K candidates and run on the simulator
// of the target machine; the fastest becomes the product's decision, which
// the compilation of the whole model then carries out. A reference search
// for researchers: it costs a compilation and a simulated run per
// candidate and per distinct product.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TOOLS_ANVILCOMPILE_MEASURE_H
#define ANVIL_TOOLS_ANVILCOMPILE_MEASURE_H

#include "anvil/Target/MTIA/Pipeline.h"
#include "anvil/Target/TargetDesc.h"

#include "mlir/IR/BuiltinOps.h"

namespace anvil {

/// Measures the first `count` candidates of every DPE product of `module`
/// (linalg on tensors for `machine`, compiled with `options`) that carries
/// no decision yet, and writes the fastest on it (anvil.product_tiles,
/// anvil.product_staging, anvil.product_buffers) with every candidate's
/// predicted and simulated cycles (anvil.product_measured;
/// anvil/Target/MTIA/Decisions.h). Products of one shape and type are
/// measured once. An error on the product where a candidate cannot be
/// compiled or run alone.
mlir::LogicalResult
measureProductTiles(mlir::ModuleOp module,
                    const mtia::MTIAPipelineOptions &options,
                    const target::TargetDesc &machine, int64_t count);

} // namespace anvil

#endif // ANVIL_TOOLS_ANVILCOMPILE_MEASURE_H
