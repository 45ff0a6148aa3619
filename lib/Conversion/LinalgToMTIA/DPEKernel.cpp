//===- DPEKernel.cpp - Products on the dot-product engine -----------------===//

#include "DPEKernel.h"
#include "KernelBuilding.h"
#include "Quantize.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Policy/FixedTiles.h"
#include "anvil/Target/KernelCost.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace anvil::mtia;
using anvil::policy::ProductProblem;
using anvil::policy::ProductTiles;
using anvil::policy::RankedTiles;
using anvil::target::kernelCycles;
using anvil::target::MemoryLevel;
using anvil::target::productBodyCycles;
using anvil::target::ProductKernel;
using anvil::target::TargetDesc;

namespace {

/// Which input of a product.
enum class Side { A, B };

/// Rows of `rows` x `cols` operands copied by one staging step: at most
/// `capacity` elements (a local bounce buffer), in `columns`-wide chunks,
/// with rows shared out so that every PE of the job gets a step where
/// there are enough.
struct StagingBlocks {
  int64_t rows, columns, rowBlocks, chunks, count;
};

StagingBlocks stagingBlocks(int64_t batches, int64_t rows, int64_t cols,
                            int64_t capacity, int64_t pes) {
  StagingBlocks g;
  g.columns = std::min(cols, capacity);
  int64_t share = llvm::divideCeil(batches * rows * cols, pes);
  g.rows = std::clamp<int64_t>(llvm::divideCeil(share, g.columns), 1,
                               std::min(rows, capacity / g.columns));
  g.rowBlocks = llvm::divideCeil(rows, g.rows);
  g.chunks = llvm::divideCeil(cols, g.columns);
  g.count = batches * g.rowBlocks * g.chunks;
  return g;
}

/// Emits a DPE kernel for C[b] = A[b] B[b] before the builder's insertion
/// point: A and B f32 in DRAM, converted to `input` tile by tile, or, for
/// i8, already quantized with their `Scales`; C f32 in DRAM.
class DPEKernel {
public:
  DPEKernel(OpBuilder &b, Location loc, const DPEPolicy &policy, Type input,
            GemmShape shape)
      : b(b), loc(loc), policy(policy), machine(*policy.machine),
        input(input), quantized(isQuantized(input)), shape(shape) {}

  /// `addToC`: linalg's products add to their output; unless it was just
  /// zeroed, each C tile is loaded before the reduction adds to it.
  void emit(StringRef name, OperandsAt operands, bool addToC,
            Scales scales = {}) {
    OpBuilder::InsertionGuard guard(b);
    SmallVector<RankedTiles> ranked = decideTiles(addToC);
    tiles = ranked.front().tiles;
    int64_t rowTiles = llvm::divideCeil(shape.m, tiles.tm);
    int64_t colTiles = llvm::divideCeil(shape.n, tiles.tn);
    int64_t tasks = shape.batches * rowTiles * colTiles;
    int64_t pes = std::min<int64_t>(tasks, machine.numPEs());
    Value pe = openKernel(b, loc, name, pes);
    recordDecision(launchOf(pe), ranked);
    allocateBuffers();
    Staged staged = stageDecided(pe, pes, operands);
    IndexMath x{b, loc};
    // PE p takes tasks p, p + P, p + 2P, ...
    auto loop = scf::ForOp::create(b, loc, pe, x.c(tasks), x.c(pes));
    b.setInsertionPointToStart(loop.getBody());
    Value task = loop.getInductionVar();
    Value perBatch = x.c(rowTiles * colTiles);
    Value batch = x.div(task, perBatch), inBatch = x.rem(task, perBatch);
    Value i0 = x.mul(x.div(inBatch, x.c(colTiles)), x.c(tiles.tm));
    Value j0 = x.mul(x.rem(inBatch, x.c(colTiles)), x.c(tiles.tn));
    Value rows = x.min(x.c(tiles.tm), x.sub(x.c(shape.m), i0));
    Value cols = x.min(x.c(tiles.tn), x.sub(x.c(shape.n), j0));
    auto [a, bMat, c] = operands(b, batch);
    if (staged.a)
      a = subview2D(b, loc, staged.a, x.mul(batch, x.c(shape.m)), x.c(0),
                    x.c(shape.m), x.c(shape.k));
    if (staged.b)
      bMat = subview2D(b, loc, staged.b, x.mul(batch, x.c(shape.k)), x.c(0),
                       x.c(shape.k), x.c(shape.n));
    Value tile = subview2D(b, loc, acc, x.c(0), x.c(0), rows, cols);
    Value out = subview2D(b, loc, c, i0, j0, rows, cols);
    if (addToC)
      WaitOp::create(b, loc,
                     ValueRange{DMAOp::create(b, loc, token(b), out, tile)});
    Slice slice{a, bMat, i0, j0, rows, cols};
    Value product = reduce(slice, addToC && !quantized);
    WaitOp::create(b, loc, ValueRange{product});
    if (quantized)
      rescale(scales, slice, tile, addToC);
    WaitOp::create(b, loc,
                   ValueRange{DMAOp::create(b, loc, token(b), tile, out)});
  }

private:
  /// Copies in SRAM of the operands that several C tiles read (null where
  /// the tiles read DRAM).
  struct Staged {
    Value a, b;
  };

