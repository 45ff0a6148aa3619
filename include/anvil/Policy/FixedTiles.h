//===- FixedTiles.h - The first tiling policy -------------------*- C++ -*-===//
//
// The tiling seam's first implementation, which Roller replaces: how a
// product is cut into DPE tiles, and how a vector-core kernel's iteration
// space is cut into tasks over the PEs. The decisions are pure functions of
// the problem's shape and the machine's figures, so that they can be
// tested alone; the kernels that carry them out (lib/Conversion/LinalgToMTIA)
// record them on the IR they emit.
//
// Depends on LLVMSupport and the machine description only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_FIXEDTILES_H
#define ANVIL_POLICY_FIXEDTILES_H

#include "anvil/Target/TargetDesc.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace anvil::policy {

/// C tiles of tm x tn, reduced in slices of tk.
struct ProductTiles {
  int64_t tm = 0, tn = 0, tk = 0;
};

/// Local-memory bytes a product's kernel allocates for `tiles` with DPE
/// input type `input` (staging pairs, DPE-type copies, the accumulator;
/// docs/Targets.md). i8 operands arrive quantized and each C tile sums in
/// i32 beside its f32 tile.
int64_t productLocalBytes(const ProductTiles &tiles, target::DType input);

/// 2 x 2 of `machine`'s native DPE tiles of C and 4 native slices deep,
/// halved (depth first, then C) until the kernel's buffers fit its local
/// memory.
ProductTiles chooseProductTiles(const target::TargetDesc &machine,
                                target::DType input);

/// A vector-core kernel's iteration space cut into tasks: a box of
/// `tileSizes` (the loop's extent where it is not split) per task, tasks
/// numbered row-major over `tilesPerLoop`, PE p running tasks p, p + pes,
/// p + 2 pes, ...
struct TaskGrid {
  llvm::SmallVector<int64_t> tileSizes;
  llvm::SmallVector<int64_t> tilesPerLoop;
  int64_t tasks = 1;
  int64_t pes = 1;
};

/// The estimated cycles of a kernel's body run as `grid`: what a grid's
/// tasks cost comes from the caller, which knows the op's operands and the
/// machine (anvil/Target/CostModel.h).
using GridCost = llvm::function_ref<double(const TaskGrid &grid)>;

/// The grid that runs fastest by `cost`, among those that cut the loops
/// marked `splittable` (the parallel ones whose tiles write disjoint
/// outputs) outermost first, one iteration a tile, until there are at
/// least `numPEs` tasks: after each loop cut, and, at the last loop, with
/// each tile size that still gives every PE a task or runs one wave. On a
/// tie, the grid that gives every PE a task, then the one with fewer
/// tasks. Without `cost`, a grid costs its waves times its tasks'
/// iterations. Reduction loops are never cut.
TaskGrid chooseTaskGrid(llvm::ArrayRef<int64_t> extents,
                        llvm::ArrayRef<bool> splittable, int64_t numPEs,
                        GridCost cost = nullptr);

} // namespace anvil::policy

#endif // ANVIL_POLICY_FIXEDTILES_H
