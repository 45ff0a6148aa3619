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

#include "anvil/Policy/Tiling.h"
#include "anvil/Target/TargetDesc.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace anvil::mtia {

/// Replaces `op` by a kernel named `name` on `machine`'s PEs, its tasks
/// those of an `anvil.task_tiles` decision on `op`, or else chosen by
/// `tiling` with the cost model's estimate of each grid (the op's operands
/// per task, halos included). Fails, with an error on `op`, when its
/// iteration space is not static, a decision on it cuts a loop that cannot
/// be cut, or a tile of it cannot be made.
mlir::LogicalResult emitVectorKernel(mlir::linalg::LinalgOp op,
                                     mlir::StringRef name,
                                     const anvil::target::TargetDesc &machine,
                                     const policy::TilingPolicy &tiling);

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_VECTORKERNEL_H