  /// The product as the tiling policy sees it.
  ProductProblem problem() {
    ProductProblem p;
    p.batches = shape.batches;
    p.m = shape.m;
    p.n = shape.n;
    p.k = shape.k;
    p.input = dtypeOf(input);
    p.loaded = dtypeOf(loaded());
    if (policy.sramStaging) {
      auto bytes = [&](int64_t rows, int64_t cols) {
        return localBufferBytes(bufferType(
            b.getContext(), {shape.batches * rows, cols}, loaded()));
      };
      p.stagedBytesA = bytes(shape.m, shape.k);
      p.stagedBytesB = bytes(shape.k, shape.n);
    }
    return p;
  }

  /// The tiles decided on the op, or the policy's candidates, fastest
  /// first, each priced as this kernel would run them.
  SmallVector<RankedTiles> decideTiles(bool addToC) {
    ProductProblem p = problem();
    auto cost = [&](const ProductTiles &t) -> double {
      return kernelCycles(machine,
                          productBodyCycles(machine, costOf(t, addToC)));
    };
    if (policy.tiles) {
      ProductTiles t = policy.staging
                           ? *policy.tiles
                           : anvil::policy::withFixedStaging(machine, p,
                                                             *policy.tiles);
      return {{t, cost(t)}};
    }
    return policy.tiling->productTiles(machine, p, cost,
                                       policy.keptCandidates);
  }

  /// The decision on the kernel's launch: its tiles, its staging, its
  /// predicted cycles, and the policy's runners-up with theirs.
  void recordDecision(Operation *launch, ArrayRef<RankedTiles> ranked) {
    launch->setAttr(kProductTilesAttr,
                    b.getDenseI64ArrayAttr({tiles.tm, tiles.tn, tiles.tk}));
    launch->setAttr(kProductStagingAttr,
                    b.getDenseBoolArrayAttr({tiles.stageA, tiles.stageB}));
    launch->setAttr(anvil::kMTIAPredictedCyclesAttr,
                    b.getI64IntegerAttr(
                        static_cast<int64_t>(ranked.front().cycles)));
    SmallVector<Attribute> candidates;
    for (const RankedTiles &r : ranked)
      candidates.push_back(b.getDenseI64ArrayAttr(
          {r.tiles.tm, r.tiles.tn, r.tiles.tk, r.tiles.stageA,
           r.tiles.stageB, static_cast<int64_t>(r.cycles)}));
    launch->setAttr(kProductCandidatesAttr, b.getArrayAttr(candidates));
  }

  /// The kernel of tiles `t` as the cost model sees it
  /// (anvil/Target/KernelCost.h).
  ProductKernel costOf(const ProductTiles &t, bool addToC) {
    int64_t tasks = shape.batches * llvm::divideCeil(shape.m, t.tm) *
                    llvm::divideCeil(shape.n, t.tn);
    int64_t pes = std::min<int64_t>(tasks, machine.numPEs());
    ProductKernel p;
    p.input = dtypeOf(input);
    p.loaded = dtypeOf(loaded());
    p.quantized = quantized;
    p.batches = shape.batches;
    p.m = shape.m;
    p.n = shape.n;
    p.k = shape.k;
    p.tm = t.tm;
    p.tn = t.tn;
    p.tk = t.tk;
    p.pes = pes;
    p.loadC = addToC;
    auto staging = [&](int64_t rows, int64_t cols) {
      StagingBlocks g =
          stagingBlocks(shape.batches, rows, cols, t.tm * t.tk, pes);
      return ProductKernel::Staging{
          g.count, g.rows, g.columns * elementBytes(loaded())};
    };
    if (t.stageA)
      p.stagingA = staging(shape.m, shape.k);
    if (t.stageB)
      p.stagingB = staging(shape.k, shape.n);
    return p;
  }

