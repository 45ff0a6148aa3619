//===- DPEKernel.cpp - Products on the dot-product engine -----------------===//

#include "DPEKernel.h"
#include "KernelBuilding.h"
#include "Quantize.h"
#include "Staging.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Policy/FixedTiles.h"
#include "anvil/Target/KernelCost.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

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

/// Emits a DPE kernel for C[b] = A[b] B[b] before the builder's insertion
/// point: A and B in DRAM as `types` (f32, converted to `input`, or
/// already `input`: for i8, quantized with their `Scales`); C in DRAM as
/// `types.c`, summed in f32.
class DPEKernel {
public:
  DPEKernel(OpBuilder &b, Location loc, const DPEPolicy &policy, Type input,
            GemmShape shape, OperandTypes types)
      : b(b), loc(loc), policy(policy), machine(*policy.machine), input(input),
        quantized(isQuantized(input)), shape(shape), types(types) {}

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
      a = subview2D(b, loc, staged.a,
                    shape.sharedA ? x.c(0) : x.mul(batch, x.c(shape.m)), x.c(0),
                    x.c(shape.m), x.c(shape.k));
    if (staged.b && shape.patches)
      bMat = imageRows(b, loc, *shape.patches, staged.b,
                       x.mul(batch, x.c(rowsOf(Side::B))));
    else if (staged.b)
      bMat = subview2D(b, loc, staged.b, x.mul(batch, x.c(rowsOf(Side::B))),
                       x.c(0), x.c(rowsOf(Side::B)), x.c(colsOf(Side::B)));
    Value tile = subview2D(b, loc, acc, x.c(0), x.c(0), rows, cols);
    Value out = subview2D(b, loc, c, i0, j0, rows, cols);
    // C moves through its DRAM-type copy where it is not f32.
    Value moved =
        storedTile ? subview2D(b, loc, storedTile, x.c(0), x.c(0), rows, cols)
                   : tile;
    if (addToC) {
      WaitOp::create(b, loc,
                     ValueRange{DMAOp::create(b, loc, token(b), out, moved)});
      if (storedTile)
        convertWhole(storedTile, acc);
    } else if (policy.rowBias) {
      startFromBias(i0, rows, tile);
    }
    // The products add to what the tile holds: C, or the bias.
    bool ontoTile = addToC || policy.rowBias;
    Slice slice{a, bMat, i0, j0, rows, cols};
    Value product = reduce(slice, ontoTile && !quantized);
    WaitOp::create(b, loc, ValueRange{product});
    if (quantized)
      rescale(scales, slice, tile, ontoTile);
    if (policy.clamp)
      clampTile(b, loc, tile, *policy.clamp);
    if (policy.epilogue)
      out = epilogueTile(b, loc, *policy.epilogue, c, {i0, j0, rows, cols},
                         tile, epilogueSlots);
    if (storedTile)
      convertWhole(acc, storedTile);
    WaitOp::create(b, loc,
                   ValueRange{DMAOp::create(b, loc, token(b), moved, out)});
  }

