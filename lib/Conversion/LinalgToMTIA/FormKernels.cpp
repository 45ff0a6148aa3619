//===- FormKernels.cpp - One mtia kernel per linalg op --------------------===//
//
// The simple implementations of the fusion (one op per kernel), tiling
// (fixed tiles from the machine description) and scheduling (operators one
// after another over all PEs) seams for the MTIA-like target. Products go
// to the DPE; everything else runs on the vector cores, split by PE.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilding.h"
#include "Quantize.h"

#include "../HostTiling/GemmKernels.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/ADT/TypeSwitch.h"

namespace anvil {
#define GEN_PASS_DEF_MTIAFORMKERNELS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::mtia;

namespace {

//===----------------------------------------------------------------------===//
// Products on the DPE
//===----------------------------------------------------------------------===//

/// C tiles of tm x tn, reduced in slices of tk, all multiples of the
/// native tile, halved until their local buffers fit.
struct GemmTiles {
  int64_t tm, tn, tk;
};

/// Whether the DPE's input type is i8: the operands arrive quantized, and
/// each C tile sums in i32 before its rescale (Quantize.h).
bool isQuantized(Type input) { return input.isInteger(8); }

int64_t gemmLocalBytes(const GemmTiles &t, Type input) {
  int64_t operands = t.tm * t.tk + t.tk * t.tn, tile = t.tm * t.tn * 4;
  // i8: two pairs of i8 staging buffers, the i32 sum beside the f32 tile,
  // and the tile's scales.
  if (isQuantized(input))
    return operands * 2 + 2 * tile + (t.tm + t.tn) * 4;
  // Two pairs of f32 staging buffers, DPE-type copies of one pair, and the
  // accumulator.
  return operands * (2 * 4 + elementBytes(input)) + tile;
}

GemmTiles chooseGemmTiles(TargetAttr target, Type input) {
  int64_t depth = target.getTileRowBytes() / elementBytes(input);
  GemmTiles t{2 * target.getTileRows(), 2 * target.getTileRows(), 4 * depth};
  while (gemmLocalBytes(t, input) > target.getLocalBytes() && t.tk > depth)
    t.tk /= 2;
  while (gemmLocalBytes(t, input) > target.getLocalBytes() &&
         t.tm > target.getTileRows()) {
    t.tm /= 2;
    t.tn /= 2;
  }
  return t;
}

/// The 2-D operands of product number `batch` of a batched product.
using OperandsAt =
    function_ref<std::tuple<Value, Value, Value>(OpBuilder &, Value batch)>;
/// Which input of a product.
enum class Side { A, B };

struct GemmShape {
  int64_t batches, m, n, k;
};

/// How products run on the DPE: the machine, the input type f32 operands
/// are converted or quantized to (`batchInput` for batched products, which
/// are not quantized), and whether operands read more than once are staged
/// through SRAM.
struct DPEPolicy {
  TargetAttr target;
  Type input, batchInput;
  bool sramStaging;
};

/// The largest magnitude of each row of A and column of B of a quantized
/// product (Quantize.h); null otherwise.
struct Scales {
  Value aMax, bMax;
};

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
      : b(b), loc(loc), target(policy.target), input(input),
        quantized(isQuantized(input)), sramStaging(policy.sramStaging),
        shape(shape), tiles(chooseGemmTiles(target, input)) {}

