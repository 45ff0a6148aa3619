//===- WinogradConv.cpp - 3x3 convolutions by Winograd's F(4x4, 3x3) ------===//
//
// A convolution the tiling policy gives Winograd's algorithm becomes, per
// image, the input transform (anvil_swinograd_input) in blocks of channels,
// 36 products on the GEMM kernel in one parallel loop, and the output
// transform with the convolution's bias and clamp (anvil_swinograd_output)
// in blocks of filters. The filters are transformed here, once, into a new
// constant global: an artifact never transforms its weights at run time.
//
//===----------------------------------------------------------------------===//

#include "WinogradConv.h"

#include "anvil/Conversion/Constants.h"
#include "anvil/Policy/Fusion.h"

#include "anvil-c/Kernels.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace anvil::host_kernels;
using anvil::policy::ConvAlgorithm;
using anvil::policy::ConvProblem;

static constexpr llvm::StringLiteral kInputSymbol = "anvil_swinograd_input";
static constexpr llvm::StringLiteral kOutputSymbol = "anvil_swinograd_output";
static constexpr int64_t kTile = ANVIL_WINOGRAD_TILE;
static constexpr int64_t kPoints = ANVIL_WINOGRAD_POINTS;

namespace {

/// The constant global behind a filter buffer (a get_global, reshaped or
/// not) and its elements; none where the filters are computed.
struct ConstantFilters {
  memref::GlobalOp global;
  ElementsAttr elements;
};

std::optional<ConstantFilters> constantFilters(Value filter) {
  Value source = filter;
  while (auto expand = source.getDefiningOp<memref::ExpandShapeOp>())
    source = expand.getSrc();
  auto get = source.getDefiningOp<memref::GetGlobalOp>();
  if (!get)
    return std::nullopt;
  auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
      get, get.getNameAttr());
  if (!global || !global.getConstant())
    return std::nullopt;
  auto elements = dyn_cast_or_null<ElementsAttr>(global.getInitialValueAttr());
  if (!elements || !elements.getElementType().isF32())
    return std::nullopt;
  return ConstantFilters{global, elements};
}

int64_t tilesAlong(int64_t extent) { return (extent + kTile - 1) / kTile; }

/// The strides of a buffer with a static layout (none otherwise).
SmallVector<int64_t> stridesOf(Value buffer) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(cast<MemRefType>(buffer.getType())
                 .getStridesAndOffset(strides, offset)))
    strides.clear();
  return strides;
}

/// The global of the transformed filters of `filters`, made on first use:
/// U[p][f][c] for the 36 points p, flat, as the module's other globals are
/// by the time the host kernels are called.
FailureOr<memref::GlobalOp> transformedGlobal(const ConstantFilters &filters,
                                              int64_t count, int64_t channels,
                                              int64_t alignment) {
  memref::GlobalOp source = filters.global;
  std::string name = (source.getSymName() + "_winograd").str();
  auto module = source->getParentOfType<ModuleOp>();
  if (auto existing = module.lookupSymbol<memref::GlobalOp>(name))
    return existing;
  int64_t elements = kPoints * count * channels;
  ElementsAttr transformed = anvil::transformedF32Elements(
      filters.elements, {elements},
      [&](ArrayRef<float> g, MutableArrayRef<float> u) {
        anvil_swinograd_filter(count, channels, g.data(), u.data());
      },
      "winograd");
  if (!transformed)
    return failure();
  OpBuilder b(source);
  auto type = MemRefType::get({elements}, b.getF32Type());
  auto global = memref::GlobalOp::create(
      b, source.getLoc(), name, b.getStringAttr("private"), type, transformed,
      /*constant=*/true, b.getI64IntegerAttr(alignment));
  SymbolTable(module).insert(global);
  return global;
}

/// Planes of `count` per thread block of a transform: the policy's channel
/// blocks, one block where the buffers are smaller than it shares.
int64_t planesPerBlock(const Blocking &blocking, int64_t count, int64_t bytes) {
  if (bytes < blocking.policy.minParallelBytes(blocking.host))
    return count;
  return std::max<int64_t>(
      blocking.policy.depthwiseBlockChannels(blocking.host, count), 1);
}

/// The calls of one Winograd convolution, emitted at the builder's point:
/// per image, the input transform and the output transform in blocks of
/// planes that threads share, and the 36 products between them.
class WinogradEmitter {
public:
  /// One image's sizes; the input's padding is what its transform adds.
  struct Geometry {
    int64_t channels, filters, ih, iw, oh, ow, tilesH, tilesW;
    int64_t padTop, padLeft;
    int64_t tiles() const { return tilesH * tilesW; }
  };

  WinogradEmitter(OpBuilder &b, Location loc, const Blocking &blocking,
                  const Geometry &g)
      : b(b), loc(loc), e(b, loc), blocking(blocking), g(g),
        decision(b.getNamedAttr(
            kConvAlgorithmAttr,
            b.getStringAttr(convAlgorithmName(ConvAlgorithm::Winograd)))) {}

  GemmEmitter &emitter() { return e; }

