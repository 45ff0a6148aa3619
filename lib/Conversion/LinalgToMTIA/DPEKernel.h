//===- DPEKernel.h - Products on the dot-product engine ---------*- C++ -*-===//
//
// The mechanism that runs C[b] = A[b] B[b] on the DPE: C tiles over the
// kernel's PEs, slices of A and B double-buffered into local memory,
// converted (or quantized) to the DPE's input type, operands that several
// C tiles read staged through SRAM. The tiles come from the tiling policy
// (anvil/Policy/FixedTiles.h) and are recorded on the kernel's launch.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_DPEKERNEL_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_DPEKERNEL_H

#include "PatchGather.h"

#include "anvil/Conversion/Folds.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"
#include "anvil/Policy/Tiling.h"
#include "anvil/Target/TargetDesc.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>
#include <tuple>

namespace anvil::mtia {

/// Whether the DPE's input type is i8: the operands arrive quantized, and
/// each C tile sums in i32 before its rescale (Quantize.h).
inline bool isQuantized(mlir::Type input) { return input.isInteger(8); }

/// The 2-D operands of product number `batch` of a batched product.
using OperandsAt =
    mlir::function_ref<std::tuple<mlir::Value, mlir::Value, mlir::Value>(
        mlir::OpBuilder &, mlir::Value batch)>;

/// C[b] = A[b] B[b] for b < batches, A m x k, B k x n; `sharedA`: every
/// batch's A is the same matrix (a pointwise convolution's weights), so a
/// staged copy holds it once; `patches`: B[b] is gathered from image b
/// (the matrix the operands give as B) slice by slice.
struct GemmShape {
  int64_t batches, m, n, k;
  bool sharedA = false;
  std::optional<Patches> patches = std::nullopt;
};

/// The element types A and B have in DRAM: f32, which the kernel converts
/// to the DPE's type, or already that type (a 16-bit model's products,
/// quantized operands, an im2col buffer written in it); and C's: f32, or a
/// 16-bit model's type, to which the SE converts each f32 sum on its way
/// out (and from which on its way in).
struct OperandTypes {
  mlir::Type a, b, c;
  /// The levels A, B and C live at (SRAM where the intermediates' plan
  /// put them).
  MemorySpace levelA = MemorySpace::DRAM, levelB = MemorySpace::DRAM,
              levelC = MemorySpace::DRAM;
};

/// `types` with the levels of `a`, `b` and `c`, the operands as the kernel
/// reads them; a null `b` is an im2col buffer, in DRAM.
inline OperandTypes placedAt(OperandTypes types, mlir::Value a, mlir::Value b,
                             mlir::Value c) {
  auto level = [](mlir::Value v) {
    return memorySpaceOf(llvm::cast<mlir::MemRefType>(v.getType()));
  };
  types.levelA = level(a);
  types.levelB = b ? level(b) : MemorySpace::DRAM;
  types.levelC = level(c);
  return types;
}

/// The bounds a folded ReLU, ReLU6 or Clip clamps C to (an infinite one
/// clamps nothing on its side); NaNs pass.
struct Clamp {
  double lo, hi;
};

/// An elementwise op folded after a product (anvil/Conversion/Folds.h):
/// `op`, whose inputs are read as `reads` says, `values` giving each in
/// the kernel's terms (a buffer of C's shape for a tile, the vector for
/// columns; null for C itself), and whose result goes to `output`, a
/// buffer of C's shape. `product` is C.
struct ElementwiseEpilogue {
  mlir::linalg::GenericOp op;
  mlir::Value product;
  llvm::SmallVector<EpilogueRead> reads;
  llvm::SmallVector<mlir::Value> values;
  mlir::Value output;

