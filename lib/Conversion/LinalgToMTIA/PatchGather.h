//===- PatchGather.h - Implicit im2col for DPE products ---------*- C++ -*-===//
//
// A convolution's patches gathered by its DPE kernel from an SRAM copy of
// its image, instead of read from an im2col matrix a vector-core job wrote
// through DRAM.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_PATCHGATHER_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_PATCHGATHER_H

#include "mlir/IR/Builders.h"

#include <cstdint>

namespace anvil::mtia {

/// A convolution's patches gathered from its image instead of read from
/// an im2col matrix (implicit im2col): B[(r, s, c), (oh, ow)] = X[c, oh *
/// strideH + r * dilationH, ow * strideW + s * dilationW] of an image X
/// [channels, height, width] (padding already in it), which the operands
/// give as [channels, height * width], or, where strideW is not 1, as the
/// matrix of its rows, [channels * height, width]. The kernel stages it in
/// SRAM, a strided one with each row split into its strideW phases (pixels
/// w = q * strideW + p at p * width / strideW + q; width a multiple of
/// strideW), so that a patch row is consecutive pixels of one phase. The
/// reduction runs over (r, s, c): a tap's channels for a run of one
/// output row are a 2-D window of the staged copy, one DMA.
struct Patches {
  int64_t channels, height, width, kernelW, strideH, strideW, dilationH,
      dilationW, outW;

  int64_t imageElements() const { return channels * height * width; }
};

/// Issues the DMAs that gather B's slice (k0 .. k0 + depth) x (j0 .. j0 +
/// cols) of `patches` from `image` (the staged [channels * height, width]
/// matrix, rows split into phases) into `slot` (local, its top-left
/// corner) and returns the last one's token, or `none` where there is
/// none; the DMA engine runs in order, so the last is in when all are.
mlir::Value gatherPatches(mlir::OpBuilder &b, mlir::Location loc,
                          const Patches &patches, mlir::Value image,
                          mlir::Value k0, mlir::Value depth, mlir::Value j0,
                          mlir::Value cols, mlir::Value slot, mlir::Value none);

/// The image at row `first` of `staged` (the kernel's SRAM copy of every
/// image, each as [channels, height * width], or as [channels * height,
/// width] where strided) as the matrix of its rows, [channels * height,
/// width], which gatherPatches reads.
mlir::Value imageRows(mlir::OpBuilder &b, mlir::Location loc,
                      const Patches &patches, mlir::Value staged,
                      mlir::Value first);

/// A strided image's staging step: `wide` (f32, the step's static
/// [rows, columns] buffer) converted on the vector core into `narrow` (the
/// same shape in the DPE's type) with each row's pixels in phase order
/// (pixel q * phases + p at p * columns / phases + q); then one DMA a
/// phase of the step's `rows` x `cols` (from column `firstColumn` of the
/// image rows) to where that phase goes in `copy` (rows from `copyRow`,
/// `copyWidth` wide). Returns the last DMA's token.
mlir::Value splitIntoPhases(mlir::OpBuilder &b, mlir::Location loc,
                            int64_t phases, mlir::Value wide,
                            mlir::Value narrow, mlir::Value rows,
                            mlir::Value cols, mlir::Value firstColumn,
                            mlir::Value copy, mlir::Value copyRow,
                            int64_t copyWidth);

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_PATCHGATHER_H