  /// V of the image at `image` into `v` (addresses).
  void inputTransform(Value image, Value v) {
    int64_t plane = g.ih * g.iw, tiles = g.tiles();
    int64_t bytes = (plane + kPoints * tiles) * g.channels * kF32Bytes;
    planeBlocks(
        g.channels, bytes,
        [&](Value first, Value size) -> SmallVector<Value> {
          return {size,
                  offset(image, first, plane),
                  i64(g.ih),
                  i64(g.iw),
                  i64(g.padTop),
                  i64(g.padLeft),
                  i64(g.tilesH),
                  i64(g.tilesW),
                  offset(v, first, tiles),
                  i64(g.channels * tiles)};
        },
        kInputSymbol);
  }

  /// M[p] = U[p] V[p] for the 36 points, overwriting M, in the blocks the
  /// tiling policy gives a filters x tiles product of `op`.
  void products(linalg::Conv2DNchwFchwOp op, Value u, Value v, Value m) {
    float infinity = std::numeric_limits<float>::infinity();
    GemmEmitter::Operands overwrite{
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)), Value(),
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(-infinity)),
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(infinity))};
    int64_t tiles = g.tiles();
    auto [threads, cache] = blocking.gemm(op, g.filters, tiles, g.channels);
    e.gemm(g.filters, tiles, g.channels, Matrix{u, e.c(g.channels)},
           Matrix{v, e.c(tiles)}, Matrix{m, e.c(tiles)}, overwrite, threads,
           cache,
           GemmBatch{kPoints, g.filters * g.channels, g.channels * tiles,
                     g.filters * tiles});
  }

  /// Y from `m` into the image at `image`, finished by `finish`.
  void outputTransform(Value m, Value image,
                       const GemmEmitter::Operands &finish) {
    int64_t plane = g.oh * g.ow, tiles = g.tiles();
    int64_t bytes = (plane + kPoints * tiles) * g.filters * kF32Bytes;
    planeBlocks(
        g.filters, bytes,
        [&](Value first, Value size) -> SmallVector<Value> {
          return {size,
                  offset(m, first, tiles),
                  i64(g.filters * tiles),
                  i64(g.tilesH),
                  i64(g.tilesW),
                  offset(image, first, plane),
                  i64(g.oh),
                  i64(g.ow),
                  finish.accumulate,
                  e.biasFrom(finish, first),
                  finish.lo,
                  finish.hi};
        },
        kOutputSymbol);
  }

  /// The transforms' declarations (anvil-c/Kernels.h), once per module.
  static void declareKernels(ModuleOp module) {
    OpBuilder b(module.getContext());
    Type i64 = b.getI64Type(), f32 = b.getF32Type(),
         ptr = LLVM::LLVMPointerType::get(b.getContext());
    SmallVector<Type> input = {i64, ptr};
    input.append(6, i64);
    input.append({ptr, i64});
    declareKernel(module, kInputSymbol, input);
    declareKernel(module, kOutputSymbol,
                  {i64, ptr, i64, i64, i64, ptr, i64, i64, b.getI32Type(), ptr,
                   f32, f32});
  }

private:
  Value i64(int64_t value) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(value));
  }
  /// `address` plus `first` times `elements` f32 elements, as a pointer.
  Value offset(Value address, Value first, int64_t elements) {
    return e.ptr(arith::AddIOp::create(
        b, loc, address,
        arith::MulIOp::create(b, loc, first, e.c(elements * kF32Bytes))));
  }
  /// Calls of `symbol` on blocks of `planes` planes (buffers of `bytes`),
  /// each given (first plane, plane count) to make its arguments.
  void
  planeBlocks(int64_t planes, int64_t bytes,
              llvm::function_ref<SmallVector<Value>(Value, Value)> arguments,
              StringRef symbol) {
    int64_t perBlock = planesPerBlock(blocking, planes, bytes);
    int64_t blocks = (planes + perBlock - 1) / perBlock;
    e.forBlocks(blocks, 1, [&](Value i, Value) {
      Value first = arith::MulIOp::create(b, loc, i, e.c(perBlock));
      Value size = arith::MinSIOp::create(
          b, loc, e.c(perBlock),
          arith::SubIOp::create(b, loc, e.c(planes), first));
      auto call = func::CallOp::create(b, loc, symbol, TypeRange{},
                                       arguments(first, e.i64(size)));
      call->setAttr(decision.getName(), decision.getValue());
      call->setAttr(kThreadBlocksAttr, b.getDenseI64ArrayAttr({perBlock}));
    });
  }

  OpBuilder &b;
  Location loc;
  GemmEmitter e;
  const Blocking &blocking;
  Geometry g;
  NamedAttribute decision;
};

/// The image stride of a buffer with a static layout (none otherwise).
std::optional<int64_t> imageStride(Value buffer) {
  SmallVector<int64_t> strides = stridesOf(buffer);
  if (strides.empty())
    return std::nullopt;
  return strides[0];
}

} // namespace

