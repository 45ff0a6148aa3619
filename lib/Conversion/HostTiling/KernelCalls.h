//===- KernelCalls.h - Calls of the host kernels, cut into blocks -*- C++
//-*-===//
//
// What the lowerings onto the host's runtime kernels (GemmKernels.cpp,
// WinogradConv.cpp) share: the emitter of kernel calls in blocks that the
// cores' threads take, and the tiling policy's answers for them.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_LIB_CONVERSION_HOSTTILING_KERNELCALLS_H
#define ANVIL_LIB_CONVERSION_HOSTTILING_KERNELCALLS_H

#include "anvil/Conversion/Folds.h"
#include "anvil/Policy/Tiling.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace anvil::host_kernels {

using namespace mlir;
using anvil::Epilogue;
using anvil::PaddedInput;
using anvil::policy::CacheBlocks;
using anvil::policy::convAlgorithmName;
using anvil::policy::ThreadBlocks;

inline constexpr llvm::StringLiteral kGemmSymbol = "anvil_sgemm_blocked";
inline constexpr llvm::StringLiteral kDepthwiseSymbol = "anvil_sdwconv2d";
/// The tiling decision on a kernel op (replayed) and on its calls
/// (recorded): a product's [rows, cols] per block, a depthwise
/// convolution's [channels].
inline constexpr llvm::StringLiteral kThreadBlocksAttr = "anvil.thread_blocks";
/// The same for a product's cache blocks in each call: [mc, kc, nc], 0
/// leaving a size to the kernel.
inline constexpr llvm::StringLiteral kCacheBlocksAttr = "anvil.cache_blocks";
inline constexpr int64_t kF32Bytes = sizeof(float);
/// The convolution algorithm chosen for a conv (replayed when written on
/// the linalg op) and recorded on the calls of the algorithms other than
/// im2col.
inline constexpr llvm::StringLiteral kConvAlgorithmAttr =
    "anvil.conv_algorithm";

/// Declares the runtime kernel `symbol` in `module` once.
inline void declareKernel(ModuleOp module, StringRef symbol,
                          ArrayRef<Type> arguments) {
  if (module.lookupSymbol(symbol))
    return;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto decl = func::FuncOp::create(b, module.getLoc(), symbol,
                                   b.getFunctionType(arguments, {}));
  decl.setPrivate();
}

/// A row-major 2-D view of buffer memory: a byte address and the distance
/// between rows, in elements.
struct Matrix {
  Value address; // index
  Value ld;      // index
};

/// `count` products whose operands lie `a`, `b` and `c` elements apart.
struct GemmBatch {
  int64_t count = 1;
  int64_t a = 0, b = 0, c = 0;
};

class GemmEmitter {
public:
  GemmEmitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// The address of element `offset` (elements) of `memref`'s storage.
  Value addressOf(Value memref, Value offset) {
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
    Value elements = arith::AddIOp::create(b, loc, meta.getOffset(), offset);
    return arith::AddIOp::create(
        b, loc, base, arith::MulIOp::create(b, loc, elements, c(kF32Bytes)));
  }

  Value ptr(Value address) {
    Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
  }
  Value i64(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }

