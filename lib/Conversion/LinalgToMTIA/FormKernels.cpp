//===- FormKernels.cpp - One mtia kernel per linalg op --------------------===//
//
// The fusion seam's target on the MTIA-like machine (anvil-mtia-fusion:
// what its kernels are formed around and what they can fold, for the
// policy of anvil/Policy/Fusion.h to decide), and the driver of the
// kernels' mechanisms, which fold what the decision on the IR says: products go
// to the DPE (DPEKernel.h), everything else to the vector cores
// (VectorKernel.h), with tiles and tasks from the tiling policy
// (anvil/Policy/FixedTiles.h).
//
//===----------------------------------------------------------------------===//

#include "ConstantOperands.h"
#include "DPEKernel.h"
#include "KernelBuilding.h"
#include "PatchGather.h"
#include "Quantize.h"
#include "VectorKernel.h"

#include "anvil/Conversion/Folds.h"
#include "anvil/Conversion/Passes.h"
#include "anvil/Conversion/Products.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"
#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Policy/Fusion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/TypeSwitch.h"

namespace anvil {
#define GEN_PASS_DEF_MTIAFUSION
#define GEN_PASS_DEF_MTIAFORMKERNELS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::mtia;

namespace {

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

/// A convolution's strides or dilations.
SmallVector<int64_t> values(DenseIntElementsAttr attr) {
  return llvm::to_vector(attr.getValues<int64_t>());
}

/// The zero fill of `op`'s output just before it, which a DPE kernel can
/// do by writing its first sums in place.
Operation *zeroFillBefore(linalg::LinalgOp op) {
  Operation *before = op->getPrevNode();
  return anvil::isZeroFill(before, op.getDpsInits()[0]) ? before : nullptr;
}

class KernelFormer {
public:
  explicit KernelFormer(const DPEPolicy &policy)
      : target(policy.target), policy(policy) {}

  std::string nextName(StringRef base) {
    return (base + "_" + std::to_string(counter++)).str();
  }

  LogicalResult matmul(linalg::MatmulOp op) {
    // Before anything is built between the zero fill and the op.
    bool addToC = !takeZeroFill(op);
    takeClamp(op);
    OpBuilder b(op);
    Value c = op.getOutputs()[0];
    Type input = inputFor(elementOf(op.getInputs()[0]), /*batched=*/false);
    Value a = roundedConstantOperand(b, op.getInputs()[0], input),
          bMat = roundedConstantOperand(b, op.getInputs()[1], input);
    OperandTypes types =
        placedAt({elementOf(a), elementOf(bMat), elementOf(c)}, a, bMat, c);
    if (failed(takeDecidedTiles(op, input, types)))
      return failure();
    product(
        b, op.getLoc(), "matmul", input, a, bMat, types.c,
        [&](OpBuilder &) { return c; }, addToC);
    op.erase();
    return success();
  }

