//===- DeviceControl.h - What the device can run of control flow -*- C++
//-*-===//
//
// Shared by the branches' predication (DeviceControl.cpp) and the loops'
// folding into jobs (DeviceLoops.cpp): how the lowering recognizes the
// buffers a loop or branch allocates and the releases the deallocation
// pipeline leaves in a loop that carries buffers.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_DEVICECONTROL_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_DEVICECONTROL_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace anvil::mtia::device {

/// `op` as an allocation of a static shape, or null.
mlir::memref::AllocOp staticAlloc(mlir::Operation &op);

/// The allocation of `block` that `v` is (a cast of), or null.
mlir::memref::AllocOp allocIn(mlir::Value v, mlir::Block *block);

/// `scf.if %owned { memref.dealloc <base of an argument of block> ... }`
/// on a flag that is an argument of `block`.
bool releasesArgs(mlir::Operation &op, mlir::Block *block);

/// What the deallocation pipeline leaves in a loop that carries buffers:
/// `scf.if %owned { memref.dealloc <base of a carried buffer> ... }`, which
/// frees the previous iteration's buffers where the loop owns them.
bool releasesCarried(mlir::Operation &op, mlir::scf::ForOp loop);

/// The carried buffers a release frees (the loop's iter_args).
llvm::SmallVector<mlir::BlockArgument> releasedBy(mlir::scf::IfOp release);

} // namespace anvil::mtia::device

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_DEVICECONTROL_H
