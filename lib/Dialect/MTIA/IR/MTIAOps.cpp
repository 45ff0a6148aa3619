//===- MTIAOps.cpp - Verifiers of the mtia dialect ------------------------===//
//
// Every check is against the module's #mtia.target: an operation the
// machine cannot run is rejected at compile time, never found at run time.
//
//===----------------------------------------------------------------------===//

#include "anvil/Dialect/MTIA/IR/MTIAOps.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <limits>

using namespace mlir;
using namespace anvil::mtia;

#define GET_OP_CLASSES
#include "anvil/Dialect/MTIA/IR/MTIAOps.cpp.inc"

namespace {

StringRef spaceName(MemorySpace space) { return stringifyMemorySpace(space); }

/// The target, or an error on `op` saying why it is needed.
FailureOr<TargetAttr> targetOf(Operation *op) {
  if (TargetAttr target = TargetAttr::lookup(op))
    return target;
  return op->emitOpError("needs the module's '")
         << TargetAttr::kAttrName
         << "' attribute to check its operands against the machine";
}

LogicalResult requireSpace(Operation *op, Value value, StringRef operand,
                           MemorySpace space) {
  MemorySpace actual = memorySpaceOf(cast<MemRefType>(value.getType()));
  if (actual == space)
    return success();
  return op->emitOpError("operand '")
         << operand << "' must be in " << spaceName(space) << " memory, not "
         << spaceName(actual);
}

LogicalResult requireLocal(Operation *op,
                           ArrayRef<std::pair<Value, StringRef>> operands) {
  for (auto [value, name] : operands)
    if (failed(requireSpace(op, value, name, MemorySpace::Local)))
      return failure();
  return success();
}

LogicalResult requireShared(Operation *op, Value value, StringRef operand) {
  if (memorySpaceOf(cast<MemRefType>(value.getType())) != MemorySpace::Local)
    return success();
  return op->emitOpError("operand '")
         << operand << "' must be in SRAM or DRAM, not local memory";
}

LogicalResult requireSameShape(Operation *op, Value a, Value b) {
  auto ta = cast<MemRefType>(a.getType()), tb = cast<MemRefType>(b.getType());
  if (ta.getShape() == tb.getShape())
    return success();
  return op->emitOpError("operands have different shapes: ")
         << ta << " and " << tb;
}

/// The SE and the RE take a run of consecutive elements whose length the
/// lowering reads off the type: each operand must be a static, contiguous
/// buffer.
LogicalResult requireWholeRuns(Operation *op,
                               ArrayRef<std::pair<Value, StringRef>> all) {
  for (auto [value, operand] : all) {
    auto type = cast<MemRefType>(value.getType());
    if (!memref::isStaticShapeAndContiguousRowMajor(type))
      return op->emitOpError(operand)
             << " must be a static, contiguous buffer (the engine takes a "
                "run of elements), not "
             << type;
  }
  return success();
}

/// DMA engines move rows of consecutive elements: the innermost stride of
/// each operand must be 1, and known to be.
LogicalResult requireContiguousRows(Operation *op,
                                    ArrayRef<std::pair<Value, StringRef>> all) {
  for (auto [value, operand] : all) {
    auto type = cast<MemRefType>(value.getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    if (type.getRank() == 0 ||
        (succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1))
      continue;
    return op->emitOpError("operand '")
           << operand << "' (" << type
           << ") must have an innermost stride of 1: the DMA moves rows of "
              "consecutive elements";
  }
  return success();
}

LogicalResult requireElementType(Operation *op, Value value, StringRef operand,
                                 Type want) {
  Type got = cast<MemRefType>(value.getType()).getElementType();
  if (got == want)
    return success();
  return op->emitOpError("operand '")
         << operand << "' has element type " << got << ", expected " << want;
}

/// Whether the SE converts `from` to `to`.
bool isConversion(Type from, Type to) {
  auto narrow = [](Type t) {
    return t.isF16() || t.isBF16() || t.isInteger(8);
  };
  return (from.isF32() && narrow(to)) ||
         (to.isF32() && (narrow(from) || from.isInteger(32)));
}

} // namespace

//===----------------------------------------------------------------------===//
// LaunchOp
//===----------------------------------------------------------------------===//

int64_t LaunchOp::bufferBytes(MemorySpace space) {
  int64_t bytes = 0;
  getBody().walk([&](Operation *op) {
    if (!isa<memref::AllocOp, memref::AllocaOp>(op))
      return;
    auto type = cast<MemRefType>(op->getResult(0).getType());
    if (memorySpaceOf(type) == space && type.hasStaticShape())
      bytes = llvm::checkedAdd(bytes, localBufferBytes(type))
                  .value_or(std::numeric_limits<int64_t>::max());
  });
  return bytes;
}

LogicalResult LaunchOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 || !body.getArgument(0).getType().isIndex())
    return emitOpError("body must take one index argument, the PE");
  FailureOr<TargetAttr> target = targetOf(*this);
  if (failed(target))
    return failure();
  if (getNumPes() < 1 || getNumPes() > target->getNumPes())
    return emitOpError("kernel '")
           << getKernel() << "' runs on " << getNumPes() << " PEs; "
           << target->getName() << " has " << target->getNumPes();
  WalkResult dynamic = getBody().walk([&](Operation *op) {
    if (!isa<memref::AllocOp, memref::AllocaOp>(op))
      return WalkResult::advance();
    auto type = cast<MemRefType>(op->getResult(0).getType());
    MemorySpace space = memorySpaceOf(type);
    if (space != MemorySpace::DRAM && !type.hasStaticShape()) {
      op->emitOpError(space == MemorySpace::Local ? "local-memory" : "SRAM")
          << " buffers of kernel '" << getKernel()
          << "' must have static shapes";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (dynamic.wasInterrupted())
    return failure();
  int64_t bytes = bufferBytes(MemorySpace::Local);
  if (bytes > target->getLocalBytes())
    return emitOpError("kernel '")
           << getKernel() << "' needs " << bytes
           << " bytes of local memory per PE; " << target->getName() << " has "
           << target->getLocalBytes();
  int64_t shared = bufferBytes(MemorySpace::SRAM);
  if (shared > target->getSramBytes())
    return emitOpError("kernel '")
           << getKernel() << "' needs " << shared << " bytes of SRAM; "
           << target->getName() << " has " << target->getSramBytes();
  return success();
}

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

LogicalResult DMAOp::verify() {
  auto src = cast<MemRefType>(getSrc().getType());
  auto dst = cast<MemRefType>(getDst().getType());
  if (src.getRank() > 2 || dst.getRank() > 2)
    return emitOpError("moves 1-D or 2-D views, not rank ")
           << std::max(src.getRank(), dst.getRank());
  if (failed(requireSameShape(*this, getSrc(), getDst())) ||
      failed(requireElementType(*this, getDst(), "dst", src.getElementType())) ||
      failed(requireContiguousRows(*this,
                                   {{getSrc(), "src"}, {getDst(), "dst"}})))
    return failure();
  MemorySpace from = memorySpaceOf(src), to = memorySpaceOf(dst);
  if ((from == MemorySpace::Local) != (to == MemorySpace::Local))
    return success();
  if (from == MemorySpace::DRAM && to == MemorySpace::SRAM) {
    FailureOr<TargetAttr> target = targetOf(*this);
    if (failed(target))
      return failure();
    if (target->getDramPrefetch())
      return success();
    return emitOpError("target '")
           << target->getName()
           << "' has no DRAM-to-SRAM prefetch (dma.dram_prefetch in its "
              "machine description): stage through local memory";
  }
  return emitOpError("one end must be the PE's local memory and the other "
                     "SRAM or DRAM, or DRAM to SRAM on a machine with "
                     "prefetch; got ")
         << spaceName(from) << " to " << spaceName(to);
}

LogicalResult DMABroadcastOp::verify() {
  FailureOr<TargetAttr> target = targetOf(*this);
  if (failed(target))
    return failure();
  if (!target->getBroadcast())
    return emitOpError("target '")
           << target->getName()
           << "' has no broadcast DMA (dma.broadcast in its machine "
              "description)";
  auto src = cast<MemRefType>(getSrc().getType());
  if (src.getRank() > 2)
    return emitOpError("moves 1-D or 2-D views, not rank ") << src.getRank();
  return failure(
      failed(requireShared(*this, getSrc(), "src")) ||
      failed(requireLocal(*this, {{getDst(), "dst"}})) ||
      failed(requireSameShape(*this, getSrc(), getDst())) ||
      failed(requireElementType(*this, getDst(), "dst", src.getElementType())) ||
      failed(requireContiguousRows(*this,
                                   {{getSrc(), "src"}, {getDst(), "dst"}})));
}

LogicalResult DMAGatherOp::verify() {
  FailureOr<TargetAttr> target = targetOf(*this);
  if (failed(target))
    return failure();
  if (!target->getGather())
    return emitOpError("target '")
           << target->getName()
           << "' has no indexed DMA (dma.gather in its machine description)";
  auto table = cast<MemRefType>(getTable().getType());
  auto indices = cast<MemRefType>(getIndices().getType());
  auto dst = cast<MemRefType>(getDst().getType());
  if (table.getRank() != 2 || indices.getRank() != 1 || dst.getRank() != 2)
    return emitOpError("takes a 2-D table, 1-D indices and a 2-D destination");
  if (!indices.getElementType().isInteger(32) &&
      !indices.getElementType().isInteger(64))
    return emitOpError("indices must be i32 or i64, not ")
           << indices.getElementType();
  if (dst.getDimSize(0) != indices.getDimSize(0) ||
      dst.getDimSize(1) != table.getDimSize(1))
    return emitOpError("destination must be ")
           << indices.getDimSize(0) << "x" << table.getDimSize(1)
           << " (one table row per index), not " << dst;
  return failure(failed(requireShared(*this, getTable(), "table")) ||
                 failed(requireContiguousRows(
                     *this, {{getTable(), "table"}, {getDst(), "dst"}})) ||
                 failed(requireLocal(
                     *this, {{getIndices(), "indices"}, {getDst(), "dst"}})) ||
                 failed(requireElementType(*this, getDst(), "dst",
                                           table.getElementType())));
}

//===----------------------------------------------------------------------===//
// Compute engines
//===----------------------------------------------------------------------===//

LogicalResult DPEMatmulOp::verify() {
  FailureOr<TargetAttr> target = targetOf(*this);
  if (failed(target) ||
      failed(
          requireLocal(*this, {{getA(), "a"}, {getB(), "b"}, {getC(), "c"}})))
    return failure();
  auto a = cast<MemRefType>(getA().getType());
  auto b = cast<MemRefType>(getB().getType());
  auto c = cast<MemRefType>(getC().getType());
  if (a.getRank() != 2 || b.getRank() != 2 || c.getRank() != 2)
    return emitOpError("operands must be 2-D");
  Type input = a.getElementType();
  if (failed(requireElementType(*this, getB(), "b", input)))
    return failure();
  if (!target->takesInput(input))
    return emitOpError("the DPE of ")
           << target->getName() << " does not take " << input;
  if (failed(requireElementType(*this, getC(), "c",
                                target->accumulatorFor(input))))
    return failure();
  int64_t m = a.getDimSize(0), k = a.getDimSize(1), n = b.getDimSize(1);
  if (b.getDimSize(0) != k || c.getDimSize(0) != m || c.getDimSize(1) != n)
    return emitOpError("shapes do not multiply: ")
           << a << " x " << b << " -> " << c;
  if (ShapedType::isDynamic(m) || ShapedType::isDynamic(k))
    return emitOpError("M and K must be static to be checked against the "
                       "native tile");
  if (m % target->getTileRows() != 0)
    return emitOpError("M = ")
           << m << " is not a multiple of the DPE's native tile rows ("
           << target->getTileRows() << "); pad the operand";
  int64_t kBytes = k * elementBytes(input);
  if (kBytes % target->getTileRowBytes() != 0)
    return emitOpError("K = ")
           << k << " (" << kBytes
           << " bytes) is not a multiple of the DPE's native tile row ("
           << target->getTileRowBytes() << " bytes); pad the operand";
  return success();
}

LogicalResult SEConvertOp::verify() {
  if (failed(requireLocal(*this, {{getSrc(), "src"}, {getDst(), "dst"}})) ||
      failed(requireWholeRuns(*this, {{getSrc(), "src"}, {getDst(), "dst"}})) ||
      failed(requireSameShape(*this, getSrc(), getDst())))
    return failure();
  Type from = cast<MemRefType>(getSrc().getType()).getElementType();
  Type to = cast<MemRefType>(getDst().getType()).getElementType();
  if (!isConversion(from, to))
    return emitOpError("the SE does not convert ") << from << " to " << to;
  return success();
}

LogicalResult SEBinaryOp::verify() {
  Type f32 = Float32Type::get(getContext());
  return failure(
      failed(requireLocal(
          *this, {{getLhs(), "lhs"}, {getRhs(), "rhs"}, {getDst(), "dst"}})) ||
      failed(requireWholeRuns(
          *this, {{getLhs(), "lhs"}, {getRhs(), "rhs"}, {getDst(), "dst"}})) ||
      failed(requireSameShape(*this, getLhs(), getRhs())) ||
      failed(requireSameShape(*this, getLhs(), getDst())) ||
      failed(requireElementType(*this, getLhs(), "lhs", f32)) ||
      failed(requireElementType(*this, getRhs(), "rhs", f32)) ||
      failed(requireElementType(*this, getDst(), "dst", f32)));
}

LogicalResult SELookupOp::verify() {
  Type f32 = Float32Type::get(getContext());
  return failure(
      failed(requireLocal(*this, {{getSrc(), "src"}, {getDst(), "dst"}})) ||
      failed(requireWholeRuns(*this, {{getSrc(), "src"}, {getDst(), "dst"}})) ||
      failed(requireSameShape(*this, getSrc(), getDst())) ||
      failed(requireElementType(*this, getSrc(), "src", f32)) ||
      failed(requireElementType(*this, getDst(), "dst", f32)));
}

static LogicalResult verifyReduction(Operation *op, Value src, Value dst) {
  Type type = cast<MemRefType>(src.getType()).getElementType();
  if (!type.isF32() && !type.isInteger(32))
    return op->emitOpError("accumulates f32 or i32, not ") << type;
  return failure(failed(requireLocal(op, {{src, "src"}, {dst, "dst"}})) ||
                 failed(requireWholeRuns(op, {{src, "src"}, {dst, "dst"}})) ||
                 failed(requireSameShape(op, src, dst)) ||
                 failed(requireElementType(op, dst, "dst", type)));
}

LogicalResult REAccumulateOp::verify() {
  return verifyReduction(*this, getSrc(), getDst());
}

LogicalResult REForwardOp::verify() {
  return verifyReduction(*this, getSrc(), getDst());
}