  /// The epilogue's call operands, made once before the loops: whether to
  /// accumulate, the bias's address (or none) and the clamp's bounds.
  struct Operands {
    Value accumulate, bias, lo, hi;
  };
  Operands operands(const Epilogue &e) {
    auto f32 = [&](double v) {
      return arith::ConstantOp::create(b, loc,
                                       b.getF32FloatAttr(static_cast<float>(v)))
          .getResult();
    };
    return {arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(!e.init)),
            e.bias ? addressOf(e.bias, c(0)) : Value(), f32(e.lo), f32(e.hi)};
  }

  /// The bias from row `first` on, or a null pointer.
  Value biasFrom(const Operands &e, Value first) {
    if (!e.bias)
      return LLVM::ZeroOp::create(b, loc,
                                  LLVM::LLVMPointerType::get(b.getContext()));
    return ptr(arith::AddIOp::create(
        b, loc, e.bias, arith::MulIOp::create(b, loc, first, c(kF32Bytes))));
  }

  /// C[rows, cols] = epilogue(C + A[rows, depth] B[depth, cols]), in
  /// `blocks` that threads share, each call in `cache` blocks; for each of
  /// `batch`'s products, all in one parallel loop.
  void gemm(int64_t rows, int64_t cols, int64_t depth, Matrix a, Matrix bm,
            Matrix cm, const Operands &epilogue, ThreadBlocks blocks,
            CacheBlocks cache, const GemmBatch &batch = {}) {
    int64_t rowBlock = std::max<int64_t>(blocks.rows, 1),
            colBlock = std::max<int64_t>(blocks.cols, 1);
    int64_t rowBlocks = ceilDiv(rows, rowBlock),
            colBlocks = ceilDiv(cols, colBlock);
    auto body = [&](Value p, Value i, Value j) {
      Value r0 = arith::MulIOp::create(b, loc, i, c(rowBlock));
      Value c0 = arith::MulIOp::create(b, loc, j, c(colBlock));
      Value m = arith::MinSIOp::create(
          b, loc, c(rowBlock), arith::SubIOp::create(b, loc, c(rows), r0));
      Value n = arith::MinSIOp::create(
          b, loc, c(colBlock), arith::SubIOp::create(b, loc, c(cols), c0));
      auto at = [&](Matrix x, Value row, Value col, int64_t batchStride) {
        Value elements = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, row, x.ld), col);
        if (batch.count > 1)
          elements = arith::AddIOp::create(
              b, loc, elements,
              arith::MulIOp::create(b, loc, p, c(batchStride)));
        return ptr(arith::AddIOp::create(
            b, loc, x.address, arith::MulIOp::create(b, loc, elements, c(4))));
      };
      SmallVector<Value> args = {i64(m), i64(n), i64(c(depth))};
      args.append({at(a, r0, c(0), batch.a), i64(a.ld)});
      args.append({at(bm, c(0), c0, batch.b), i64(bm.ld)});
      args.append({at(cm, r0, c0, batch.c), i64(cm.ld)});
      args.append({epilogue.accumulate, biasFrom(epilogue, r0), epilogue.lo,
                   epilogue.hi});
      for (int64_t size : {cache.mc, cache.kc, cache.nc})
        args.push_back(
            arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(size)));
      auto call = func::CallOp::create(b, loc, kGemmSymbol, TypeRange{}, args);
      call->setAttr(kThreadBlocksAttr,
                    b.getDenseI64ArrayAttr({rowBlock, colBlock}));
      call->setAttr(kCacheBlocksAttr,
                    b.getDenseI64ArrayAttr({cache.mc, cache.kc, cache.nc}));
    };
    forBlocks(batch.count, rowBlocks, colBlocks, body);
  }

  /// Depthwise convolution of one image's `channels` planes in blocks of
  /// `blockChannels` that threads share. `in`, `w` and `out` address
  /// channel 0; `geometry` is anvil_sdwconv2d's (ih, iw, pad_top, pad_left,
  /// pad_bottom, pad_right, kh, kw, sh, sw, dh, dw, oh, ow).
  void depthwise(int64_t channels, Value in, Value w, Value out,
                 ArrayRef<int64_t> geometry, const Operands &epilogue,
                 int64_t blockChannels) {
    blockChannels = std::max<int64_t>(blockChannels, 1);
    int64_t blocks = ceilDiv(channels, blockChannels);
    auto area = [](ArrayRef<int64_t> sides) { return sides[0] * sides[1]; };
    int64_t inPlane = area(geometry.take_front(2)),
            weights = area(geometry.slice(6, 2)),
            outPlane = area(geometry.take_back(2));
    auto body = [&](Value i, Value) {
      Value first = arith::MulIOp::create(b, loc, i, c(blockChannels));
      Value count = arith::MinSIOp::create(
          b, loc, c(blockChannels),
          arith::SubIOp::create(b, loc, c(channels), first));
      auto at = [&](Value address, int64_t plane) {
        Value bytes =
            arith::MulIOp::create(b, loc, first, c(plane * kF32Bytes));
        return ptr(arith::AddIOp::create(b, loc, address, bytes));
      };
      auto constants = [&](ArrayRef<int64_t> values) {
        return llvm::map_to_vector(values, [&](int64_t v) {
          return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v))
              .getResult();
        });
      };
      SmallVector<Value> args = {i64(count), at(in, inPlane)};
      llvm::append_range(args, constants(geometry.take_front(6)));
      args.push_back(at(w, weights));
      llvm::append_range(args, constants(geometry.slice(6, 6)));
      args.push_back(at(out, outPlane));
      llvm::append_range(args, constants(geometry.take_back(2)));
      args.append({epilogue.accumulate, biasFrom(epilogue, first), epilogue.lo,
                   epilogue.hi});
      auto call =
          func::CallOp::create(b, loc, kDepthwiseSymbol, TypeRange{}, args);
      call->setAttr(kThreadBlocksAttr, b.getDenseI64ArrayAttr({blockChannels}));
    };
    forBlocks(blocks, 1, body);
  }

  OpBuilder &b;
  Location loc;

  /// Calls `body(i, j)` for every block of a rows x cols grid, in an
  /// scf.parallel when there is more than one.
  void forBlocks(int64_t rows, int64_t cols,
                 llvm::function_ref<void(Value, Value)> body) {
    forBlocks(1, rows, cols, [&](Value, Value i, Value j) { body(i, j); });
  }
  /// The same over `batches` grids, one scf.parallel over all of them.
  void forBlocks(int64_t batches, int64_t rows, int64_t cols,
                 llvm::function_ref<void(Value, Value, Value)> body) {
    if (batches * rows * cols == 1) {
      body(c(0), c(0), c(0));
      return;
    }
    SmallVector<Value> lower(2, c(0)), upper = {c(rows), c(cols)},
                                       steps(2, c(1));
    if (batches > 1) {
      lower.push_back(c(0));
      upper.insert(upper.begin(), c(batches));
      steps.push_back(c(1));
    }
    scf::ParallelOp::create(b, loc, lower, upper, steps,
                            [&](OpBuilder &nested, Location, ValueRange ivs) {
                              OpBuilder::InsertionGuard guard(b);
                              b.setInsertionPointToStart(
                                  nested.getInsertionBlock());
                              if (batches > 1)
                                body(ivs[0], ivs[1], ivs[2]);
                              else
                                body(c(0), ivs[0], ivs[1]);
                            });
  }

  static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
};

