//===- VectorKernel.cpp - Linalg ops on the PEs' vector cores -------------===//

#include "VectorKernel.h"
#include "KernelBuilding.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Policy/Schedule.h"
#include "anvil/Target/CostModel.h"
#include "anvil/Target/KernelCost.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/TilingInterface.h"
using namespace mlir;
using namespace anvil::mtia;
using namespace anvil::target;

namespace {

/// Whether every result of `map` grows with each loop index: sums of
/// loops times non-negative constants, plus constants.
bool isMonotone(AffineMap map) {
  return llvm::all_of(map.getResults(), [](AffineExpr result) {
    bool monotone = true;
    result.walk([&](AffineExpr e) {
      auto binary = dyn_cast<AffineBinaryOpExpr>(e);
      if (!binary)
        return;
      auto factor = dyn_cast<AffineConstantExpr>(binary.getRHS());
      monotone &= e.getKind() == AffineExprKind::Add ||
                  (e.getKind() == AffineExprKind::Mul && factor &&
                   factor.getValue() >= 0);
    });
    return monotone;
  });
}

/// The loops whose tiles write disjoint parts of the outputs: the parallel
/// ones, when every output is indexed by a projected permutation. Inputs
/// may be read through any map that grows with the loops (a window's tile
/// reads its halo); upstream's slice of a tile read through a falling map
/// (a reversal, -d + 2) is wrong, so such ops stay whole.
SmallVector<bool> splittableLoops(linalg::LinalgOp op) {
  bool outputsSplit = llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &o) {
    return op.getMatchingIndexingMap(&o).isProjectedPermutation();
  });
  bool inputsSplit = llvm::all_of(op.getIndexingMapsArray(), isMonotone);
  return llvm::map_to_vector(op.getIteratorTypesArray(),
                             [&](utils::IteratorType type) {
                               return outputsSplit && inputsSplit &&
                                      type == utils::IteratorType::parallel;
                             });
}

/// DRAM bytes a task of `tile` (one extent per loop) reads and writes:
/// each operand's box under its indexing map, as the tile the mechanism
/// makes will have it (a window's halo included), clamped to the operand.
int64_t taskDRAMBytes(linalg::LinalgOp op, ArrayRef<int64_t> tile) {
  SmallVector<int64_t> first(tile.size(), 0), last;
  for (int64_t t : tile)
    last.push_back(t - 1);
  int64_t bytes = 0;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || memorySpaceOf(type) != MemorySpace::DRAM)
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    SmallVector<int64_t> low = map.compose(first), high = map.compose(last);
    int64_t elements = 1;
    for (auto [d, size] : llvm::enumerate(type.getShape()))
      elements *= std::clamp<int64_t>(high[d] - low[d] + 1, 1, size);
    bytes += elements * elementBytes(type.getElementType());
  }
  return bytes;
}

/// Element operations of one iteration: the body's operations but its
/// yield, at least one (a copy).
int64_t opsPerIteration(linalg::LinalgOp op) {
  return std::max<int64_t>(
      1, static_cast<int64_t>(op.getBlock()->getOperations().size()) - 1);
}

/// The element type the op's work is priced in: its first output's.
Type workType(linalg::LinalgOp op) {
  return cast<MemRefType>(op.getDpsInits()[0].getType()).getElementType();
}

/// The cycles of the kernel's body run as `grid`: its tasks' vector work
/// and DRAM traffic in waves over the PEs, and no less than the traffic
/// takes at DRAM's whole bandwidth (anvil/Target/CostModel.h).
double gridCycles(linalg::LinalgOp op, const TargetDesc &machine,
                  const anvil::policy::TaskGrid &grid) {
  int64_t iterations = 1;
  for (int64_t t : grid.tileSizes)
    iterations *= t;
  int64_t dram = taskDRAMBytes(op, grid.tileSizes);
  int64_t task = vectorTaskCycles(machine, dtypeOf(workType(op)),
                                  iterations * opsPerIteration(op),
                                  MemoryLevel::DRAM, dram, grid.pes);
  return taskWavesCycles(machine, grid.tasks, grid.pes, task, MemoryLevel::DRAM,
                         grid.tasks * dram);
}