std::optional<ConvProblem>
anvil::host_kernels::convProblemOf(linalg::Conv2DNchwFchwOp op) {
  auto in = shapeOf(op.getInputs()[0]), w = shapeOf(op.getInputs()[1]),
       out = shapeOf(op.getOutputs()[0]);
  SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
  ConvProblem problem;
  problem.channels = in[1];
  problem.filters = w[0];
  problem.outH = out[2];
  problem.outW = out[3];
  problem.kh = w[2];
  problem.kw = w[3];
  problem.strideH = strides[0];
  problem.strideW = strides[1];
  problem.dilationH = dilations[0];
  problem.dilationW = dilations[1];
  // The transforms read whole planes: the input's must be contiguous.
  SmallVector<int64_t> inStrides;
  int64_t offset;
  auto inType = cast<MemRefType>(op.getInputs()[0].getType());
  problem.constantFilters =
      constantFilters(op.getInputs()[1]).has_value() &&
      succeeded(inType.getStridesAndOffset(inStrides, offset)) &&
      anvil::rowMajorFrom(inStrides, in, 1);
  return problem;
}

ConvAlgorithm Blocking::convAlgorithm(linalg::Conv2DNchwFchwOp op) const {
  if (auto pinned = op->getAttrOfType<StringAttr>(kConvAlgorithmAttr))
    if (auto parsed = policy::parseConvAlgorithm(pinned.getValue()))
      return *parsed;
  std::optional<ConvProblem> problem = convProblemOf(op);
  if (!problem)
    return ConvAlgorithm::Im2col;
  ConvAlgorithm chosen = policy.convAlgorithm(host, *problem);
  return policy::convAlgorithmApplies(chosen, *problem) ? chosen
                                                        : ConvAlgorithm::Im2col;
}

FailureOr<anvil::PaddedInput>
anvil::host_kernels::lowerWinogradConv(linalg::Conv2DNchwFchwOp op,
                                       const Blocking &blocking,
                                       const Epilogue &epilogue) {
  Value input = op.getInputs()[0], filter = op.getInputs()[1],
        output = op.getOutputs()[0];
  // A zero-padded copy made for this convolution alone: the input
  // transform reads its source and pads as it goes.
  PaddedInput padding;
  std::optional<PaddedInput> found = anvil::matchPaddedInput(op, epilogue.init);
  if (found &&
      policy::isFoldedInto(found->copy, op, policy::FoldRole::PaddedInput)) {
    padding = std::move(*found);
    input = padding.source;
  }
  auto in = shapeOf(input), w = shapeOf(filter), out = shapeOf(output);
  std::optional<ConstantFilters> filters = constantFilters(filter);
  if (!filters)
    return op.emitError("Winograd's algorithm needs constant filters");
  if (!anvil::rowMajorFrom(stridesOf(input), in, 1))
    return op.emitError("Winograd's input transform reads contiguous planes");
  std::optional<int64_t> inStride = imageStride(input),
                         outStride = imageStride(output);
  if (!inStride || !outStride)
    return op.emitError("the convolution's buffers have no static strides");
  FailureOr<memref::GlobalOp> u =
      transformedGlobal(*filters, w[0], in[1], blocking.alignment());
  if (failed(u))
    return op.emitError("the filters' elements are not at hand to transform");
  WinogradEmitter::Geometry g{in[1],
                              w[0],
                              in[2],
                              in[3],
                              out[2],
                              out[3],
                              tilesAlong(out[2]),
                              tilesAlong(out[3]),
                              padding.top,
                              padding.left};

  Location loc = op.getLoc();
  OpBuilder b(op);
  WinogradEmitter winograd(b, loc, blocking, g);
  GemmEmitter &e = winograd.emitter();
  GemmEmitter::Operands finish = e.operands(epilogue);
  auto buffer = [&](int64_t planes) {
    return memref::AllocOp::create(
        b, loc, MemRefType::get({kPoints * planes * g.tiles()}, b.getF32Type()),
        b.getI64IntegerAttr(blocking.alignment()));
  };
  Value v = buffer(g.channels), m = buffer(g.filters);
  Value uAddress = e.addressOf(
      memref::GetGlobalOp::create(b, loc, u->getType(), u->getSymName()),
      e.c(0));
  Value vAddress = e.addressOf(v, e.c(0)), mAddress = e.addressOf(m, e.c(0));
  auto loop = scf::ForOp::create(b, loc, e.c(0), e.c(in[0]), e.c(1));
  b.setInsertionPointToStart(loop.getBody());
  Value image = loop.getInductionVar();
  auto imageAddress = [&](Value buffer, int64_t stride) {
    return e.addressOf(buffer,
                       arith::MulIOp::create(b, loc, image, e.c(stride)));
  };
  winograd.inputTransform(imageAddress(input, *inStride), vAddress);
  winograd.products(op, uAddress, vAddress, mAddress);
  winograd.outputTransform(mAddress, imageAddress(output, *outStride), finish);
  b.setInsertionPointAfter(loop);
  memref::DeallocOp::create(b, loc, v);
  memref::DeallocOp::create(b, loc, m);
  WinogradEmitter::declareKernels(op->getParentOfType<ModuleOp>());
  return padding;
}
