//===- Staging.cpp - A DPE kernel's operands copied into SRAM -------------===//

#include "Staging.h"
#include "KernelBuilding.h"
#include "PatchGather.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <algorithm>

using namespace mlir;
using namespace anvil::mtia;

StagingBlocks anvil::mtia::stagingBlocks(int64_t batches, int64_t rows,
                                         int64_t cols, int64_t capacity,
                                         int64_t pes, int64_t align) {
  StagingBlocks g;
  g.columns = std::max(std::min(cols, capacity) / align * align, align);
  int64_t share = llvm::divideCeil(batches * rows * cols, pes);
  g.rows = std::clamp<int64_t>(llvm::divideCeil(share, g.columns), 1,
                               std::min(rows, capacity / g.columns));
  g.rowBlocks = llvm::divideCeil(rows, g.rows);
  g.chunks = llvm::divideCeil(cols, g.columns);
  g.count = batches * g.rowBlocks * g.chunks;
  return g;
}

namespace {

/// Emits one PE's staging steps of a copy.
class StagingSteps {
public:
  StagingSteps(OpBuilder &b, Location loc, const StagingCopy &copy)
      : b(b), loc(loc), copy(copy) {}

  /// Without conversion: each step's DMA waits for the previous step's
  /// last, so that two steps are in flight.
  void asIs(Value pe, int64_t pes, bool dramPrefetch) {
    IndexMath x{b, loc};
    auto copyStep = [&](Value step, OpFoldResult nth, Value previous) -> Value {
      Views v = views(step);
      SmallVector<Value> waits;
      if (previous)
        waits.push_back(previous);
      // A source already in SRAM goes through local memory.
      if (dramPrefetch && memorySpaceOf(cast<MemRefType>(v.from.getType())) ==
                              MemorySpace::DRAM) {
        Value moved = DMAOp::create(b, loc, token(b), v.from, v.to);
        WaitOp::create(b, loc, waits);
        return moved;
      }
      Value via = subview2D(b, loc, buffer(copy.loaded, 0, nth), x.c(0), x.c(0),
                            v.n, v.m);
      waits.push_back(DMAOp::create(b, loc, token(b), v.from, via));
      WaitOp::create(b, loc, waits);
      return DMAOp::create(b, loc, token(b), via, v.to);
    };
    Value first = copyStep(pe, b.getIndexAttr(0), Value());
    auto loop =
        scf::ForOp::create(b, loc, x.add(pe, x.c(pes)), x.c(copy.g.count),
                           x.c(pes), ValueRange{first});
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(loop.getBody());
      Value step = loop.getInductionVar();
      Value nth = x.div(x.sub(step, pe), x.c(pes));
      scf::YieldOp::create(b, loc,
                           copyStep(step, nth, loop.getRegionIterArg(0)));
    }
    WaitOp::create(b, loc, ValueRange{loop.getResult(0)});
  }