/// The box of task `task`: tasks are numbered row-major over the grid.
/// Sizes stay static where the tile divides its loop.
void taskBox(OpBuilder &b, Location loc, const anvil::policy::TaskGrid &grid,
             ArrayRef<int64_t> extents, Value task,
             SmallVector<OpFoldResult> &offsets,
             SmallVector<OpFoldResult> &sizes) {
  IndexMath x{b, loc};
  int64_t loops = extents.size();
  offsets.assign(loops, b.getIndexAttr(0));
  sizes.clear();
  for (int64_t e : extents)
    sizes.push_back(b.getIndexAttr(e));
  int64_t outer = 0;
  while (outer < loops && grid.tilesPerLoop[outer] == 1)
    ++outer;
  Value rest = task;
  for (int64_t d = loops - 1; d >= outer; --d) {
    int64_t tiles = grid.tilesPerLoop[d], tile = grid.tileSizes[d];
    if (tiles == 1)
      continue;
    Value index = d == outer ? rest : x.rem(rest, x.c(tiles));
    rest = x.div(rest, x.c(tiles));
    Value offset = x.mul(index, x.c(tile));
    offsets[d] = offset;
    if (extents[d] % tile == 0)
      sizes[d] = b.getIndexAttr(tile);
    else
      sizes[d] = x.min(x.c(tile), x.sub(x.c(extents[d]), offset));
  }
}

/// Charges the task's vector-core work: element operations are its
/// iterations times the body's operations; each memory level the bytes of
/// the tile's operands that live there.
void chargeCoreCost(OpBuilder &b, Location loc, linalg::LinalgOp op,
                    ArrayRef<OpFoldResult> sizes, linalg::LinalgOp tiled) {
  IndexMath x{b, loc};
  Value ops = x.c(opsPerIteration(op));
  for (OpFoldResult size : sizes)
    ops = x.mul(ops, getValueOrCreateConstantIndexOp(b, loc, size));
  Value bytes[3] = {x.c(0), x.c(0), x.c(0)};
  for (Value operand : tiled->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type)
      continue;
    Value elements = x.c(1);
    for (int64_t d = 0; d < type.getRank(); ++d)
      elements = x.mul(
          elements, type.isDynamicDim(d)
                        ? memref::DimOp::create(b, loc, operand, d).getResult()
                        : x.c(type.getDimSize(d)));
    Value &level = bytes[static_cast<int>(memorySpaceOf(type))];
    level =
        x.add(level, x.mul(elements, x.c(elementBytes(type.getElementType()))));
  }
  auto element = TypeAttr::get(workType(op));
  CoreCostOp::create(b, loc, ops, bytes[0], element);
  for (MemorySpace level : {MemorySpace::SRAM, MemorySpace::Local})
    if (!isConstantIntValue(bytes[static_cast<int>(level)], 0))
      CoreCostOp::create(b, loc, x.c(0), bytes[static_cast<int>(level)],
                         element, MemorySpaceAttr::get(b.getContext(), level));
}

/// The grid an `anvil.task_tiles` decision written on `op` makes, if it
/// has one; an error where the decision is not one the kernel can carry
/// out.
FailureOr<std::optional<anvil::policy::TaskGrid>>
decidedGrid(linalg::LinalgOp op, ArrayRef<int64_t> extents, int64_t numPEs) {
  auto tiles = op->getAttrOfType<DenseI64ArrayAttr>(kTaskTilesAttr);
  if (!tiles)
    return std::optional<anvil::policy::TaskGrid>();
  SmallVector<bool> splittable = splittableLoops(op);
  if (tiles.size() != static_cast<int64_t>(extents.size()))
    return op.emitOpError("has ")
           << tiles.size() << " task tiles for " << extents.size() << " loops";
  for (auto [d, tile] : llvm::enumerate(tiles.asArrayRef())) {
    if (tile < 1 || tile > extents[d])
      return op.emitOpError("has task tile ")
             << tile << " for loop " << d << " of extent " << extents[d];
    if (tile != extents[d] && !splittable[d])
      return op.emitOpError("cuts loop ")
             << d << ", whose tiles would not write disjoint outputs";
  }
  return std::optional(
      anvil::policy::gridOfTiles(extents, tiles.asArrayRef(), numPEs));
}

/// The extents of `op`'s iteration space, or none where it is not static.
std::optional<SmallVector<int64_t>> staticExtents(linalg::LinalgOp op) {
  OpBuilder b(op);
  SmallVector<int64_t> extents;
  for (const Range &r :
       cast<TilingInterface>(op.getOperation()).getIterationDomain(b)) {
    std::optional<int64_t> size = getConstantIntValue(r.size);
    if (!size)
      return std::nullopt;
    extents.push_back(*size);
  }
  return extents;
}

