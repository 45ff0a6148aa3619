//===- PatchGather.h - Implicit im2col for DPE products ---------*- C++ -*-===//
//
// A convolution's patches gathered by its DPE kernel from an SRAM copy of
// its image, instead of read from an im2col matrix a vector-core job wrote
// through DRAM.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_PATCHGATHER_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_PATCHGATHER_H

#include "anvil/Conversion/Folds.h"
#include "anvil/Target/TargetDesc.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <cstdint>
#include <optional>

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
  /// Zero rows above and below, and columns left and right, of each
  /// channel's plane that the staging writes around a source image that
  /// lacks them (a folded padded input, anvil/Conversion/Folds.h); height
  /// and width count them.
  int64_t top = 0, bottom = 0, left = 0, right = 0;

  int64_t imageElements() const { return channels * height * width; }
  bool padsWhileStaging() const { return top || bottom || left || right; }
  int64_t sourceHeight() const { return height - top - bottom; }
  int64_t sourceWidth() const { return width - left - right; }
  /// Elements of the largest zero strip of a plane's border.
  int64_t borderElements() const;
};

/// Whether `op` is 1 x 1 with unit strides: its patches are the image
/// itself (its padding, where it had any, is already in the input).
bool isPointwise(mlir::linalg::Conv2DNchwFchwOp op);

/// The patches of `op` as its DPE kernel would gather them from the image
/// (implicit im2col) in `input`, the DPE's type, where it can: with
/// `implicitPatches` and `sramStaging` on, products in a 16-bit type,
/// patches that are not the image itself, an image row that splits into
/// whole phases of the horizontal stride, an f32 image where that stride
/// is not 1 (its staging splits the rows as it converts them), output rows
/// of at least a quarter of an SRAM transaction (each gathered row moves
/// whole transactions: ResNet-18's 7 x 7 layers, 14 bytes a row, ran 12%
/// slower gathered than through an im2col job on mtia-v1), and the images
/// with the weights fitting the SRAM, where the kernel stages them.
std::optional<Patches> gatherablePatches(mlir::linalg::Conv2DNchwFchwOp op,
                                         mlir::Type input,
                                         const target::TargetDesc &machine,
                                         bool implicitPatches,
                                         bool sramStaging);

/// `patches`, gathered from an image that `padding` pads, with the
/// padding written by the staging instead (the padded copy's ops go),
/// where it can be: the image's rows split into whole phases of the
/// horizontal stride, as the padded rows do, and the largest zero strip in
/// `input` within half a PE's local memory, where the kernel keeps it.
std::optional<Patches> padWhileStaging(Patches patches,
                                       const PaddedInput &padding,
                                       mlir::Type input,
                                       const target::TargetDesc &machine);

/// Writes the zero border of planes pe, pe + pes, ... (of `count`) of
/// `planes`, the staged copy as the matrix of its planes' rows, [count *
/// height, width], from `zeros` (a local view of `rows` x `cols`
/// elements, all at the same bytes), which it fills first; waits for the
/// last DMA.
void zeroBorders(
    mlir::OpBuilder &b, mlir::Location loc, const Patches &p,
    mlir::Value planes, int64_t count, mlir::Value pe, int64_t pes,
    llvm::function_ref<mlir::Value(int64_t rows, int64_t cols)> zeros);

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
/// `copyWidth` wide), whose rows have `leftPad` pixels of padding before
/// the image's. Returns the last DMA's token.
mlir::Value splitIntoPhases(mlir::OpBuilder &b, mlir::Location loc,
                            int64_t phases, mlir::Value wide,
                            mlir::Value narrow, mlir::Value rows,
                            mlir::Value cols, mlir::Value firstColumn,
                            mlir::Value copy, mlir::Value copyRow,
                            int64_t copyWidth, int64_t leftPad);

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_PATCHGATHER_H
