//===- Folds.h - What a product kernel can fold into itself -----*- C++ -*-===//
//
// The legality half of the fusion seam: the ops next to a product or
// depthwise convolution that its kernel can do as it reads its input or
// writes its output (an initialization of the output, an in-place clamp
// after it, a zero-padded copy of its input). Which of them it does is the
// fusion policy's decision (anvil/Policy/Fusion.h), recorded on the IR;
// the kernels' mechanisms carry out what is recorded.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CONVERSION_FOLDS_H
#define ANVIL_CONVERSION_FOLDS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <limits>
#include <optional>

namespace anvil {

/// The ops next to a kernel's op that its call can do as it writes the
/// output: the one before it that initializes the output (a broadcast of a
/// per-channel bias, or zeros), and an in-place clamp after it (ReLU,
/// ReLU6, Clip). Both must touch exactly the kernel's output buffer; only
/// views and constants may sit in between.
struct Epilogue {
  mlir::Operation *init = nullptr;
  mlir::Value bias;
  mlir::Operation *clamp = nullptr;
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
};

/// What `op`'s kernel can fold: `channelBiases` says whether a bias along
/// an NCHW output's channels is a bias per row of the kernel.
Epilogue matchEpilogue(mlir::linalg::LinalgOp op, bool channelBiases);

/// Whether `op` clamps the result of a product or convolution (on tensors
/// or buffers): what the kernels of both targets fold into the product as
/// its epilogue once bufferized.
bool isClampOfProduct(mlir::Operation *op);

/// The buffer `v` reshapes (through collapses and expansions), or `v`.
mlir::Value reshapedBuffer(mlir::Value v);

/// How a product's elementwise epilogue reads one of its inputs, per C
/// tile: the product's output itself (through reshapes), a buffer laid
/// out as the output (its tile, loaded), or a vector along the output's
/// last dimension (a bias: the tile's columns of it, loaded).
enum class EpilogueRead { Product, Tile, Columns };

/// How `generic` reads each input as an epilogue of `product`: its loops
/// all parallel and over as many elements as the product's output, every
/// operand contiguous f32, the output and every input but vectors read
/// through the identity, a body that does not read its output's old
/// values, and one input the product's output. Vectors only after a
/// matmul, along its output's last dimension. Nullopt where `generic` is
/// no such op.
std::optional<llvm::SmallVector<EpilogueRead>>
epilogueReads(mlir::linalg::LinalgOp product, mlir::linalg::GenericOp generic);

/// The elementwise op after `product` (after its in-place clamp, if any)
/// that its kernel can apply to each output tile before storing it, the
/// tile's part of the op's other operands loaded beside it
/// (epilogueReads). Where it writes elsewhere than the product's output,
/// nothing after it reads that output, which then is never written, and
/// its output is no buffer the product reads. Null where there is none.
mlir::linalg::GenericOp
matchElementwiseEpilogue(mlir::linalg::LinalgOp product);

/// The ops between `product` and its elementwise epilogue `generic` that
/// define the epilogue's operands (new buffers, views), in order: the
/// product's kernel moves them before itself.
llvm::SmallVector<mlir::Operation *>
epilogueOperandDefs(mlir::linalg::LinalgOp product,
                    mlir::linalg::GenericOp generic);

/// Whether `init` fills `out` with zeros.
bool isZeroFill(mlir::Operation *init, mlir::Value out);

/// A zero-padded copy of an NCHW buffer made only for one op to read: an
/// alloc filled with zeros, the source copied into a window of it
/// (`tensor.pad` once bufferized). A kernel that pads as it reads takes the
/// source instead, and these ops go.
struct PaddedInput {
  mlir::Value source;
  /// Rows above and columns to the left, rows below and columns to the
  /// right.
  int64_t top = 0, left = 0, bottom = 0, right = 0;
  /// The copy into the window: the op the fusion decision names.
  mlir::Operation *copy = nullptr;
  /// The fill, copy, window, dealloc (if any) and alloc: the order in which
  /// they can be erased once the reader is gone.
  llvm::SmallVector<mlir::Operation *> ops;
};

/// `reader`'s first operand as a padded copy of a source whose images are
/// static row-major blocks of planes, if it is one that `reader` alone
/// reads and whose source nothing writes before `reader` runs (`allowed`
/// may write, but not the source).
std::optional<PaddedInput> matchPaddedInput(mlir::Operation *reader,
                                            mlir::Operation *allowed);

/// Whether dimensions `from`.. of a buffer with `shape` and `strides` are
/// one row-major block.
bool rowMajorFrom(llvm::ArrayRef<int64_t> strides,
                  llvm::ArrayRef<int64_t> shape, unsigned from);

} // namespace anvil

#endif // ANVIL_CONVERSION_FOLDS_H