  /// With conversion: step s lands in f32 buffer s % 2, the next step's
  /// DMA starts, the SE converts step s into DPE-type buffer s % 2, which
  /// then leaves for SRAM. The DMA engine runs in order, so a step's
  /// arrival also means the copy-out two steps back, which read its
  /// DPE-type buffer, is done.
  void converting(Value pe, int64_t pes) {
    IndexMath x{b, loc};
    auto landing = [&](Value step, OpFoldResult nth) -> Value {
      Views v = views(step);
      Value via = subview2D(b, loc, buffer(copy.loaded, 0, nth), x.c(0), x.c(0),
                            v.n, v.m);
      return DMAOp::create(b, loc, token(b), v.from, via);
    };
    Value first = landing(pe, b.getIndexAttr(0));
    auto loop = scf::ForOp::create(b, loc, pe, x.c(copy.g.count), x.c(pes),
                                   ValueRange{first, first});
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
    Value nth = x.div(x.sub(step, pe), x.c(pes));
    WaitOp::create(b, loc, ValueRange{loop.getRegionIterArg(0)});
    Value following = x.add(step, x.c(pes));
    auto prefetch = scf::IfOp::create(b, loc, TypeRange{token(b)},
                                      x.lt(following, x.c(copy.g.count)),
                                      /*withElse=*/true);
    {
      OpBuilder::InsertionGuard then(b);
      b.setInsertionPointToStart(&prefetch.getThenRegion().front());
      scf::YieldOp::create(b, loc, landing(following, x.add(nth, x.c(1))));
      b.setInsertionPointToStart(&prefetch.getElseRegion().front());
      scf::YieldOp::create(b, loc, loop.getRegionIterArg(0));
    }
    Value out = convertStep(step, nth);
    scf::YieldOp::create(b, loc, ValueRange{prefetch.getResult(0), out});
    b.setInsertionPointAfter(loop);
    WaitOp::create(b, loc, ValueRange{loop.getResult(1)});
  }

private:
  /// Step `step` (the `nth` of its PE), landed in its f32 buffer, converted
  /// into its DPE-type buffer and sent on to SRAM; the last DMA's token.
  Value convertStep(Value step, Value nth) {
    IndexMath x{b, loc};
    // The f32 pair first, then the DPE-type pair, in elements of each.
    int64_t convertedFirst = 2 * copy.capacity * elementBytes(copy.loaded) /
                             elementBytes(copy.input);
    Views v = views(step);
    Value narrow = buffer(copy.input, convertedFirst, nth);
    // A whole step converts (one static run; a short last step converts
    // rows it does not copy); only the step's rows and columns leave.
    auto step2D = [&](Value whole) -> Value {
      SmallVector<OpFoldResult> zero(2, b.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = {b.getIndexAttr(copy.g.rows),
                                         b.getIndexAttr(copy.g.columns)};
      SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
      return memref::SubViewOp::create(b, loc, whole, zero, sizes, strides);
    };
    Value wide = step2D(buffer(copy.loaded, 0, nth));
    if (copy.align > 1)
      return splitIntoPhases(b, loc, copy.align, wide, step2D(narrow), v.n, v.m,
                             v.c0, copy.into, v.row, copy.intoCols,
                             copy.intoColumn);
    WaitOp::create(b, loc,
                   ValueRange{SEConvertOp::create(b, loc, token(b), wide,
                                                  step2D(narrow))});
    return DMAOp::create(b, loc, token(b),
                         subview2D(b, loc, narrow, x.c(0), x.c(0), v.n, v.m),
                         v.to);
  }

  /// The views of a step: its rows and columns in the source and in the
  /// copy, and its shape (n x m).
  struct Views {
    Value from, to, n, m, row, c0;
  };
  Views views(Value step) {
    IndexMath x{b, loc};
    const StagingBlocks &g = copy.g;
    Value perBatch = x.c(g.rowBlocks * g.chunks);
    Value batch = x.div(step, perBatch), inBatch = x.rem(step, perBatch);
    Value r0 = x.mul(x.div(inBatch, x.c(g.chunks)), x.c(g.rows));
    Value c0 = x.mul(x.rem(inBatch, x.c(g.chunks)), x.c(g.columns));
    Value n = x.min(x.c(g.rows), x.sub(x.c(copy.rows), r0));
    Value m = x.min(x.c(g.columns), x.sub(x.c(copy.cols), c0));
    Value from = subview2D(b, loc, copy.source(b, batch), r0, c0, n, m);
    Value row =
        x.add(x.mul(batch, x.c(copy.intoRows)), x.add(x.c(copy.intoRow), r0));
    Value to = subview2D(b, loc, copy.into, row,
                         x.add(x.c(copy.intoColumn), c0), n, m);
    return {from, to, n, m, row, c0};
  }

  /// Step `nth` % 2's buffer in `type`, as wide as the steps, at element
  /// `first` of the arena seen as that type.
  Value buffer(Type type, int64_t first, OpFoldResult nth) {
    int64_t capacity = copy.capacity, columns = copy.g.columns;
    auto view = [&](int64_t slot) -> Value {
      return copy.arena({capacity / columns, columns}, type,
                        (first + slot * capacity) * elementBytes(type));
    };
    if (std::optional<int64_t> known = getConstantIntValue(nth))
      return view(*known % 2);
    IndexMath x{b, loc};
    Value even = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       x.rem(cast<Value>(nth), x.c(2)), x.c(0));
    return arith::SelectOp::create(b, loc, even, view(0), view(1));
  }

  OpBuilder &b;
  Location loc;
  const StagingCopy &copy;
};

} // namespace

void anvil::mtia::copyStagingSteps(OpBuilder &b, Location loc,
                                   const StagingCopy &copy, Value pe,
                                   int64_t pes, bool dramPrefetch) {
  StagingSteps steps(b, loc, copy);
  if (copy.loaded != copy.input)
    steps.converting(pe, pes);
  else
    steps.asIs(pe, pes, dramPrefetch);
}
