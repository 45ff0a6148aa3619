//===- Products.h - What both targets' product kernels take -----*- C++ -*-===//
//
// The host's GEMM and depthwise kernels and the MTIA-like target's DPE
// kernels take the same ops, and both run a convolution as a product with
// an im2col buffer; these are the shared conditions and the buffer's fill.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CONVERSION_PRODUCTS_H
#define ANVIL_CONVERSION_PRODUCTS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace anvil {

/// Whether every operand of `op` is a statically shaped f32 tensor or
/// buffer.
bool hasStaticF32Operands(mlir::linalg::LinalgOp op);

/// The element type every operand of `op` shares, where each is a
/// statically shaped tensor or buffer; null otherwise.
mlir::Type sharedStaticElementType(mlir::linalg::LinalgOp op);

/// The element type of a matmul, batch matmul or NCHW convolution with
/// static shapes, default indexing maps and one element type for all its
/// operands; null for any other op.
mlir::Type staticProductElementType(mlir::linalg::LinalgOp op);

/// An f32 matmul, batch matmul or NCHW convolution with static shapes and
/// default indexing maps (on tensors or buffers): what the host's GEMM
/// kernel and the DPE take. The host's tiling pass leaves these whole.
bool isStaticF32Product(mlir::linalg::LinalgOp op);

/// An f32 depthwise_conv_2d_nchw_chw with static shapes: what the host's
/// depthwise kernel takes.
bool isStaticF32Depthwise(mlir::linalg::LinalgOp op);

/// Fills `patches` [C*KH*KW, OH*OW] with the im2col patches of image
/// `image` of the NCHW `input`: patches[c, kh, kw, oh, ow] = input[image,
/// c, oh*sh + kh*dh, ow*sw + kw*dw], with the copy linalg.generic it
/// returns (rounding to `patches`' type where it is narrower). `w` and
/// `out` are the filter's and output's shapes.
mlir::linalg::GenericOp
fillPatches(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
            mlir::Value image, mlir::Value patches, llvm::ArrayRef<int64_t> w,
            llvm::ArrayRef<int64_t> out, llvm::ArrayRef<int64_t> strides,
            llvm::ArrayRef<int64_t> dilations);

} // namespace anvil

#endif // ANVIL_CONVERSION_PRODUCTS_H