  /// Batched products (attention's) are not quantized: under the i8 policy
  /// they run in the machine's 16-bit type.
  LogicalResult batchMatmul(linalg::BatchMatmulOp op) {
    OperandTypes types =
        placedAt({elementOf(op.getInputs()[0]), elementOf(op.getInputs()[1]),
                  elementOf(op.getOutputs()[0])},
                 op.getInputs()[0], op.getInputs()[1], op.getOutputs()[0]);
    Type input = inputFor(types.a, /*batched=*/true);
    if (failed(haveBatchInput(op, input)) ||
        failed(takeDecidedTiles(op, input, types)))
      return failure();
    takeClamp(op);
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto a = shapeOf(op.getInputs()[0]), bs = shapeOf(op.getInputs()[1]);
    emitDPEKernel(
        b, loc, policy, input, {a[0], a[1], bs[2], a[2]}, types,
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
  /// then Y[F, OH*OW] = W[F, C*KH*KW] patches on the DPE. A pointwise
  /// convolution needs no patches (pointwiseConv), and one whose patches
  /// the DPE kernel can gather itself writes none (implicitConv).
  LogicalResult conv(linalg::Conv2DNchwFchwOp op) {
    std::optional<anvil::PaddedInput> padding = foldedPadding(op);
    takeClamp(op);
    bool addToC = !takeBiasOrZeroFill(op);
    Location loc = op.getLoc();
    OpBuilder b(op);
    Type input = inputFor(elementOf(op.getInputs()[1]), /*batched=*/false);
    std::optional<Patches> patches = gatherablePatches(
        op, input, *policy.machine, policy.implicitPatches, policy.sramStaging);
    if (patches && padding)
      patches = padWhileStaging(*patches, *padding, input, *policy.machine);
    if (patches)
      if (Value taps = tapOrderedWeights(b, op.getInputs()[1], input))
        return implicitConv(op, input, *patches, taps, addToC, padding);
    if (padding)
      unfold(*padding);
    Value filter = roundedConstantOperand(b, op.getInputs()[1], input),
          output = op.getOutputs()[0];
    bool pointwise = isPointwise(op) && !isQuantized(input);
    OperandTypes types =
        placedAt({elementOf(filter),
                  pointwise ? elementOf(op.getInputs()[0]) : patchesType(input),
                  elementOf(output)},
                 filter, pointwise ? op.getInputs()[0] : Value(), output);
    if (failed(takeDecidedTiles(op, input, types)))
      return failure();
    Value weights = asMatrix(b, loc, filter);
    if (pointwise)
      return pointwiseConv(op, input, types, weights, addToC);
    return im2colProducts(
        op, op.getInputs()[0], types.b, shapeOf(filter), shapeOf(output),
        values(op.getStrides()), values(op.getDilations()),
        [&](OpBuilder &nb, Value image, Value patches) {
          product(
              nb, loc, "conv", input, weights, patches, types.c,
              [&](OpBuilder &ob) {
                return asMatrix(ob, loc, slice(ob, loc, output, image));
              },
              addToC);
        });
  }

  /// Y[n] = W X[n], [F, C] by [C, H*W], for every image n in one DPE
  /// kernel batched over the images, W staged (where it is) once for all:
  /// no im2col buffer goes through DRAM. Not under the i8 policy, whose
  /// quantization takes one matrix.
  LogicalResult pointwiseConv(linalg::Conv2DNchwFchwOp op, Type input,
                              const OperandTypes &types, Value weights,
                              bool addToC) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value x = op.getInputs()[0], y = op.getOutputs()[0];
    auto xs = shapeOf(x), ys = shapeOf(y);
    auto image = [&](OpBuilder &nb, Value of, Value n) {
      return asMatrix(nb, loc, slice(nb, loc, of, n));
    };
    GemmShape shape{xs[0], ys[1], xs[2] * xs[3], xs[1], /*sharedA=*/true};
    emitDPEKernel(
        b, loc, policy, input, shape, types, nextName("conv"),
        [&](OpBuilder &nb, Value n) {
          return std::make_tuple(weights, image(nb, x, n), image(nb, y, n));
        },
        addToC);
    op.erase();
    return success();
  }

  /// Y[n] = W' P[n] for every image n in one DPE kernel batched over the
  /// images: W' the constant filter in tap order (`taps`, [F, KH*KW*C]),
  /// P[n] image n's patches, which the kernel gathers slice by slice from
  /// its SRAM copy of the image. No im2col buffer is written or read.
  LogicalResult implicitConv(linalg::Conv2DNchwFchwOp op, Type input,
                             const Patches &patches, Value taps, bool addToC,
                             const std::optional<anvil::PaddedInput> &padding) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value x = padding && patches.padsWhileStaging() ? padding->source
                                                    : op.getInputs()[0];
    Value y = op.getOutputs()[0];
    // The decided tiles were sized for patches read in the DPE's type,
    // which is how the staged image lands.
    OperandTypes types = placedAt(
        {elementOf(taps), patchesType(input), elementOf(y)}, taps, x, y);
    if (failed(takeDecidedTiles(op, input, types)))
      return failure();
    types.b = elementOf(x);
    auto ys = shapeOf(y);
    // The image as the kernel stages it (Patches): a strided one as the
    // matrix of its rows, [C * H, W], any other as [C, H * W]; the output
    // as [F, OH * OW].
    auto rowsOf = [&](OpBuilder &nb, Value n) -> Value {
      Value image = slice(nb, loc, x, n);
      if (patches.strideW == 1 && !patches.padsWhileStaging())
        return asMatrix(nb, loc, image);
      return memref::CollapseShapeOp::create(
          nb, loc, image, SmallVector<ReassociationIndices>{{0, 1}, {2}});
    };
    GemmShape shape{ys[0],
                    ys[1],
                    ys[2] * ys[3],
                    cast<MemRefType>(taps.getType()).getShape()[1],
                    /*sharedA=*/true,
                    patches};
    emitDPEKernel(
        b, loc, policy, input, shape, types, nextName("conv"),
        [&](OpBuilder &nb, Value n) {
          return std::make_tuple(taps, rowsOf(nb, n),
                                 asMatrix(nb, loc, slice(nb, loc, y, n)));
        },
        addToC);
    op.erase();
    if (padding)
      for (Operation *o : padding->ops)
        o->erase();
    return success();
  }