/// The grid `tiling` picks for `op` on at most `numPEs` PEs.
anvil::policy::TaskGrid pickedGrid(linalg::LinalgOp op,
                                   ArrayRef<int64_t> extents,
                                   const TargetDesc &machine,
                                   const anvil::policy::TilingPolicy &tiling,
                                   int64_t numPEs) {
  return tiling.taskGrid(extents, splittableLoops(op), numPEs,
                         [&](const anvil::policy::TaskGrid &g) {
                           return gridCycles(op, machine, g);
                         });
}

/// The PEs the scheduler leaves `op`'s kernel: its cap, or the machine's.
int64_t allowedPEs(linalg::LinalgOp op, const TargetDesc &machine) {
  auto cap = op->getAttrOfType<IntegerAttr>(anvil::policy::kSchedulePECapAttr);
  return cap ? std::clamp<int64_t>(cap.getInt(), 1, machine.numPEs())
             : machine.numPEs();
}

} // namespace

SmallVector<std::pair<int64_t, int64_t>, 8>
anvil::mtia::vectorCapCycles(linalg::LinalgOp op, const TargetDesc &machine,
                             const policy::TilingPolicy &tiling, int64_t &pes) {
  std::optional<SmallVector<int64_t>> extents = staticExtents(op);
  if (!extents || op->hasAttr(kTaskTilesAttr))
    return {};
  SmallVector<std::pair<int64_t, int64_t>, 8> options;
  for (int64_t cap = machine.numPEs(); cap >= 1; cap /= 2) {
    anvil::policy::TaskGrid grid =
        pickedGrid(op, *extents, machine, tiling, cap);
    if (cap == machine.numPEs())
      pes = grid.pes;
    options.push_back(
        {cap, static_cast<int64_t>(std::ceil(gridCycles(op, machine, grid)))});
  }
  return options;
}

LogicalResult
anvil::mtia::emitVectorKernel(linalg::LinalgOp op, StringRef name,
                              const TargetDesc &machine,
                              const policy::TilingPolicy &tiling) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto tileable = cast<TilingInterface>(op.getOperation());
  std::optional<SmallVector<int64_t>> domain = staticExtents(op);
  if (!domain)
    return op.emitOpError("has a dynamic iteration space; the MTIA "
                          "target needs static shapes");
  SmallVector<int64_t> extents = *domain;
  int64_t numPEs = allowedPEs(op, machine);
  FailureOr<std::optional<anvil::policy::TaskGrid>> decided =
      decidedGrid(op, extents, numPEs);
  if (failed(decided))
    return failure();
  anvil::policy::TaskGrid grid =
      *decided ? **decided : pickedGrid(op, extents, machine, tiling, numPEs);
  Value pe = openKernel(b, loc, name, grid.pes);
  int64_t parallel = 1;
  for (auto [extent, type] : llvm::zip(extents, op.getIteratorTypesArray()))
    if (type == utils::IteratorType::parallel)
      parallel *= extent;
  LaunchOp launch = launchOf(pe);
  launch->setAttr(kTaskTilesAttr, b.getDenseI64ArrayAttr(grid.tileSizes));
  if (Attribute cap = op->getAttr(anvil::policy::kSchedulePECapAttr))
    launch->setAttr(anvil::policy::kSchedulePECapAttr, cap);
  launch->setAttr(kParallelIterationsAttr, b.getI64IntegerAttr(parallel));
  launch->setAttr(anvil::kMTIAPredictedCyclesAttr,
                  b.getI64IntegerAttr(kernelCycles(
                      machine, static_cast<int64_t>(
                                   std::ceil(gridCycles(op, machine, grid))))));
  SmallVector<OpFoldResult> offsets, sizes;
  linalg::LinalgOp onPE;
  if (grid.tasks == 1) {
    sizes = getAsIndexOpFoldResult(b.getContext(), extents);
    onPE = cast<linalg::LinalgOp>(b.clone(*op.getOperation()));
  } else {
    Value task = pe;
    // PE p takes tasks p, p + P, p + 2P, ...
    if (grid.tasks > grid.pes) {
      IndexMath x{b, loc};
      auto loop =
          scf::ForOp::create(b, loc, pe, x.c(grid.tasks), x.c(grid.pes));
      b.setInsertionPointToStart(loop.getBody());
      task = loop.getInductionVar();
    }
    taskBox(b, loc, grid, extents, task, offsets, sizes);
    FailureOr<TilingResult> tiled =
        tileable.getTiledImplementation(b, offsets, sizes);
    if (failed(tiled))
      return op.emitOpError("cannot be split into tasks across PEs");
    onPE = cast<linalg::LinalgOp>(tiled->tiledOps.front());
  }
  chargeCoreCost(b, loc, op, sizes, onPE);
  op.erase();
  return success();
}