inline ArrayRef<int64_t> shapeOf(Value memref) {
  return cast<MemRefType>(memref.getType()).getShape();
}

/// The tiling policy and the machine that the calls are cut for.
struct Blocking {
  const anvil::policy::TilingPolicy &policy;
  anvil::target::HostDesc host;

  /// The thread blocks of `op`'s product with a rows x cols output summed
  /// over `depth`, and the cache blocks of each call: the decisions written
  /// on `op` (checked by checkPinned), or the policy's.
  std::pair<ThreadBlocks, CacheBlocks> gemm(Operation *op, int64_t rows,
                                            int64_t cols, int64_t depth) const {
    ThreadBlocks threads = policy.gemmBlocks(host, rows, cols);
    // A product whose operands take fewer bytes than the policy shares is
    // one block, on the calling thread.
    if ((rows * depth + depth * cols + rows * cols) * kF32Bytes <
        policy.minParallelBytes(host))
      threads = {rows, cols};
    if (auto pinned = op->getAttrOfType<DenseI64ArrayAttr>(kThreadBlocksAttr))
      threads = {pinned[0], pinned[1]};
    if (auto pinned = op->getAttrOfType<DenseI64ArrayAttr>(kCacheBlocksAttr))
      return {threads, {pinned[0], pinned[1], pinned[2]}};
    return {threads,
            policy.gemmCacheBlocks(host, std::min(threads.rows, rows),
                                   std::min(threads.cols, cols), depth)};
  }
  /// Channels per thread block of the depthwise convolution `op`.
  int64_t depthwise(Operation *op, int64_t channels) const {
    if (auto pinned = op->getAttrOfType<DenseI64ArrayAttr>(kThreadBlocksAttr))
      return pinned[0];
    // A convolution whose buffers take fewer bytes than the policy shares
    // is one block, on the calling thread.
    int64_t bytes = 0;
    for (Value operand : op->getOperands())
      if (auto type = dyn_cast<MemRefType>(operand.getType()))
        bytes += type.hasStaticShape()
                     ? type.getNumElements() * kF32Bytes
                     : std::numeric_limits<int64_t>::max() / 2;
    if (bytes < policy.minParallelBytes(host))
      return channels;
    return policy.depthwiseBlockChannels(host, channels);
  }
  /// How the convolution `op` is computed: the decision written on it
  /// (checked by checkPinned), or the policy's.
  policy::ConvAlgorithm convAlgorithm(linalg::Conv2DNchwFchwOp op) const;
  /// Alignment of the buffers the calls use: a line of the innermost data
  /// cache, or a vector where the description names no cache.
  int64_t alignment() const {
    const anvil::target::CacheDesc *l1 = host.cache(1);
    return l1 && l1->lineBytes > 0 ? l1->lineBytes
                                   : host.vectorLanes * kF32Bytes;
  }
};

} // namespace anvil::host_kernels

#endif // ANVIL_LIB_CONVERSION_HOSTTILING_KERNELCALLS_H