  /// The padded copy of `op`'s image that the fusion decision folds into
  /// its kernel, if any.
  static std::optional<anvil::PaddedInput>
  foldedPadding(linalg::Conv2DNchwFchwOp op) {
    anvil::Epilogue e = anvil::matchEpilogue(op, /*channelBiases=*/true);
    std::optional<anvil::PaddedInput> padding =
        anvil::matchPaddedInput(op, e.init);
    if (!padding ||
        !anvil::policy::isFoldedInto(padding->copy, op,
                                     anvil::policy::FoldRole::PaddedInput))
      return std::nullopt;
    return padding;
  }

  /// A padded copy the decision folded that the kernel cannot take after
  /// all (its weights are not constants) is made as if it were not folded:
  /// its copy runs on the vector cores like the rest.
  static void unfold(const anvil::PaddedInput &padding) {
    auto copy = cast<memref::CopyOp>(padding.copy);
    OpBuilder b(copy);
    linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                           copy.getTarget());
    copy.erase();
  }

  /// A grouped convolution as a product batched over its groups, per
  /// image: the patches of all channels into one im2col buffer, where
  /// group g's are rows g * depth ... (g + 1) * depth - 1, then Y[g] =
  /// W[g] patches[g] for every group in one DPE kernel. Like batched
  /// products, not quantized under the i8 policy.
  LogicalResult groupedConv(linalg::Conv2DNgchwGfchwOp op) {
    takeClamp(op);
    Location loc = op.getLoc();
    // [N, G, C/G, H, W], [G, F/G, C/G, KH, KW], [N, G, F/G, OH, OW].
    Value input = op.getInputs()[0], output = op.getOutputs()[0];
    Type dpeInput = inputFor(elementOf(op.getInputs()[1]), /*batched=*/true);
    if (failed(haveBatchInput(op, dpeInput)))
      return failure();
    bool addToC = !takeZeroFill(op);
    OpBuilder b(op);
    Value filter = roundedConstantOperand(b, op.getInputs()[1], dpeInput);
    OperandTypes types =
        placedAt({elementOf(filter), patchesType(dpeInput), elementOf(output)},
                 filter, Value(), output);
    if (failed(takeDecidedTiles(op, dpeInput, types)))
      return failure();
    auto w = shapeOf(filter), out = shapeOf(output);
    int64_t groups = w[0], depth = w[2] * w[3] * w[4], pixels = out[3] * out[4];
    Value nchw = memref::CollapseShapeOp::create(
        b, loc, input,
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    return im2colProducts(
        op, nchw, types.b, {groups * w[1], groups * w[2], w[3], w[4]},
        {out[0], groups * out[2], out[3], out[4]}, values(op.getStrides()),
        values(op.getDilations()),
        [&](OpBuilder &nb, Value image, Value patches) {
          Value perGroup = memref::ExpandShapeOp::create(
              nb, loc, SmallVector<int64_t>{groups, depth, pixels}, patches,
              SmallVector<ReassociationIndices>{{0, 1}, {2}});
          emitDPEKernel(
              nb, loc, policy, dpeInput, {groups, w[1], pixels, depth}, types,
              nextName("grouped_conv"),
              [&](OpBuilder &ob, Value group) {
                Value y = slice(ob, loc, slice(ob, loc, output, image), group);
                return std::make_tuple(
                    asMatrix(ob, loc, slice(ob, loc, filter, group)),
                    slice(ob, loc, perGroup, group), asMatrix(ob, loc, y));
              },
              addToC);
        });
  }

  /// C = A B (+ C when `addToC`) on the DPE in `input` for matrices in
  /// DRAM, C (of type `stored`) made by `output` inside the kernel; f32
  /// operands quantized first where `input` is i8.
  void product(OpBuilder &b, Location loc, StringRef base, Type input, Value a,
               Value bMat, Type stored, function_ref<Value(OpBuilder &)> output,
               bool addToC) {
    auto as = shapeOf(a), bs = shapeOf(bMat);
    GemmShape shape{1, as[0], bs[1], as[1]};
    if (!isQuantized(input)) {
      emitDPEKernel(
          b, loc, policy, input, shape,
          OperandTypes{elementOf(a), elementOf(bMat), stored}, nextName(base),
          [&](OpBuilder &nb, Value) {
            return std::make_tuple(a, bMat, output(nb));
          },
          addToC);
      return;
    }
    QuantizedOperands q = quantizeOperands(b, loc, *policy.machine, a, bMat,
                                           nextName("quantize"));
    emitDPEKernel(
        b, loc, policy, input, shape,
        OperandTypes{elementOf(q.a), elementOf(q.b), stored}, nextName(base),
        [&](OpBuilder &nb, Value) {
          return std::make_tuple(q.a, q.b, output(nb));
        },
        addToC, Scales{q.aMax, q.bMax});
    freeQuantized(b, loc, q);
  }

  /// Whether the fusion decision folds the zero fill of `op`'s output
  /// into its kernel; that fill is dropped, as the kernel overwrites the
  /// whole output.
  static bool takeZeroFill(linalg::LinalgOp op) {
    Operation *fill = zeroFillBefore(op);
    if (!fill ||
        !anvil::policy::isFoldedInto(fill, op, anvil::policy::FoldRole::Init))
      return false;
    fill->erase();
    return true;
  }

  /// Whether the fusion decision folds the bias broadcast or zero fill
  /// of the convolution `op`'s output into its kernels; the bias is taken
  /// for them (each C tile starts from it) and that op dropped.
  bool takeBiasOrZeroFill(linalg::Conv2DNchwFchwOp op) {
    anvil::Epilogue e = anvil::matchEpilogue(op, /*channelBiases=*/true);
    if (!e.bias ||
        !anvil::policy::isFoldedInto(e.init, op, anvil::policy::FoldRole::Init))
      return takeZeroFill(op);
    policy.rowBias = e.bias;
    nameFolded(op, e.init);
    e.init->erase();
    return true;
  }

  /// `op`'s location naming `folded` too, so that the job of the kernel
  /// that does both names both model nodes.
  static void nameFolded(Operation *op, Operation *folded) {
    op->setLoc(
        FusedLoc::get(op->getContext(), {op->getLoc(), folded->getLoc()}));
  }

  /// Takes the elementwise op after `op` for its DPE kernel where the
  /// fusion decision folds it into `op`, else none. The op goes once the
  /// kernel is built (dropEpilogue).
  void takeElementwiseEpilogue(linalg::LinalgOp op) {
    policy.epilogue.reset();
    linalg::GenericOp generic = anvil::matchElementwiseEpilogue(op);
    if (!generic ||
        !anvil::policy::isFoldedInto(
            generic, op, anvil::policy::FoldRole::ElementwiseEpilogue))
      return;
    policy.epilogue = prepareEpilogue(op, generic);
    nameFolded(op, generic);
  }

  /// Erases the elementwise op the last product's kernel took.
  void dropEpilogue() {
    if (policy.epilogue)
      policy.epilogue->op.erase();
    policy.epilogue.reset();
  }

  /// Takes the clamp after `op` for its kernels where the fusion decision
  /// folds it into `op` (that op is dropped: the kernels clamp each C tile
  /// before storing it), else none, then the elementwise op after it
  /// likewise. First for every product: it also forgets the previous
  /// product's folds.
  void takeClamp(linalg::LinalgOp op) {
    policy.clamp.reset();
    policy.rowBias = nullptr;
    anvil::Epilogue e = anvil::matchEpilogue(op, /*channelBiases=*/false);
    if (e.clamp && anvil::policy::isFoldedInto(
                       e.clamp, op, anvil::policy::FoldRole::Epilogue)) {
      policy.clamp = Clamp{e.lo, e.hi};
      nameFolded(op, e.clamp);
      e.clamp->erase();
    }
    // Applied after the clamp, which runs first.
    takeElementwiseEpilogue(op);
  }

  /// Any linalg op as ordinary code on the vector cores, its tasks over
  /// all PEs.
  LogicalResult onVectorCores(linalg::LinalgOp op, StringRef base) {
    return emitVectorKernel(op, nextName(base), *policy.machine,
                            *policy.tiling);
  }

private:
  /// Replaces the convolution `op` by products with an im2col buffer: per
  /// image, the NCHW `input` is gathered into [C*KH*KW, OH*OW] patches on
  /// the vector cores, then `multiply` emits the products that read them.
  /// `w` [F, C, KH, KW] and `out` [N, F, OH, OW] are the filter's and
  /// output's shapes with their channels ungrouped.
  LogicalResult im2colProducts(
      Operation *op, Value input, Type patchesElement, ArrayRef<int64_t> w,
      ArrayRef<int64_t> out, ArrayRef<int64_t> strides,
      ArrayRef<int64_t> dilations,
      function_ref<void(OpBuilder &, Value image, Value patches)> multiply) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    Value patches = allocateDRAM(
        b, loc,
        MemRefType::get({w[1] * w[2] * w[3], out[2] * out[3]}, patchesElement),
        *policy.machine);
    IndexMath x{b, loc};
    auto images = scf::ForOp::create(b, loc, x.c(0), x.c(out[0]), x.c(1));
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(images.getBody());
      Value image = images.getInductionVar();
      linalg::LinalgOp gather = anvil::fillPatches(
          b, loc, input, image, patches, w, out, strides, dilations);
      if (failed(onVectorCores(gather, "im2col")))
        return failure();
      multiply(b, image, patches);
    }
    memref::DeallocOp::create(b, loc, patches);
    op->erase();
    return success();
  }

