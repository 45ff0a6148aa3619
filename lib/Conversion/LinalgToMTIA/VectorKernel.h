//===- VectorKernel.h - Linalg ops on the PEs' vector cores -----*- C++ -*-===//
//
// The mechanism that runs any linalg op on buffers as ordinary code on the
// vector cores: its iteration space is cut into tasks as the tiling policy
// decides (anvil/Policy/Tiling.h) from the cost model's estimate of each
// way to cut it, each task a tile of the op made by its TilingInterface
// (reads of window ops get their halo), and the kernel's PEs take the tasks
// in turn.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_VECTORKERNEL_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_VECTORKERNEL_H

#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Policy/Tiling.h"
#include "anvil/Target/TargetDesc.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace anvil::mtia {

/// Replaces `op` by a kernel named `name` on `machine`'s PEs (at most the
/// `anvil.schedule.pe_cap` on `op`, where the scheduler set one), its tasks
/// those of an `anvil.task_tiles` decision on `op`, or else chosen by
/// `tiling` with the cost model's estimate of each grid (the op's operands
/// per task, halos included). Fails, with an error on `op`, when its
/// iteration space is not static, a decision on it cuts a loop that cannot
/// be cut, or a tile of it cannot be made.
mlir::LogicalResult emitVectorKernel(mlir::linalg::LinalgOp op,
                                     mlir::StringRef name,
                                     const anvil::target::TargetDesc &machine,
                                     const policy::TilingPolicy &tiling);

/// What the DPE takes: products with static, unit-inner-stride buffers
/// (the host GEMM kernel's conditions), and grouped convolutions (products
/// batched over the groups), in f32 or in a 16-bit type `target`'s DPE
/// takes (without a target, f32 only). Every other linalg op on buffers
/// forms a vector-core kernel.
bool onDPE(mlir::linalg::LinalgOp op, TargetAttr target);

/// The vector-core kernel `op` would form on at most each of `machine`'s
/// PEs, then half as many, ... down to one: (that cap, the cost model's
/// cycles for the body of the grid `tiling` picks under it). Also sets
/// `pes` to the PEs the uncapped grid takes. Empty where the kernel's grid
/// is not open: a decision on `op` fixes it, or its iteration space is
/// not static.
llvm::SmallVector<std::pair<int64_t, int64_t>, 8>
vectorCapCycles(mlir::linalg::LinalgOp op,
                const anvil::target::TargetDesc &machine,
                const policy::TilingPolicy &tiling, int64_t &pes);

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_VECTORKERNEL_H
