//===- GemmKernels.h - Which ops the host GEMM kernel takes -----*- C++ -*-===//
#ifndef ANVIL_LIB_CONVERSION_HOSTTILING_GEMMKERNELS_H
#define ANVIL_LIB_CONVERSION_HOSTTILING_GEMMKERNELS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace anvil::host {

/// Whether anvil-host-gemm-kernels takes `op` (on tensors or buffers): an
/// f32 matmul, batch matmul or NCHW convolution with static shapes and
/// default indexing maps. The tiling pass leaves these to it.
bool takesGemmKernel(mlir::linalg::LinalgOp op);

/// Whether anvil-host-gemm-kernels hands `op` to the depthwise kernel: an
/// f32 depthwise_conv_2d_nchw_chw with static shapes.
bool takesDepthwiseKernel(mlir::linalg::LinalgOp op);

/// Fills `patches` [C*KH*KW, OH*OW] with the im2col patches of image
/// `image` of the NCHW `input`: patches[c, kh, kw, oh, ow] = input[image,
/// c, oh*sh + kh*dh, ow*sw + kw*dw], with the copy linalg.generic it
/// returns. `w` and `out` are the filter's and output's shapes.
mlir::linalg::GenericOp
fillPatches(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                 mlir::Value image, mlir::Value patches,
                 llvm::ArrayRef<int64_t> w, llvm::ArrayRef<int64_t> out,
                 llvm::ArrayRef<int64_t> strides,
                 llvm::ArrayRef<int64_t> dilations);

} // namespace anvil::host

#endif // ANVIL_LIB_CONVERSION_HOSTTILING_GEMMKERNELS_H