  /// Takes the product tiles decided on `op` (anvil.product_tiles), if it
  /// carries a decision, for its kernels, instead of asking the tiling
  /// policy; an error where they are not three positive sizes whose
  /// buffers fit a PE's local memory.
  LogicalResult takeDecidedTiles(linalg::LinalgOp op, Type input,
                                 const OperandTypes &types) {
    policy.tiles.reset();
    policy.staging = false;
    auto decided = op->getAttrOfType<DenseI64ArrayAttr>(kProductTilesAttr);
    auto staging = op->getAttrOfType<DenseBoolArrayAttr>(kProductStagingAttr);
    if (!decided) {
      if (staging)
        return op.emitOpError("has a product staging decision without "
                              "product tiles");
      return success();
    }
    if (staging && staging.size() != 2)
      return op.emitOpError("has a product staging decision that is not two "
                            "flags (A, B)");
    if (decided.size() != 3 ||
        llvm::any_of(decided.asArrayRef(), [](int64_t t) { return t < 1; }))
      return op.emitOpError("has product tiles that are not three positive "
                            "sizes (tm, tn, tk)");
    anvil::policy::ProductTiles tiles{decided[0], decided[1], decided[2]};
    if (auto buffers = op->getAttrOfType<IntegerAttr>(kProductBuffersAttr)) {
      if (buffers.getInt() < 2)
        return op.emitOpError("has product buffers ")
               << buffers.getInt() << "; a product needs at least 2";
      tiles.buffers = buffers.getInt();
    }
    if (staging) {
      tiles.stageA = staging[0];
      tiles.stageB = staging[1];
    }
    anvil::policy::ProductProblem problem;
    problem.input = dtypeOf(input);
    // Quantized operands arrive in i8 whatever their source.
    problem.loadedA = isQuantized(input) ? problem.input : dtypeOf(types.a);
    problem.loadedB = isQuantized(input) ? problem.input : dtypeOf(types.b);
    problem.stored = dtypeOf(types.c);
    problem.rowBias = static_cast<bool>(policy.rowBias);
    int64_t needed = anvil::policy::productLocalBytes(tiles, problem);
    int64_t local =
        policy.machine->level(anvil::target::MemoryLevel::Local).capacityBytes;
    if (needed > local)
      return op.emitOpError("has product tiles ")
             << tiles.tm << "x" << tiles.tn << "x" << tiles.tk << " whose "
             << "buffers take " << needed << " bytes; a PE has " << local
             << " bytes of local memory";
    if (staging) {
      if ((staging[0] || staging[1]) && !policy.sramStaging)
        return op.emitOpError("stages an operand in SRAM, but sram-staging "
                              "is off");
      policy.staging = true;
    }
    policy.tiles = tiles;
    return success();
  }