private:
  /// Fills `tile` (rows x cols) with the bias of C's rows i0 .. i0 + rows,
  /// loaded into local memory, broadcast along the columns on the vector
  /// core.
  void startFromBias(Value i0, Value rows, Value tile) {
    IndexMath x{b, loc};
    Value slot = subview1D(b, loc, biasSlot, x.c(0), rows);
    WaitOp::create(b, loc,
                   ValueRange{DMAOp::create(
                       b, loc, token(b),
                       subview1D(b, loc, policy.rowBias, i0, rows), slot)});
    MLIRContext *ctx = b.getContext();
    AffineMap perRow = AffineMap::get(2, 0, getAffineDimExpr(0, ctx), ctx);
    linalg::GenericOp::create(
        b, loc, TypeRange{}, ValueRange{slot}, ValueRange{tile},
        ArrayRef<AffineMap>{perRow, AffineMap::getMultiDimIdentityMap(2, ctx)},
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(nb, nl, args[0]);
        });
    // Each element of the tile written once, the bias read once a row.
    Value elements = x.mul(rows, memref::DimOp::create(b, loc, tile, 1));
    int64_t f32Bytes = elementBytes(b.getF32Type());
    CoreCostOp::create(b, loc, elements,
                       x.mul(x.add(elements, rows), x.c(f32Bytes)),
                       TypeAttr::get(b.getF32Type()),
                       MemorySpaceAttr::get(ctx, MemorySpace::Local));
  }

  /// Converts all of local buffer `from` into `to` on the SE and waits: a
  /// whole tile is one static run, and the rows and columns beyond a
  /// partial tile's are never stored.
  void convertWhole(Value from, Value to) {
    WaitOp::create(b, loc,
                   ValueRange{SEConvertOp::create(b, loc, token(b), from, to)});
  }

  /// Copies in SRAM of the operands that several C tiles read (null where
  /// the tiles read DRAM).
  struct Staged {
    Value a, b;
  };

  /// The matrices a staged copy of input `side` holds: one per batch, or
  /// one for all where every batch's A is the same.
  int64_t copiesOf(Side side) const {
    return side == Side::A && shape.sharedA ? 1 : shape.batches;
  }

  /// The matrix input `side` is in DRAM: A m x k, B k x n, or, where B's
  /// patches are gathered, the image: a strided one as the matrix of its
  /// rows, [channels * height, width], whose phases the staging splits,
  /// any other as [channels, height * width], whose long rows move in
  /// whole transactions (FormKernels' implicitConv gives it so).
  int64_t rowsOf(Side side) const {
    if (side == Side::A)
      return shape.m;
    if (!shape.patches)
      return shape.k;
    const Patches &p = *shape.patches;
    return p.strideW > 1 ? p.channels * p.height : p.channels;
  }
  int64_t colsOf(Side side) const {
    if (side == Side::A)
      return shape.k;
    if (!shape.patches)
      return shape.n;
    const Patches &p = *shape.patches;
    return p.strideW > 1 ? p.width : p.height * p.width;
  }

  /// What staging steps of input `side` are cut at: whole phases of a
  /// strided image's rows.
  int64_t columnAlignment(Side side) const {
    return side == Side::B && shape.patches ? shape.patches->strideW : 1;
  }

  /// The matrices the staging of input `side` copies: the operand's, or,
  /// where the staging pads an image, each channel's plane of it, which
  /// lands inside its border.
  struct StagedFrom {
    int64_t matrices, rows, cols;
  };
  StagedFrom stagedFrom(Side side) const {
    if (side == Side::B && shape.patches && shape.patches->padsWhileStaging()) {
      const Patches &p = *shape.patches;
      return {copiesOf(side) * p.channels, p.sourceHeight(), p.sourceWidth()};
    }
    return {copiesOf(side), rowsOf(side), colsOf(side)};
  }

  /// The product as the tiling policy sees it.
  ProductProblem problem() {
    ProductProblem p;
    p.batches = shape.batches;
    p.m = shape.m;
    p.n = shape.n;
    p.k = shape.k;
    p.input = dtypeOf(input);
    p.loadedA = dtypeOf(types.a);
    p.loadedB = dtypeOf(types.b);
    p.stored = dtypeOf(types.c);
    p.rowBias = static_cast<bool>(policy.rowBias);
    if (policy.epilogue) {
      p.epilogueTiles = policy.epilogue->loaded(anvil::EpilogueRead::Tile);
      p.epilogueColumns = policy.epilogue->loaded(anvil::EpilogueRead::Columns);
    }
    if (policy.sramStaging) {
      auto bytes = [&](Side side, int64_t rows, int64_t cols) {
        return localBufferBytes(
            bufferType(b.getContext(), {copiesOf(side) * rows, cols}, input));
      };
      p.stagedBytesA = bytes(Side::A, shape.m, shape.k);
      p.stagedBytesB = bytes(Side::B, rowsOf(Side::B), colsOf(Side::B));
    }
    return p;
  }

  /// The tiles decided on the op, or the policy's candidates, fastest
  /// first, each priced as this kernel would run them.
  SmallVector<RankedTiles> decideTiles(bool addToC) {
    ProductProblem p = problem();
    // Gathered patches are always staged: the image's rows are then read
    // from SRAM, in the DPE's type, by every C tile that needs them.
    auto withPatches = [&](ProductTiles t) {
      t.stageB = t.stageB || shape.patches.has_value();
      return t;
    };
    auto cost = [&](const ProductTiles &t) -> double {
      return kernelCycles(
          machine, productBodyCycles(machine, costOf(withPatches(t), addToC)));
    };
    SmallVector<RankedTiles> ranked;
    if (policy.tiles) {
      ProductTiles t =
          policy.staging
              ? *policy.tiles
              : anvil::policy::withFixedStaging(machine, p, *policy.tiles);
      ranked.push_back({t, cost(t)});
    } else {
      ranked =
          policy.tiling->productTiles(machine, p, cost, policy.keptCandidates);
    }
    for (RankedTiles &r : ranked)
      r.tiles = withPatches(r.tiles);
    return ranked;
  }

  /// The decision on the kernel's launch: its tiles, its staging, its
  /// predicted cycles, and the policy's runners-up with theirs.
  void recordDecision(Operation *launch, ArrayRef<RankedTiles> ranked) {
    launch->setAttr(kProductTilesAttr,
                    b.getDenseI64ArrayAttr({tiles.tm, tiles.tn, tiles.tk}));
    launch->setAttr(kProductStagingAttr,
                    b.getDenseBoolArrayAttr({tiles.stageA, tiles.stageB}));
    launch->setAttr(kProductBuffersAttr, b.getI64IntegerAttr(tiles.buffers));
    launch->setAttr(
        anvil::kMTIAPredictedCyclesAttr,
        b.getI64IntegerAttr(static_cast<int64_t>(ranked.front().cycles)));
    SmallVector<Attribute> candidates;
    for (const RankedTiles &r : ranked)
      candidates.push_back(b.getDenseI64ArrayAttr(
          {r.tiles.tm, r.tiles.tn, r.tiles.tk, r.tiles.buffers, r.tiles.stageA,
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
    p.loadedA = dtypeOf(types.a);
    p.loadedB = dtypeOf(types.b);
    p.stored = dtypeOf(types.c);
    p.quantized = quantized;
    p.batches = shape.batches;
    p.m = shape.m;
    p.n = shape.n;
    p.k = shape.k;
    p.tm = t.tm;
    p.tn = t.tn;
    p.tk = t.tk;
    p.buffers = t.buffers;
    p.pes = pes;
    p.loadC = addToC;
    auto level = [](MemorySpace space) {
      return static_cast<MemoryLevel>(space);
    };
    p.levelA = level(types.levelA);
    p.levelB = level(types.levelB);
    p.levelC = level(types.levelC);
    p.levelStored = policy.epilogue ? level(memorySpaceOf(cast<MemRefType>(
                                          policy.epilogue->output.getType())))
                                    : p.levelC;
    auto staging = [&](Side side, Type loaded) {
      StagedFrom from = stagedFrom(side);
      StagingBlocks g =
          stagingBlocks(from.matrices, from.rows, from.cols,
                        stagingCapacity(t, loaded), pes, columnAlignment(side));
      return ProductKernel::Staging{g.count, g.rows, g.columns};
    };
    if (t.stageA)
      p.stagingA = staging(Side::A, types.a);
    if (t.stageB)
      p.stagingB = staging(Side::B, types.b);
    return p;
  }

  /// Stages the operands the decision stages: DRAM is then read once, each
  /// element converted to the DPE's type once, and the tiles' repeated
  /// reads go to SRAM, whose bandwidth is several times DRAM's. Every PE
  /// copies its share, then all meet at a barrier.
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

  /// Elements of one staging step: two steps in flight through the local
  /// arena, which the products do not use yet, in the loaded type and,
  /// where the copy converts, in the DPE's type beside them.
  int64_t stagingCapacity(const ProductTiles &t, Type loaded) {
    int64_t perElement = 2 * elementBytes(loaded);
    if (loaded != input)
      perElement += 2 * elementBytes(input);
    return anvil::policy::productLocalBytes(t, problem()) / perElement;
  }

  /// A job-wide SRAM copy, in the DPE's type, of input `side` of every
  /// product. PE p copies steps p, p + P, ...: through the local arena,
  /// converted there by the SE where the operand is f32, or straight from
  /// DRAM where it needs no conversion and the machine prefetches into
  /// SRAM.
  Value stage(Value pe, int64_t pes, OperandsAt operands, Side side) {
    IndexMath x{b, loc};
    StagingCopy copy;
    copy.loaded = side == Side::A ? types.a : types.b;
    copy.capacity = stagingCapacity(tiles, copy.loaded);
    StagedFrom from = stagedFrom(side);
    copy.rows = from.rows;
    copy.cols = from.cols;
    copy.source = [side, operands](OpBuilder &nb, Value batch) {
      auto [a, bMat, c] = operands(nb, batch);
      return side == Side::A ? a : bMat;
    };
    Value to = memref::AllocaOp::create(
        b, loc,
        bufferType(b.getContext(),
                   {copiesOf(side) * rowsOf(side), colsOf(side)}, input,
                   MemorySpace::SRAM));
    copy.input = input;
    copy.arena = [this](ArrayRef<int64_t> shape, Type type, int64_t offset) {
      return arenaView(shape, type, offset);
    };
    copy.into = to;
    copy.intoRows = copy.rows;
    copy.intoCols = colsOf(side);
    if (side == Side::B && shape.patches && shape.patches->padsWhileStaging())
      padWhileCopying(copy, to, operands, pe, pes);
    copy.align = columnAlignment(side);
    copy.g = stagingBlocks(from.matrices, copy.rows, copy.cols, copy.capacity,
                           pes, copy.align);
    auto any = scf::IfOp::create(b, loc, x.lt(pe, x.c(copy.g.count)),
                                 /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&any.getThenRegion().front());
    copyStagingSteps(b, loc, copy, pe, pes, machine.dma.dramPrefetch);
    return to;
  }

  /// An image's staging that writes its padding (Patches): each channel's
  /// plane is a matrix of its own, copied inside its border in `to` seen as
  /// the matrix of the planes' rows, whose border the PEs zero first, from
  /// the arena, before any step overwrites it.
  void padWhileCopying(StagingCopy &copy, Value to, OperandsAt operands,
                       Value pe, int64_t pes) {
    const Patches &p = *shape.patches;
    int64_t planes = copiesOf(Side::B) * p.channels;
    // A strided image is staged as the matrix of its rows already.
    if (p.strideW == 1) {
      Value rows = memref::ExpandShapeOp::create(
          b, loc, SmallVector<int64_t>{planes, p.height, p.width}, to,
          SmallVector<ReassociationIndices>{{0}, {1, 2}});
      copy.into = memref::CollapseShapeOp::create(
          b, loc, rows, SmallVector<ReassociationIndices>{{0, 1}, {2}});
    }
    copy.intoRows = p.height;
    copy.intoRow = p.top;
    copy.intoColumn = p.left;
    // The operands give image n as the matrix of its rows, [C * H, W].
    copy.source = [operands, p, this](OpBuilder &nb, Value plane) {
      IndexMath x{nb, loc};
      Value image = x.div(plane, x.c(p.channels));
      Value channel = x.rem(plane, x.c(p.channels));
      Value rows = std::get<1>(operands(nb, image));
      return subview2D(nb, loc, rows, x.mul(channel, x.c(p.sourceHeight())),
                       x.c(0), x.c(p.sourceHeight()), x.c(p.sourceWidth()));
    };
    zeroBorders(b, loc, p, copy.into, planes, pe, pes,
                [&](int64_t r, int64_t c) {
                  return arenaView({r, c}, input, 0);
                });
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

  /// The type an operand read as `loaded` arrives in (Tiling.h's
  /// landedType).
  Type landed(Type loaded, bool staged) { return staged ? input : loaded; }

  /// A view of the local arena: `shape` of `type` from byte `offset`.
  Value arenaView(ArrayRef<int64_t> shape, Type type, int64_t offset) {
    IndexMath x{b, loc};
    return memref::ViewOp::create(b, loc,
                                  bufferType(b.getContext(), shape, type),
                                  arena, x.c(offset), ValueRange{});
  }

  /// One local arena of productLocalBytes, carved in its order: the f32
  /// tile (and, quantized, its i32 sum and scales), then each operand's
  /// ring of slices and, where it converts, its two DPE-type copies, then
  /// C's copy in its DRAM type where that is not f32, then a row bias's
  /// slice where one is folded. The staging steps use the same bytes
  /// before the products start.
  void allocateBuffers() {
    MLIRContext *ctx = b.getContext();
    int64_t bytes = anvil::policy::productLocalBytes(tiles, problem());
    // A padded image's staging zeroes its border from the arena first.
    int64_t zeros = shape.patches
                        ? shape.patches->borderElements() * elementBytes(input)
                        : 0;
    arena = memref::AllocaOp::create(
        b, loc,
        bufferType(ctx, {std::max(bytes, zeros)}, IntegerType::get(ctx, 8)));
    int64_t offset = 0;
    auto carve = [&](ArrayRef<int64_t> shape, Type type) {
      Value view = arenaView(shape, type, offset);
      offset +=
          shape[0] * (shape.size() > 1 ? shape[1] : 1) * elementBytes(type);
      return view;
    };
    Type f32 = b.getF32Type();
    acc = carve({tiles.tm, tiles.tn}, f32);
    if (quantized) {
      sum = carve({tiles.tm, tiles.tn}, b.getI32Type());
      aMax = carve({tiles.tm}, f32);
      bMax = carve({tiles.tn}, f32);
    }
    auto operand = [&](Ring &ring, int64_t rows, int64_t cols, Type loaded,
                       bool staged) {
      ring.rows = rows;
      ring.cols = cols;
      ring.landed = landed(loaded, staged);
      ring.slots = carve({tiles.buffers * rows, cols}, ring.landed);
      if (ring.landed != input)
        ring.converted = carve({2 * rows, cols}, input);
    };
    operand(ringA, tiles.tm, tiles.tk, types.a, tiles.stageA);
    operand(ringB, tiles.tk, tiles.tn, types.b, tiles.stageB);
    if (types.c != f32)
      storedTile = carve({tiles.tm, tiles.tn}, types.c);
    if (policy.rowBias)
      biasSlot = carve({tiles.tm}, f32);
    if (policy.epilogue)
      for (anvil::EpilogueRead read : policy.epilogue->reads) {
        if (read == anvil::EpilogueRead::Tile)
          epilogueSlots.push_back(carve({tiles.tm, tiles.tn}, f32));
        else if (read == anvil::EpilogueRead::Columns)
          epilogueSlots.push_back(carve({tiles.tn}, f32));
      }
    assert(offset == bytes && "the arena is carved as productLocalBytes");
  }

  /// An operand's slices in local memory: `buffers` slots of `rows` x
  /// `cols` in its landed type, and, where that is not the DPE's, two
  /// DPE-type copies the SE converts them into.
  struct Ring {
    Value slots, converted;
    Type landed;
    int64_t rows = 0, cols = 0;

    bool converts() const { return static_cast<bool>(converted); }
  };

  /// Slot `index` % `count` of `buffers` (`count` stacked row blocks of
  /// `rows`).
  Value slot(Value buffers, int64_t rows, int64_t cols, int64_t count,
             Value index) {
    OpFoldResult first;
    if (std::optional<int64_t> known = getConstantIntValue(index)) {
      first = b.getIndexAttr(*known % count * rows);
    } else {
      IndexMath x{b, loc};
      first = x.mul(x.rem(index, x.c(count)), x.c(rows));
    }
    SmallVector<OpFoldResult> offsets = {first, b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(rows),
                                       b.getIndexAttr(cols)};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    return memref::SubViewOp::create(b, loc, buffers, offsets, sizes, strides);
  }
  Value landing(const Ring &r, Value s) {
    return slot(r.slots, r.rows, r.cols, tiles.buffers, s);
  }
  /// What the DPE reads of slice `s`: its DPE-type copy, or the slice as
  /// it landed.
  Value dpeOperand(const Ring &r, Value s) {
    return r.converts() ? slot(r.converted, r.rows, r.cols, 2, s)
                        : landing(r, s);
  }

  /// The tokens a reduction step carries: the slices in flight (the
  /// current one first) and the last two products.
  struct InFlight {
    SmallVector<Value> arrivals;
    Value previous, beforePrevious;
  };

  /// Reduces the slices of one C tile into `acc` (added to it when
  /// `addToC`, else overwriting it) and returns the last product's token.
  /// Slice s lands in slot s % buffers, the DMA up to buffers - 1 slices
  /// ahead; a converting operand's slice goes to DPE-type copy s % 2 while
  /// the DPE multiplies slice s - 1.
  Value reduce(const Slice &t, bool addToC) {
    IndexMath x{b, loc};
    int64_t slices = llvm::divideCeil(shape.k, tiles.tk);
    int64_t ahead = std::min(tiles.buffers - 1, slices);
    InFlight state;
    for (int64_t s = 0; s < ahead; ++s)
      state.arrivals.push_back(load(t, x.c(s)));
    // Slice 0, peeled: whether the DPE adds to C is static per product.
    Value product = reduceStep(t, x.c(0), slices, ahead, state, addToC);
    if (slices == 1)
      return product;
    SmallVector<Value> carried(state.arrivals);
    carried.append({state.previous, state.beforePrevious});
    auto loop =
        scf::ForOp::create(b, loc, x.c(1), x.c(slices), x.c(1), carried);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    auto args = loop.getRegionIterArgs();
    InFlight inLoop{SmallVector<Value>(args.take_front(ahead)), args[ahead],
                    args[ahead + 1]};
    reduceStep(t, loop.getInductionVar(), slices, ahead, inLoop,
               /*accumulate=*/true);
    SmallVector<Value> yielded(inLoop.arrivals);
    yielded.append({inLoop.previous, inLoop.beforePrevious});
    scf::YieldOp::create(b, loc, yielded);
    return loop.getResult(ahead);
  }

  /// Slice `s`: waits for it, converts what converts, issues its product,
  /// and starts the load `ahead` slices on once its slot is free. Updates
  /// `state` to slice s + 1's and returns the product's token.
  Value reduceStep(const Slice &t, Value s, int64_t slices, int64_t ahead,
                   InFlight &state, bool accumulate) {
    IndexMath x{b, loc};
    Value arrived = state.arrivals.front();
    WaitOp::create(b, loc, ValueRange{arrived});
    bool converting = ringA.converts() || ringB.converts();
    if (converting && state.beforePrevious) {
      // The product two slices back read the DPE-type copies this
      // conversion writes.
      WaitOp::create(b, loc, ValueRange{state.beforePrevious});
    }
    if (converting) {
      SmallVector<Value> conversions;
      for (const Ring *r : {&ringA, &ringB})
        if (r->converts())
          conversions.push_back(SEConvertOp::create(
              b, loc, token(b), landing(*r, s), dpeOperand(*r, s)));
      WaitOp::create(b, loc, conversions);
    }
    Value target = quantized ? sum : acc;
    auto product = DPEMatmulOp::create(b, loc, token(b), dpeOperand(ringA, s),
                                       dpeOperand(ringB, s), target);
    if (accumulate)
      product.setAccumulate(true);
    // The slot the next load fills was last read by the previous slice's
    // conversion (done) or, for an operand the DPE reads as it landed, by
    // its product.
    Value next = x.add(s, x.c(ahead));
    auto issueNext = [&]() -> Value {
      if (state.previous && (!ringA.converts() || !ringB.converts()))
        WaitOp::create(b, loc, ValueRange{state.previous});
      return load(t, next);
    };
    Value following;
    std::optional<int64_t> known = getConstantIntValue(s);
    if (known) {
      following = *known + ahead < slices ? issueNext() : arrived;
    } else {
      auto ifOp = scf::IfOp::create(b, loc, TypeRange{token(b)},
                                    x.lt(next, x.c(slices)),
                                    /*withElse=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      scf::YieldOp::create(b, loc, issueNext());
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      scf::YieldOp::create(b, loc, arrived);
      following = ifOp.getResult(0);
    }
    state.arrivals.erase(state.arrivals.begin());
    state.arrivals.push_back(following);
    // Before the first product, "two back" is the first slice's arrival,
    // which is already waited for.
    state.beforePrevious = state.previous ? state.previous : arrived;
    state.previous = product.getToken();
    return product.getToken();
  }

  /// Zeroes a slot before a partial slice lands in it, so that the DPE's
  /// padding rows and columns contribute nothing.
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

  /// Issues the DMA of slice `slice`'s A and B into their slots; returns
  /// B's token (the DMA engine runs in order: A is in when B is).
  Value load(const Slice &t, Value slice) {
    IndexMath x{b, loc};
    Value k0 = x.mul(slice, x.c(tiles.tk));
    Value depth = x.min(x.c(tiles.tk), x.sub(x.c(shape.k), k0));
    Value shortDepth = x.lt(depth, x.c(tiles.tk));
    Value aBuf = landing(ringA, slice), bBuf = landing(ringB, slice);
    zeroIfPartial(x.orI(x.lt(t.rows, x.c(tiles.tm)), shortDepth), aBuf,
                  tiles.tm * tiles.tk);
    zeroIfPartial(x.orI(x.lt(t.cols, x.c(tiles.tn)), shortDepth), bBuf,
                  tiles.tk * tiles.tn);
    Value aIn = DMAOp::create(
        b, loc, token(b), subview2D(b, loc, t.a, t.i0, k0, t.rows, depth),
        subview2D(b, loc, aBuf, x.c(0), x.c(0), t.rows, depth));
    if (shape.patches)
      return gatherPatches(b, loc, *shape.patches, t.b, k0, depth, t.j0, t.cols,
                           bBuf, aIn);
    return DMAOp::create(
        b, loc, token(b), subview2D(b, loc, t.b, k0, t.j0, depth, t.cols),
        subview2D(b, loc, bBuf, x.c(0), x.c(0), depth, t.cols));
  }
  OpBuilder &b;
  Location loc;
  const DPEPolicy &policy;
  const TargetDesc &machine;
  Type input;
  bool quantized;
  GemmShape shape;
  OperandTypes types;
  ProductTiles tiles;
  // The local arena and its views: the f32 tile; when quantized, its i32
  // sum and its rows' and columns' scales; the operands' rings; C's copy
  // in its DRAM type, where that is not f32.
  Value arena, acc, sum, aMax, bMax, storedTile, biasSlot;
  SmallVector<Value> epilogueSlots;
  Ring ringA, ringB;
};

} // namespace

void anvil::mtia::emitDPEKernel(OpBuilder &b, Location loc,
                                const DPEPolicy &policy, Type input,
                                GemmShape shape, OperandTypes types,
                                StringRef name, OperandsAt operands,
                                bool addToC, Scales scales) {
  DPEKernel(b, loc, policy, input, shape, types)
      .emit(name, operands, addToC, scales);
}
