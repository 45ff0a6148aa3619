//===- Tiling.h - The tiling seam -------------------------------*- C++ -*-===//
//
// How a kernel's work is cut: a product into DPE tiles, a vector-core op's
// iteration space into tasks over the PEs. The kernels' mechanisms
// (lib/Conversion/LinalgToMTIA) ask the TilingPolicy they are given, carry
// out its answer, and record it on the launch (anvil.product_tiles,
// anvil.task_tiles). A decision written on a linalg op before the kernels
// are formed (the same attributes) is carried out instead of asking, so
// that a test or a researcher can replay one in anvil-opt. The first
// policy, FixedTiles (FixedTiles.h), is the one Roller replaces.
//
// Depends on LLVMSupport and the machine description only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_TILING_H
#define ANVIL_POLICY_TILING_H

#include "anvil/Target/TargetDesc.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <memory>

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

/// The grid of `tileSizes` over `extents` on at most `numPEs` PEs.
TaskGrid gridOfTiles(llvm::ArrayRef<int64_t> extents,
                     llvm::ArrayRef<int64_t> tileSizes, int64_t numPEs);

/// The estimated cycles of a kernel's body run as `grid`: what a grid's
/// tasks cost comes from the caller, which knows the op's operands and the
/// machine (anvil/Target/CostModel.h).
using GridCost = llvm::function_ref<double(const TaskGrid &grid)>;

class TilingPolicy {
public:
  virtual ~TilingPolicy();
  virtual llvm::StringRef name() const = 0;
  /// The tiles of a product whose DPE input type is `input`.
  virtual ProductTiles productTiles(const target::TargetDesc &machine,
                                    target::DType input) const = 0;
  /// The task grid of a vector-core kernel over `extents`; only loops
  /// marked `splittable` (parallel, writing disjoint outputs) may be cut.
  virtual TaskGrid taskGrid(llvm::ArrayRef<int64_t> extents,
                            llvm::ArrayRef<bool> splittable, int64_t numPEs,
                            GridCost cost) const = 0;
};

/// The tiling policy named `name` ("fixed-tiles"), or null.
std::unique_ptr<TilingPolicy> createTilingPolicy(llvm::StringRef name);

} // namespace anvil::policy

#endif // ANVIL_POLICY_TILING_H