  /// The DPE's input type for a product of `element` operands: a 16-bit
  /// model's products run in its type; f32 ones in the policy's, where
  /// `batched` (batched products, grouped convolutions: not quantized) in
  /// its 16-bit type, null where the machine has none.
  Type inputFor(Type element, bool batched) {
    if (!element.isF32())
      return element;
    return batched ? policy.batchInput : policy.input;
  }

  /// Batched products run in the machine's 16-bit type under the i8
  /// policy; an error on `op` where it has none (`input` null).
  LogicalResult haveBatchInput(linalg::LinalgOp op, Type input) {
    if (input)
      return success();
    return op.emitOpError("runs on the DPE in f16 or bf16 under the i8 "
                          "policy, and ")
           << target.getName() << " takes neither";
  }

  static Type elementOf(Value v) {
    return cast<MemRefType>(v.getType()).getElementType();
  }

  /// The im2col buffer's element type for products run in `input`: that
  /// type (the gather converts, and the products read half the bytes and
  /// convert nothing), or f32 where the products quantize it first.
  Type patchesType(Type input) {
    return isQuantized(input) ? Float32Type::get(input.getContext()) : input;
  }

  TargetAttr target;
  DPEPolicy policy;
  int64_t counter = 0;
};

} // namespace

bool anvil::mtia::onDPE(linalg::LinalgOp op, TargetAttr target) {
  Type element = isa<linalg::Conv2DNgchwGfchwOp>(op)
                     ? anvil::sharedStaticElementType(op)
                     : anvil::staticProductElementType(op);
  bool product =
      element && (element.isF32() || (isa<Float16Type, BFloat16Type>(element) &&
                                      target && target.takesInput(element)));
  // An output may be a contiguous part of a larger buffer (a part of a
  // concatenation written in place, anvil-parts-in-place).
  return product && llvm::all_of(op->getOperands(), [&](Value v) {
           auto type = cast<MemRefType>(v.getType());
           return type.getLayout().isIdentity() ||
                  (llvm::is_contained(op.getDpsInits(), v) &&
                   memref::isStaticShapeAndContiguousRowMajor(type));
         });
}