  /// The C tiles and the rows of columns it loads, one local slot each.
  int64_t loaded(EpilogueRead read) const { return llvm::count(reads, read); }
};

/// How products run on the DPE: the machine (its description, and the
/// #mtia.target its verifiers read), the input type f32 operands are
/// converted or quantized to (`batchInput` for batched products, which are
/// not quantized), whether operands read more than once are staged
/// through SRAM, and the tiling policy that cuts products into tiles, or
/// the tiles decided for this product already (written on its op).
struct DPEPolicy {
  const target::TargetDesc *machine;
  TargetAttr target;
  mlir::Type input, batchInput;
  bool sramStaging;
  const policy::TilingPolicy *tiling;
  /// How many of the policy's ranked candidates a launch records.
  int64_t keptCandidates = 1;
  /// Whether convolutions may gather their patches in the DPE kernel
  /// (Patches) rather than through an im2col buffer.
  bool implicitPatches = true;
  /// Tiles decided on the op, and whether that decision says what to stage
  /// (else the first policy's staging rule applies).
  std::optional<policy::ProductTiles> tiles = std::nullopt;
  bool staging = false;
  /// The clamp folded into this product (anvil/Conversion/Folds.h): each
  /// C tile takes it in local memory, on the vector core, before it is
  /// stored.
  std::optional<Clamp> clamp = std::nullopt;
  /// The bias per row of C folded into this product (a convolution's: f32
  /// in DRAM, one per output channel): each C tile starts from its rows'
  /// bias instead of from C. Null where none is folded.
  mlir::Value rowBias = nullptr;
  /// The elementwise op folded after this product: each C tile takes it
  /// in local memory, on the vector core, after the clamp, and is stored
  /// into the op's output instead of C.
  std::optional<ElementwiseEpilogue> epilogue = std::nullopt;
};

/// The epilogue `op` of `product` (matchElementwiseEpilogue) in the
/// kernel's terms: the ops that define its operands moved before the
/// product, its tiles' buffers and its output reshaped as C, before the
/// product (EpilogueTile.cpp).
ElementwiseEpilogue prepareEpilogue(mlir::linalg::LinalgOp product,
                                    mlir::linalg::GenericOp op);

/// A C tile: rows i0 .. i0 + rows and columns j0 .. j0 + cols of C.
struct TileAt {
  mlir::Value i0, j0, rows, cols;
};

/// Applies `epilogue` to the f32 `tile` at `at` of `c` (C's matrix, a view
/// of `epilogue.product`): the tiles and columns of its other operands are
/// loaded into `slots` (one per loaded operand, in order: a C tile's size
/// for a tile, a C tile's row for columns, in local memory), the op runs
/// on the vector core into `tile`, and the core is charged for it.
/// Returns where the tile goes: the op's output's tile (EpilogueTile.cpp).
mlir::Value epilogueTile(mlir::OpBuilder &b, mlir::Location loc,
                         const ElementwiseEpilogue &epilogue, mlir::Value c,
                         TileAt at, mlir::Value tile,
                         llvm::ArrayRef<mlir::Value> slots);

/// Clamps the f32 tile `tile` (rows x cols in local memory) to `clamp`
/// in place on the vector core, and charges the core for it
/// (ClampTile.cpp).
void clampTile(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tile,
               Clamp clamp);

/// The largest magnitude of each row of A and column of B of a quantized
/// product (Quantize.h); null otherwise.
struct Scales {
  mlir::Value aMax, bMax;
};

/// Emits a DPE kernel named `name` for C[b] = A[b] B[b] before the
/// builder's insertion point: A and B in DRAM as `types`, f32 converted to
/// `input` (once, where staged, else tile by tile) or already `input` (for
/// i8, quantized with their `scales`); C in DRAM as `types.c`, summed in
/// f32. `addToC`: linalg's products add to their output; unless it was
/// just zeroed, each C tile is loaded before the reduction adds to it.
void emitDPEKernel(mlir::OpBuilder &b, mlir::Location loc,
                   const DPEPolicy &policy, mlir::Type input, GemmShape shape,
                   OperandTypes types, mlir::StringRef name,
                   OperandsAt operands, bool addToC, Scales scales = {});

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_DPEKERNEL_H