  /// Stages the operands the decision stages: DRAM is then read once and
  /// the tiles' repeated reads go to SRAM, whose bandwidth is several
  /// times DRAM's. Every PE copies its share, then all meet at a barrier.
  Staged stageDecided(Value pe, int64_t pes, OperandsAt operands) {
    Staged staged;
    if (tiles.stageA)
      staged.a = stage(pe, pes, operands, Side::A);
    if (tiles.stageB)
      staged.b = stage(pe, pes, operands, Side::B);
    if (staged.a || staged.b)
      BarrierOp::create(b, loc);
    return staged;
  }

  /// A job-wide SRAM copy of input `side` of every product. PE p copies
  /// steps p, p + P, ...: straight from DRAM where the machine prefetches
  /// into SRAM, otherwise through a local buffer (the A staging pair, free
  /// until the products start).
  Value stage(Value pe, int64_t pes, OperandsAt operands, Side side) {
    IndexMath x{b, loc};
    int64_t rows = side == Side::A ? shape.m : shape.k;
    int64_t cols = side == Side::A ? shape.k : shape.n;
    auto source = [&](OpBuilder &nb, Value batch) {
      auto [a, bMat, c] = operands(nb, batch);
      return side == Side::A ? a : bMat;
    };
    Value copy = memref::AllocaOp::create(
        b, loc,
        bufferType(b.getContext(), {shape.batches * rows, cols}, loaded(),
                   MemorySpace::SRAM));
    StagingBlocks g =
        stagingBlocks(shape.batches, rows, cols, tiles.tm * tiles.tk, pes);
    auto any = scf::IfOp::create(b, loc, x.lt(pe, x.c(g.count)),
                                 /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&any.getThenRegion().front());
    Value first =
        copyStep(source, copy, g, rows, cols, pe, b.getIndexAttr(0), Value());
    auto loop = scf::ForOp::create(b, loc, x.add(pe, x.c(pes)), x.c(g.count),
                                   x.c(pes), ValueRange{first});
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(loop.getBody());
      Value step = loop.getInductionVar();
      Value nth = x.div(x.sub(step, pe), x.c(pes));
      scf::YieldOp::create(b, loc,
                           copyStep(source, copy, g, rows, cols, step, nth,
                                    loop.getRegionIterArg(0)));
    }
    WaitOp::create(b, loc, ValueRange{loop.getResult(0)});
    return copy;
  }

  /// Issues staging step `step` (this PE's `nth`, which picks the bounce
  /// buffer) and waits for the previous step's last DMA, `previous`, so
  /// that two steps are in flight and every DMA is waited for. Returns the
  /// step's last DMA.
  Value copyStep(function_ref<Value(OpBuilder &, Value batch)> source,
                 Value copy, const StagingBlocks &g, int64_t rows, int64_t cols,
                 Value step, OpFoldResult nth, Value previous) {
    IndexMath x{b, loc};
    Value perBatch = x.c(g.rowBlocks * g.chunks);
    Value batch = x.div(step, perBatch), inBatch = x.rem(step, perBatch);
    Value r0 = x.mul(x.div(inBatch, x.c(g.chunks)), x.c(g.rows));
    Value c0 = x.mul(x.rem(inBatch, x.c(g.chunks)), x.c(g.columns));
    Value n = x.min(x.c(g.rows), x.sub(x.c(rows), r0));
    Value m = x.min(x.c(g.columns), x.sub(x.c(cols), c0));
    Value from = subview2D(b, loc, source(b, batch), r0, c0, n, m);
    Value to =
        subview2D(b, loc, copy, x.add(x.mul(batch, x.c(rows)), r0), c0, n, m);
    SmallVector<Value> waits;
    if (previous)
      waits.push_back(previous);
    if (machine.dma.dramPrefetch) {
      Value moved = DMAOp::create(b, loc, token(b), from, to);
      WaitOp::create(b, loc, waits);
      return moved;
    }
    Value via = subview2D(b, loc, bounce(g, nth), x.c(0), x.c(0), n, m);
    waits.push_back(DMAOp::create(b, loc, token(b), from, via));
    WaitOp::create(b, loc, waits);
    return DMAOp::create(b, loc, token(b), via, to);
  }