namespace {

/// The DPE input type the option `dpeType` names, or null.
Type dpeInputType(MLIRContext *ctx, StringRef dpeType) {
  return llvm::StringSwitch<Type>(dpeType)
      .Case("f16", Float16Type::get(ctx))
      .Case("bf16", BFloat16Type::get(ctx))
      .Case("i8", IntegerType::get(ctx, 8))
      .Default(Type());
}

/// Whether `op` forms a DPE kernel of its own (KernelFormer's products),
/// which can clamp each C tile before storing it.
bool formsDPEKernel(linalg::LinalgOp op, TargetAttr target) {
  return onDPE(op, target) &&
         isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNchwFchwOp,
             linalg::Conv2DNgchwGfchwOp>(op.getOperation());
}

/// Whether `op`'s DPE kernel can apply an elementwise op to each C tile
/// (EpilogueTile.cpp): its C matrices are subviews and reshapes of C.
bool takesElementwiseEpilogue(linalg::LinalgOp op, TargetAttr target) {
  return formsDPEKernel(op, target) &&
         isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNchwFchwOp>(
             op.getOperation());
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
    Type input = dpeInputType(ctx, dpeType);
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
    // Copies are linalg ops too: they run on the vector cores like the
    // rest, but for the padded copies a kernel folds (which it matches as
    // they are).
    module.walk([](memref::CopyOp copy) {
      if (copy->hasAttr(anvil::policy::kFusionIntoAttr))
        return;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
    const auto &machine = getAnalysis<MachineDescription>();
    if (!machine.get()) {
      module.emitError("anvil-mtia-form-kernels needs the machine "
                       "description: ")
          << machine.error();
      return signalPassFailure();
    }
    std::unique_ptr<anvil::policy::TilingPolicy> tilingPolicy =
        anvil::policy::createTilingPolicy(tiling);
    if (!tilingPolicy) {
      module.emitError("unknown tiling policy '")
          << tiling << "' (tiling: fixed-tiles, roller)";
      return signalPassFailure();
    }
    if (tilingCandidates < 1) {
      module.emitError("tiling-candidates must be at least 1, got ")
          << tilingCandidates;
      return signalPassFailure();
    }
    KernelFormer former(DPEPolicy{machine.get(), target, input, batchInput,
                                  sramStaging, tilingPolicy.get(),
                                  tilingCandidates, implicitPatches});
    // Products first: they may take the zero fill before them.
    for (linalg::LinalgOp op : collect(module, target, /*products=*/true)) {
      LogicalResult formed =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](linalg::MatmulOp m) { return former.matmul(m); })
              .Case([&](linalg::BatchMatmulOp m) {
                return former.batchMatmul(m);
              })
              .Case([&](linalg::Conv2DNchwFchwOp c) { return former.conv(c); })
              .Case([&](linalg::Conv2DNgchwGfchwOp c) {
                return former.groupedConv(c);
              })
              .Default([&](Operation *) {
                return former.onVectorCores(op, "vector");
              });
      if (failed(formed))
        return signalPassFailure();
      former.dropEpilogue();
    }
    for (linalg::LinalgOp op : collect(module, target, /*products=*/false))
      if (failed(former.onVectorCores(op, op->getName().stripDialect())))
        return signalPassFailure();
    eraseUnusedConstants(module);
  }

