//===- GemmKernels.h - Which ops the host GEMM kernel takes -----*- C++ -*-===//
#ifndef ANVIL_LIB_CONVERSION_HOSTTILING_GEMMKERNELS_H
#define ANVIL_LIB_CONVERSION_HOSTTILING_GEMMKERNELS_H

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

namespace anvil::host {

/// Whether anvil-host-gemm-kernels takes `op` (on tensors or buffers): an
/// f32 matmul, batch matmul or NCHW convolution with static shapes and
/// default indexing maps. The tiling pass leaves these to it.
bool takesGemmKernel(mlir::linalg::LinalgOp op);

} // namespace anvil::host

#endif // ANVIL_LIB_CONVERSION_HOSTTILING_GEMMKERNELS_H
