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

#include "anvil/Policy/Tiling.h"

namespace anvil::policy {

/// 2 x 2 of `machine`'s native DPE tiles of C and 4 native slices deep,
/// halved (depth first, then C) until the kernel's buffers fit its local
/// memory.
ProductTiles chooseProductTiles(const target::TargetDesc &machine,
                                target::DType input);

/// Among the grids that cut the loops marked `splittable` (the parallel
/// ones whose tiles write disjoint outputs) outermost first, one iteration
/// a tile, until there are at least `numPEs` tasks (after each loop cut,
/// and, at the last loop, with each tile size that still gives every PE a
/// task or runs one wave): the one that runs fastest by `cost` among those
/// that give every PE a task, or among all when none does. On a tie, the
/// one with fewer tasks. Without `cost`, a grid costs its waves times its
/// tasks' iterations. Reduction loops are never cut.
TaskGrid chooseTaskGrid(llvm::ArrayRef<int64_t> extents,
                        llvm::ArrayRef<bool> splittable, int64_t numPEs,
                        GridCost cost = nullptr);

/// The two decisions above as a TilingPolicy ("fixed-tiles").
std::unique_ptr<TilingPolicy> createFixedTiles();

} // namespace anvil::policy

#endif // ANVIL_POLICY_FIXEDTILES_H