  /// Linalg ops on buffers not yet in a kernel: those the DPE takes, or
  /// all the others.
  static SmallVector<linalg::LinalgOp>
  collect(ModuleOp module, TargetAttr target, bool products) {
    SmallVector<linalg::LinalgOp> ops;
    module.walk([&](linalg::LinalgOp op) {
      if (op.hasPureBufferSemantics() && !op->getParentOfType<LaunchOp>() &&
          onDPE(op, target) == products)
        ops.push_back(op);
    });
    return ops;
  }
};

} // namespace

namespace {
/// The fusion seam on the MTIA-like target: the policy decides over the
/// linalg ops on buffers, each of which forms a kernel, the zero fills and
/// clamps (ReLU, ReLU6, Clip) that the DPE kernels can take.
struct MTIAFusionPass : anvil::impl::MTIAFusionBase<MTIAFusionPass> {
  using Base::Base;

  void runOnOperation() override {
    auto formsKernel = [](Operation *op) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
      return linalgOp && linalgOp.hasPureBufferSemantics() &&
             !op->getParentOfType<LaunchOp>();
    };
    TargetAttr target = TargetAttr::lookup(getOperation());
    auto candidates = [&](Operation *op) {
      SmallVector<anvil::policy::FoldCandidate> folds;
      auto linalgOp = cast<linalg::LinalgOp>(op);
      anvil::Epilogue e =
          anvil::matchEpilogue(linalgOp, /*channelBiases=*/true);
      if (isa<linalg::Conv2DNchwFchwOp>(op) && onDPE(linalgOp, target) &&
          e.bias)
        folds.push_back({e.init, anvil::policy::FoldRole::Init});
      else if (onDPE(linalgOp, target))
        if (Operation *fill = zeroFillBefore(linalgOp))
          folds.push_back({fill, anvil::policy::FoldRole::Init});
      if (formsDPEKernel(linalgOp, target) && e.clamp)
        folds.push_back({e.clamp, anvil::policy::FoldRole::Epilogue});
      if (takesElementwiseEpilogue(linalgOp, target))
        if (linalg::GenericOp generic =
                anvil::matchElementwiseEpilogue(linalgOp))
          folds.push_back(
              {generic, anvil::policy::FoldRole::ElementwiseEpilogue});
      if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
        if (Operation *copy = paddingStagedBy(conv, e.init, target))
          folds.push_back({copy, anvil::policy::FoldRole::PaddedInput});
      return folds;
    };
    if (failed(anvil::policy::decideFusion(getOperation(), policy,
                                           {formsKernel, candidates})))
      signalPassFailure();
  }

  /// The copy that pads `conv`'s image, where its DPE kernel can write the
  /// padding as it stages the image (PatchGather.h), else null.
  Operation *paddingStagedBy(linalg::Conv2DNchwFchwOp conv, Operation *init,
                             TargetAttr target) {
    const auto &machine = getAnalysis<MachineDescription>();
    auto linalgOp = cast<linalg::LinalgOp>(conv.getOperation());
    if (!machine.get() || !formsDPEKernel(linalgOp, target))
      return nullptr;
    Value filter = conv.getInputs()[1];
    Type element = cast<MemRefType>(filter.getType()).getElementType();
    Type input =
        element.isF32() ? dpeInputType(&getContext(), dpeType) : element;
    std::optional<anvil::PaddedInput> padding =
        anvil::matchPaddedInput(conv, init);
    if (!input || !padding || !hasTapOrderedWeights(filter, input))
      return nullptr;
    std::optional<Patches> patches = gatherablePatches(
        conv, input, *machine.get(), implicitPatches, sramStaging);
    if (!patches || !padWhileStaging(*patches, *padding, input, *machine.get()))
      return nullptr;
    return padding->copy;
  }
};
} // namespace