  /// Staging buffer `nth` % 2 of A's pair, seen as rows `g.columns` wide.
  Value bounce(const StagingBlocks &g, OpFoldResult nth) {
    int64_t capacity = tiles.tm * tiles.tk;
    auto view = [&](Value buffer) -> Value {
      auto type = bufferType(b.getContext(), {capacity / g.columns, g.columns},
                             loaded());
      return memref::ReinterpretCastOp::create(b, loc, type, buffer, 0,
                                               type.getShape(), {g.columns, 1});
    };
    if (std::optional<int64_t> known = getConstantIntValue(nth))
      return view(a32[*known % 2]);
    IndexMath x{b, loc};
    Value even = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       x.rem(cast<Value>(nth), x.c(2)), x.c(0));
    return arith::SelectOp::create(b, loc, even, view(a32[0]), view(a32[1]));
  }

  /// The operands of one C tile's reduction.
  struct Slice {
    Value a, b, i0, j0, rows, cols;
  };

  /// The i32 sum of a quantized product into the f32 tile, with the scales
  /// of the tile's rows and columns.
  void rescale(const Scales &scales, const Slice &t, Value tile, bool addToC) {
    IndexMath x{b, loc};
    Value rowMax = subview1D(b, loc, aMax, x.c(0), t.rows);
    Value colMax = subview1D(b, loc, bMax, x.c(0), t.cols);
    Value rowsIn = DMAOp::create(
        b, loc, token(b), subview1D(b, loc, scales.aMax, t.i0, t.rows), rowMax);
    Value colsIn = DMAOp::create(
        b, loc, token(b), subview1D(b, loc, scales.bMax, t.j0, t.cols), colMax);
    WaitOp::create(b, loc, ValueRange{rowsIn, colsIn});
    rescaleTile(b, loc, subview2D(b, loc, sum, x.c(0), x.c(0), t.rows, t.cols),
                rowMax, colMax, tile, addToC);
  }

  /// The element type DMAs bring into the staging pairs.
  Type loaded() { return quantized ? input : b.getF32Type(); }

  void allocateBuffers() {
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    auto alloc = [&](ArrayRef<int64_t> shape, Type type) -> Value {
      return memref::AllocaOp::create(b, loc, bufferType(ctx, shape, type));
    };
    for (int pair = 0; pair < 2; ++pair) {
      a32[pair] = alloc({tiles.tm, tiles.tk}, loaded());
      b32[pair] = alloc({tiles.tk, tiles.tn}, loaded());
    }
    acc = alloc({tiles.tm, tiles.tn}, f32);
    if (quantized) {
      sum = alloc({tiles.tm, tiles.tn}, b.getI32Type());
      aMax = alloc({tiles.tm}, f32);
      bMax = alloc({tiles.tn}, f32);
      return;
    }
    aIn = alloc({tiles.tm, tiles.tk}, input);
    bIn = alloc({tiles.tk, tiles.tn}, input);
  }

  /// Reduces the slices of one C tile into `acc` (added to it when
  /// `addToC`, else overwriting it) and returns the last product's token.
  /// Slice s lands in staging pair s % 2: the DMA of slice s + 1 runs while
  /// slice s is converted and multiplied.
  Value reduce(const Slice &t, bool addToC) {
    IndexMath x{b, loc};
    int64_t slices = llvm::divideCeil(shape.k, tiles.tk);
    Value loaded = load(t, x.c(0), 0);
    // Slice 0, peeled: whether the DPE adds to C is static per product.
    WaitOp::create(b, loc, ValueRange{loaded});
    Value next = slices > 1 ? load(t, x.c(1), 1) : loaded;
    Value product = multiply(x.c(0), addToC);
    if (slices == 1)
      return product;
    auto loop = scf::ForOp::create(b, loc, x.c(1), x.c(slices), x.c(1),
                                   ValueRange{next, product});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value s = loop.getInductionVar();
    Value arrived = loop.getRegionIterArg(0),
          previous = loop.getRegionIterArg(1);
    // The previous product has read the DPE-type buffers, and the SE has
    // long finished reading the other staging pair.
    WaitOp::create(b, loc, ValueRange{arrived, previous});
    Value following = x.add(s, x.c(1));
    auto prefetch = scf::IfOp::create(b, loc, TypeRange{token(b)},
                                      x.lt(following, x.c(slices)),
                                      /*withElse=*/true);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(&prefetch.getThenRegion().front());
      scf::YieldOp::create(b, loc, load(t, following, -1));
      b.setInsertionPointToStart(&prefetch.getElseRegion().front());
      scf::YieldOp::create(b, loc, arrived);
    }
    Value current = multiply(s, /*accumulate=*/true);
    scf::YieldOp::create(b, loc, ValueRange{prefetch.getResult(0), current});
    return loop.getResult(1);
  }

  /// Zeroes a staging buffer before a partial slice lands in it, so that
  /// the DPE's padding rows and columns contribute nothing.
  void zeroIfPartial(Value partial, Value buffer, int64_t elements) {
    auto ifOp = scf::IfOp::create(b, loc, partial, /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    IndexMath x{b, loc};
    Type element = cast<MemRefType>(buffer.getType()).getElementType();
    CoreCostOp::create(
        b, loc, x.c(elements), x.c(elements * elementBytes(element)),
        TypeAttr::get(element),
        MemorySpaceAttr::get(b.getContext(), MemorySpace::Local));
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
    linalg::FillOp::create(b, loc, zero, buffer);
  }

  /// The staging buffer of pair `slice` % 2 (`pair` when known statically).
  Value staging(Value (&buffers)[2], Value slice, int pair) {
    if (pair >= 0)
      return buffers[pair];
    IndexMath x{b, loc};
    Value even = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       x.rem(slice, x.c(2)), x.c(0));
    return arith::SelectOp::create(b, loc, even, buffers[0], buffers[1]);
  }

  /// Issues the DMA of slice `slice`'s A and B into their staging pair;
  /// returns B's token (the DMA engine runs in order: A is in when B is).
  Value load(const Slice &t, Value slice, int pair) {
    IndexMath x{b, loc};
    Value k0 = x.mul(slice, x.c(tiles.tk));
    Value depth = x.min(x.c(tiles.tk), x.sub(x.c(shape.k), k0));
    Value shortDepth = x.lt(depth, x.c(tiles.tk));
    Value aBuf = staging(a32, slice, pair), bBuf = staging(b32, slice, pair);
    zeroIfPartial(x.orI(x.lt(t.rows, x.c(tiles.tm)), shortDepth), aBuf,
                  tiles.tm * tiles.tk);
    zeroIfPartial(x.orI(x.lt(t.cols, x.c(tiles.tn)), shortDepth), bBuf,
                  tiles.tk * tiles.tn);
    DMAOp::create(b, loc, token(b),
                  subview2D(b, loc, t.a, t.i0, k0, t.rows, depth),
                  subview2D(b, loc, aBuf, x.c(0), x.c(0), t.rows, depth));
    return DMAOp::create(
        b, loc, token(b), subview2D(b, loc, t.b, k0, t.j0, depth, t.cols),
        subview2D(b, loc, bBuf, x.c(0), x.c(0), depth, t.cols));
  }

  /// Converts slice `slice`'s staging pair to the DPE type and issues its
  /// product; returns the product's token.
  Value multiply(Value slice, bool accumulate) {
    std::optional<int64_t> known = getConstantIntValue(slice);
    int pair = known ? static_cast<int>(*known % 2) : -1;
    if (quantized) {
      // The quantized slices go to the DPE as they arrived.
      auto product =
          DPEMatmulOp::create(b, loc, token(b), staging(a32, slice, pair),
                              staging(b32, slice, pair), sum);
      if (accumulate)
        product.setAccumulate(true);
      return product.getToken();
    }
    Value convertA =
        SEConvertOp::create(b, loc, token(b), staging(a32, slice, pair), aIn);
    Value convertB =
        SEConvertOp::create(b, loc, token(b), staging(b32, slice, pair), bIn);
    WaitOp::create(b, loc, ValueRange{convertA, convertB});
    auto product = DPEMatmulOp::create(b, loc, token(b), aIn, bIn, acc);
    if (accumulate)
      product.setAccumulate(true);
    return product.getToken();
  }

  OpBuilder &b;
  Location loc;
  const DPEPolicy &policy;
  const TargetDesc &machine;
  Type input;
  bool quantized;
  GemmShape shape;
  ProductTiles tiles;
  // Staging pairs (f32, or i8 when quantized), their DPE-type copies, the
  // f32 tile; when quantized, its i32 sum and its rows' and columns' scales.
  Value a32[2], b32[2], aIn, bIn, acc, sum, aMax, bMax;
};

} // namespace

void anvil::mtia::emitDPEKernel(OpBuilder &b, Location loc,
                                const DPEPolicy &policy, Type input,
                                GemmShape shape, StringRef name,
                                OperandsAt operands, bool addToC,
                                Scales scales) {
  DPEKernel(b, loc, policy, input, shape).emit(name, operands, addToC, scales);
}