  /// `addToC`: linalg's products add to their output; unless it was just
  /// zeroed, each C tile is loaded before the reduction adds to it.
  void emit(StringRef name, OperandsAt operands, bool addToC,
            Scales scales = {}) {
    OpBuilder::InsertionGuard guard(b);
    int64_t rowTiles = llvm::divideCeil(shape.m, tiles.tm);
    int64_t colTiles = llvm::divideCeil(shape.n, tiles.tn);
    int64_t tasks = shape.batches * rowTiles * colTiles;
    int64_t pes = std::min<int64_t>(tasks, target.getNumPes());
    Value pe = openKernel(b, loc, name, pes);
    allocateBuffers();
    Staged staged = stageReused(pe, pes, operands, rowTiles, colTiles);
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

  /// Stages A when more than one column of C tiles reads each of its rows,
  /// and B when more than one row of tiles reads each of its columns, as
  /// far as the SRAM holds them: DRAM is then read once and the tiles'
  /// repeated reads go to SRAM, whose bandwidth is several times DRAM's.
  /// Every PE copies its share, then all meet at a barrier.
  Staged stageReused(Value pe, int64_t pes, OperandsAt operands,
                     int64_t rowTiles, int64_t colTiles) {
    Staged staged;
    if (!sramStaging)
      return staged;
    int64_t free = target.getSramBytes();
    auto fits = [&](int64_t rows, int64_t cols) {
      int64_t bytes = localBufferBytes(
          bufferType(b.getContext(), {shape.batches * rows, cols}, loaded()));
      if (bytes > free)
        return false;
      free -= bytes;
      return true;
    };
    if (colTiles > 1 && fits(shape.m, shape.k))
      staged.a = stage(pe, pes, operands, Side::A);
    if (rowTiles > 1 && fits(shape.k, shape.n))
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
    if (target.getDramPrefetch()) {
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
    CoreCostOp::create(b, loc, x.c(elements), x.c(0), TypeAttr::get(element));
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
  TargetAttr target;
  Type input;
  bool quantized, sramStaging;
  GemmShape shape;
  GemmTiles tiles;
  // Staging pairs (f32, or i8 when quantized), their DPE-type copies, the
  // f32 tile; when quantized, its i32 sum and its rows' and columns' scales.
  Value a32[2], b32[2], aIn, bIn, acc, sum, aMax, bMax;
};

ArrayRef<int64_t> shapeOf(Value memref) {
  return cast<MemRefType>(memref.getType()).getShape();
}

/// A rank-reduced view of `source`[index] (its leading dimension dropped).
Value slice(OpBuilder &b, Location loc, Value source, Value index) {
  auto type = cast<MemRefType>(source.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
      strides(rank, b.getIndexAttr(1));
  offsets[0] = index;
  sizes.push_back(b.getIndexAttr(1));
  for (int64_t d : type.getShape().drop_front())
    sizes.push_back(b.getIndexAttr(d));
  auto reduced = memref::SubViewOp::inferRankReducedResultType(
      type.getShape().drop_front(), type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, cast<MemRefType>(reduced), source,
                                   offsets, sizes, strides);
}

/// Collapses a contiguous [d0, d1, ...] view to [d0, d1 * ...].
Value asMatrix(OpBuilder &b, Location loc, Value view) {
  int64_t rank = cast<MemRefType>(view.getType()).getRank();
  if (rank == 2)
    return view;
  ReassociationIndices rest;
  for (int64_t d = 1; d < rank; ++d)
    rest.push_back(d);
  return memref::CollapseShapeOp::create(
      b, loc, view, SmallVector<ReassociationIndices>{{0}, rest});
}

class KernelFormer {
public:
  explicit KernelFormer(const DPEPolicy &policy)
      : target(policy.target), policy(policy) {}

  std::string nextName(StringRef base) {
    return (base + "_" + std::to_string(counter++)).str();
  }

  LogicalResult matmul(linalg::MatmulOp op) {
    OpBuilder b(op);
    Value c = op.getOutputs()[0];
    product(
        b, op.getLoc(), "matmul", op.getInputs()[0], op.getInputs()[1],
        [&](OpBuilder &) { return c; }, !takeZeroFill(op));
    op.erase();
    return success();
  }

  /// Batched products (attention's) are not quantized: under the i8 policy
  /// they run in the machine's 16-bit type.
  LogicalResult batchMatmul(linalg::BatchMatmulOp op) {
    if (!policy.batchInput)
      return op.emitOpError("runs on the DPE in f16 or bf16 under the i8 "
                            "policy, and ")
             << target.getName() << " takes neither";
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto a = shapeOf(op.getInputs()[0]), bs = shapeOf(op.getInputs()[1]);
    DPEKernel kernel(b, loc, policy, policy.batchInput,
                     {a[0], a[1], bs[2], a[2]});
    kernel.emit(
        nextName("batch_matmul"),
        [&](OpBuilder &nb, Value batch) {
          return std::make_tuple(slice(nb, loc, op.getInputs()[0], batch),
                                 slice(nb, loc, op.getInputs()[1], batch),
                                 slice(nb, loc, op.getOutputs()[0], batch));
        },
        !takeZeroFill(op));
    op.erase();
    return success();
  }

  /// Per image: the patches into an im2col buffer (a vector-core kernel),
  /// then Y[F, OH*OW] = W[F, C*KH*KW] patches on the DPE.
  LogicalResult conv(linalg::Conv2DNchwFchwOp op) {
    Value input = op.getInputs()[0], filter = op.getInputs()[1],
          output = op.getOutputs()[0];
    auto in = shapeOf(input), w = shapeOf(filter), out = shapeOf(output);
    SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
    Location loc = op.getLoc();
    bool addToC = !takeZeroFill(op);
    OpBuilder b(op);
    int64_t depth = w[1] * w[2] * w[3], pixels = out[2] * out[3];
    Value patches = memref::AllocOp::create(
        b, loc, MemRefType::get({depth, pixels}, b.getF32Type()),
        b.getI64IntegerAttr(64));
    Value weights = asMatrix(b, loc, filter);
    IndexMath x{b, loc};
    auto images = scf::ForOp::create(b, loc, x.c(0), x.c(in[0]), x.c(1));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(images.getBody());
      Value image = images.getInductionVar();
      linalg::LinalgOp gather = anvil::host::fillPatches(
          b, loc, input, image, patches, w, out, strides, dilations);
      if (failed(onVectorCores(gather, "im2col")))
        return failure();
      product(
          b, loc, "conv", weights, patches,
          [&](OpBuilder &nb) {
            return asMatrix(nb, loc, slice(nb, loc, output, image));
          },
          addToC);
    }
    memref::DeallocOp::create(b, loc, patches);
    op.erase();
    return success();
  }

  /// C = A B (+ C when `addToC`) on the DPE for f32 matrices in DRAM, C
  /// made by `output` inside the kernel; quantized first under the i8
  /// policy.
  void product(OpBuilder &b, Location loc, StringRef base, Value a, Value bMat,
               function_ref<Value(OpBuilder &)> output, bool addToC) {
    auto as = shapeOf(a), bs = shapeOf(bMat);
    DPEKernel kernel(b, loc, policy, policy.input, {1, as[0], bs[1], as[1]});
    if (!isQuantized(policy.input)) {
      kernel.emit(
          nextName(base),
          [&](OpBuilder &nb, Value) {
            return std::make_tuple(a, bMat, output(nb));
          },
          addToC);
      return;
    }
    QuantizedOperands q =
        quantizeOperands(b, loc, target, a, bMat, nextName("quantize"));
    kernel.emit(
        nextName(base),
        [&](OpBuilder &nb, Value) {
          return std::make_tuple(q.a, q.b, output(nb));
        },
        addToC, Scales{q.aMax, q.bMax});
    freeQuantized(b, loc, q);
  }

  /// Whether the output of `op` was zeroed by the op just before it; that
  /// fill is dropped, as the kernel overwrites the whole output.
  static bool takeZeroFill(linalg::LinalgOp op) {
    auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
    if (!fill || fill.getOutputs()[0] != op.getDpsInits()[0])
      return false;
    auto zero = fill.getInputs()[0].getDefiningOp<arith::ConstantOp>();
    auto value = zero ? dyn_cast<FloatAttr>(zero.getValue()) : FloatAttr();
    if (!value || !value.getValue().isZero())
      return false;
    fill.erase();
    return true;
  }

  /// Any linalg op as ordinary code on the vector cores: the outermost
  /// parallel loop split into one slice per PE.
  LogicalResult onVectorCores(linalg::LinalgOp op, StringRef base) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto tileable = cast<TilingInterface>(op.getOperation());
    SmallVector<Range> domain = tileable.getIterationDomain(b);
    SmallVector<int64_t> extents;
    for (const Range &r : domain) {
      std::optional<int64_t> size = getConstantIntValue(r.size);
      if (!size)
        return op.emitOpError("has a dynamic iteration space; the MTIA "
                              "target needs static shapes");
      extents.push_back(*size);
    }
    // Only ops that read and write through projected permutations split
    // cleanly: a slice of a convolution-like window would need its halo.
    bool split =
        !extents.empty() && extents[0] > 1 &&
        op.getIteratorTypesArray()[0] == utils::IteratorType::parallel &&
        llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
          return map.isProjectedPermutation();
        });
    int64_t pes = split ? std::min(extents[0], target.getNumPes()) : 1;
    int64_t chunk = split ? llvm::divideCeil(extents[0], pes) : 0;
    Value pe = openKernel(b, loc, nextName(base), pes);
    IndexMath x{b, loc};
    linalg::LinalgOp onPE;
    Value rows;
    if (split) {
      SmallVector<OpFoldResult> offsets, sizes;
      for (int64_t e : extents) {
        offsets.push_back(b.getIndexAttr(0));
        sizes.push_back(b.getIndexAttr(e));
      }
      // The last PEs may get fewer rows, or none.
      Value start = x.min(x.mul(pe, x.c(chunk)), x.c(extents[0]));
      rows = x.min(x.c(chunk), x.sub(x.c(extents[0]), start));
      offsets[0] = start;
      sizes[0] = rows;
      FailureOr<TilingResult> tiled =
          tileable.getTiledImplementation(b, offsets, sizes);
      if (failed(tiled))
        return op.emitOpError("cannot be split across PEs");
      onPE = cast<linalg::LinalgOp>(tiled->tiledOps.front());
    } else {
      onPE = cast<linalg::LinalgOp>(b.clone(*op.getOperation()));
    }
    chargeCoreCost(b, loc, op, extents, rows, onPE);
    op.erase();
    return success();
  }

private:
  /// Element operations: iterations times the body's operations; DRAM
  /// bytes: the sizes of the slice's operands. `outerRows` is the PE's
  /// share of the outermost loop when it is split, else null.
  void chargeCoreCost(OpBuilder &b, Location loc, linalg::LinalgOp op,
                      ArrayRef<int64_t> extents, Value outerRows,
                      linalg::LinalgOp tiled) {
    IndexMath x{b, loc};
    int64_t iterations = 1;
    for (int64_t e : extents)
      iterations *= e;
    int64_t bodyOps = std::max<int64_t>(
        1, static_cast<int64_t>(op.getBlock()->getOperations().size()) - 1);
    Value ops = outerRows
                    ? x.mul(outerRows, x.c(iterations / extents[0] * bodyOps))
                    : x.c(iterations * bodyOps);
    Value bytes = x.c(0);
    for (Value operand : tiled->getOperands()) {
      auto type = dyn_cast<MemRefType>(operand.getType());
      if (!type)
        continue;
      Value elements = x.c(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        elements =
            x.mul(elements,
                  type.isDynamicDim(d)
                      ? memref::DimOp::create(b, loc, operand, d).getResult()
                      : x.c(type.getDimSize(d)));
      bytes = x.add(bytes,
                    x.mul(elements, x.c(elementBytes(type.getElementType()))));
    }
    Type element =
        cast<MemRefType>(op.getDpsInits()[0].getType()).getElementType();
    CoreCostOp::create(b, loc, ops, bytes, TypeAttr::get(element));
  }

  TargetAttr target;
  DPEPolicy policy;
  int64_t counter = 0;
};

/// What the DPE takes: f32 products with static, unit-inner-stride
/// buffers (the host GEMM kernel's conditions).
bool onDPE(linalg::LinalgOp op) {
  return anvil::host::takesGemmKernel(op) &&
         llvm::all_of(op->getOperands(), [](Value v) {
           auto type = cast<MemRefType>(v.getType());
           return type.getLayout().isIdentity();
         });
}

struct MTIAFormKernelsPass
    : anvil::impl::MTIAFormKernelsBase<MTIAFormKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr target = TargetAttr::lookup(module);
    if (!target) {
      module.emitError("anvil-mtia-form-kernels needs the module's '")
          << TargetAttr::kAttrName << "'";
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    Type input = llvm::StringSwitch<Type>(dpeType)
                     .Case("f16", Float16Type::get(ctx))
                     .Case("bf16", BFloat16Type::get(ctx))
                     .Case("i8", IntegerType::get(ctx, 8))
                     .Default(Type());
    if (!input || !target.takesInput(input)) {
      module.emitError("the DPE of ")
          << target.getName() << " does not take '" << dpeType
          << "' (dpe-type: one of its input types, f16, bf16 or i8)";
      return signalPassFailure();
    }
    Type batchInput = input;
    if (isQuantized(input)) {
      batchInput = Type();
      for (Type t : {Type(Float16Type::get(ctx)), Type(BFloat16Type::get(ctx))})
        if (!batchInput && target.takesInput(t))
          batchInput = t;
    }
    // Copies are linalg ops too: they run on the vector cores like the rest.
    module.walk([](memref::CopyOp copy) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
    KernelFormer former(DPEPolicy{target, input, batchInput, sramStaging});
    // Products first: they may take the zero fill before them.
    for (linalg::LinalgOp op : collect(module, /*products=*/true)) {
      LogicalResult formed =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](linalg::MatmulOp m) { return former.matmul(m); })
              .Case([&](linalg::BatchMatmulOp m) {
                return former.batchMatmul(m);
              })
              .Case([&](linalg::Conv2DNchwFchwOp c) { return former.conv(c); })
              .Default([&](Operation *) {
                return former.onVectorCores(op, "vector");
              });
      if (failed(formed))
        return signalPassFailure();
    }
    for (linalg::LinalgOp op : collect(module, /*products=*/false))
      if (failed(former.onVectorCores(op, op->getName().stripDialect())))
        return signalPassFailure();
  }

  /// Linalg ops on buffers not yet in a kernel: those the DPE takes, or
  /// all the others.
  static SmallVector<linalg::LinalgOp> collect(ModuleOp module, bool products) {
    SmallVector<linalg::LinalgOp> ops;
    module.walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && !op->getParentOfType<LaunchOp>() &&
          onDPE(op) == products)
        ops.push_back(op);
    });
    return ops;
  }
};

} // namespace
