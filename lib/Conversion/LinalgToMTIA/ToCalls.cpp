//===- ToCalls.cpp - mtia kernels to calls of the PE operations -----------===//
//
// Each mtia op becomes a call of its function in anvil-c/MTIA.h, with
// buffers passed as byte addresses and strides. Each launch's PE program
// becomes a function of its own, indexed by PE, and the launch a call that
// runs it as a job (anvil-mtia-job-entries finishes that call on the LLVM
// dialect). Local-memory buffers get static offsets in the PE's local
// memory, and SRAM buffers in the SRAM scratchpad; the graph function takes
// both as its last two arguments.
//
//===----------------------------------------------------------------------===//

#include "CallEmitter.h"
#include "Schedule.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"
#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Policy/Fusion.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/TypeSwitch.h"

namespace anvil {
#define GEN_PASS_DEF_MTIATOCALLS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::mtia;

namespace {

/// Type codes of anvil-c/MTIA.h (ANVIL_MTIA_I8 ... ANVIL_MTIA_F32), which
/// number the machine description's types in order.
int32_t typeCode(Type type) { return static_cast<int32_t>(dtypeOf(type)); }

int32_t elementCode(Value memref) {
  return typeCode(cast<MemRefType>(memref.getType()).getElementType());
}

int32_t levelOf(Value memref) {
  return static_cast<int32_t>(
      memorySpaceOf(cast<MemRefType>(memref.getType())));
}

/// Lowers `op`; `shared` holds the launches that share their job with
/// other kernels, whose barriers hold their own PEs only.
LogicalResult lowerOp(ModuleOp module, Operation *op,
                      const DenseSet<Operation *> &shared) {
  OpBuilder b(op);
  CallEmitter e(module, b, op->getLoc());
  Value token;
  LogicalResult result =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case([&](DMAOp dma) {
            auto src = e.layout(dma.getSrc()), dst = e.layout(dma.getDst());
            token = e.call("anvil_mtia_dma",
                           {dst.address, e.i32(levelOf(dma.getDst())),
                            dst.rowStride, src.address,
                            e.i32(levelOf(dma.getSrc())), src.rowStride,
                            src.rows, src.rowBytes},
                           true);
            return success();
          })
          .Case([&](DPEMatmulOp dpe) {
            auto aType = cast<MemRefType>(dpe.getA().getType());
            auto bType = cast<MemRefType>(dpe.getB().getType());
            auto a = e.layout(dpe.getA()), bl = e.layout(dpe.getB()),
                 c = e.layout(dpe.getC());
            token = e.call(
                "anvil_mtia_dpe_matmul",
                {c.address, c.leadingDimension, a.address, a.leadingDimension,
                 bl.address, bl.leadingDimension, e.i64(aType.getDimSize(0)),
                 e.i64(aType.getDimSize(1)), e.i64(bType.getDimSize(1)),
                 e.i32(typeCode(aType.getElementType())),
                 e.i32(dpe.getAccumulate() ? 1 : 0)},
                true);
            return success();
          })
          .Case([&](SEConvertOp convert) {
            auto type = [](Value v) {
              return typeCode(cast<MemRefType>(v.getType()).getElementType());
            };
            token = e.call("anvil_mtia_se_convert",
                           {e.layout(convert.getDst()).address,
                            e.i32(type(convert.getDst())),
                            e.layout(convert.getSrc()).address,
                            e.i32(type(convert.getSrc())),
                            e.elements(convert.getSrc())},
                           true);
            return success();
          })
          .Case([&](SEBinaryOp binary) {
            token = e.call("anvil_mtia_se_binary",
                           {e.layout(binary.getDst()).address,
                            e.layout(binary.getLhs()).address,
                            e.layout(binary.getRhs()).address,
                            e.elements(binary.getLhs()),
                            e.i32(static_cast<int32_t>(binary.getKind()))},
                           true);
            return success();
          })
          .Case([&](DMABroadcastOp dma) {
            auto src = e.layout(dma.getSrc()), dst = e.layout(dma.getDst());
            token = e.call("anvil_mtia_dma_broadcast",
                           {dst.address, dst.rowStride, src.address,
                            e.i32(levelOf(dma.getSrc())), src.rowStride,
                            src.rows, src.rowBytes,
                            e.i32(static_cast<int32_t>(dma.getAxis()))},
                           true);
            return success();
          })
          .Case([&](DMAGatherOp gather) {
            auto table = e.layout(gather.getTable()),
                 dst = e.layout(gather.getDst());
            auto indices = cast<MemRefType>(gather.getIndices().getType());
            token = e.call("anvil_mtia_dma_gather",
                           {dst.address, dst.rowStride, table.address,
                            e.i32(levelOf(gather.getTable())), table.rowStride,
                            table.rows, table.rowBytes,
                            e.layout(gather.getIndices()).address,
                            e.i32(elementBytes(indices.getElementType())),
                            e.i64(indices.getDimSize(0))},
                           true);
            return success();
          })
          .Case([&](SELookupOp lut) {
            token = e.call("anvil_mtia_se_lut",
                           {e.layout(lut.getDst()).address,
                            e.layout(lut.getSrc()).address,
                            e.elements(lut.getSrc()),
                            e.i32(static_cast<int32_t>(lut.getFunction()))},
                           true);
            return success();
          })
          .Case([&](REAccumulateOp re) {
            token = e.call(
                "anvil_mtia_re_accumulate",
                {e.layout(re.getDst()).address, e.layout(re.getSrc()).address,
                 e.elements(re.getSrc()), e.i32(elementCode(re.getSrc()))},
                true);
            return success();
          })
          .Case([&](REForwardOp re) {
            token = e.call(
                "anvil_mtia_re_forward",
                {e.layout(re.getDst()).address, e.layout(re.getSrc()).address,
                 e.elements(re.getSrc()), e.i32(elementCode(re.getSrc())),
                 e.i32(static_cast<int32_t>(re.getDirection()))},
                true);
            return success();
          })
          .Case([&](BarrierOp) {
            auto launch = op->getParentOfType<LaunchOp>();
            if (!launch || !shared.contains(launch)) {
              e.call("anvil_mtia_barrier", {}, false);
              return success();
            }
            auto [first, count] = pesOf(launch);
            e.call("anvil_mtia_barrier_pes", {e.i64(first), e.i64(count)},
                   false);
            return success();
          })
          .Case([&](SemaphoreSignalOp signal) {
            e.call("anvil_mtia_sem_signal",
                   {e.toI64(signal.getPe()), e.i32(signal.getSem())}, false);
            return success();
          })
          .Case([&](SemaphoreWaitOp wait) {
            e.call("anvil_mtia_sem_wait",
                   {e.i32(wait.getSem()), e.i64(wait.getCount())}, false);
            return success();
          })
          .Case([&](PEIdOp id) {
            // Inside its program, a PE's identity is the launch's argument.
            id.getResult().replaceAllUsesWith(
                id->getParentOfType<LaunchOp>().getBody().getArgument(0));
            return success();
          })
          .Case([&](WaitOp wait) {
            for (Value t : wait.getTokens())
              e.call("anvil_mtia_wait", {t}, false);
            return success();
          })
          .Case([&](CoreCostOp cost) {
            e.call("anvil_mtia_vector_work",
                   {e.i32(typeCode(cost.getElementType())),
                    e.toI64(cost.getOps())},
                   false);
            e.call("anvil_mtia_vector_traffic",
                   {e.i32(static_cast<int32_t>(cost.getLevel())),
                    e.toI64(cost.getBytes())},
                   false);
            return success();
          })
          .Default([&](Operation *other) {
            return other->emitOpError(
                "has no lowering to the simulator's operations yet");
          });
  if (failed(result))
    return failure();
  if (token)
    op->getResult(0).replaceAllUsesWith(token);
  op->erase();
  return success();
}

/// The memref type without an mtia memory space.
Type withoutSpace(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !isa_and_nonnull<MemorySpaceAttr>(memref.getMemorySpace()))
    return type;
  return MemRefType::get(memref.getShape(), memref.getElementType(),
                         memref.getLayout());
}

/// Memrefs without memory spaces, and tokens carried by loops and
/// branches as the i64 values the calls return.
void retypeForLLVM(func::FuncOp func) {
  Type i64 = Builder(func.getContext()).getI64Type();
  auto retype = [&](Type type) -> Type {
    return isa<TokenType>(type) ? i64 : withoutSpace(type);
  };
  func.walk([&](Operation *op) {
    for (Value result : op->getResults())
      result.setType(retype(result.getType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(retype(arg.getType()));
  });
  func.setFunctionType(
      FunctionType::get(func.getContext(), func.getBody().getArgumentTypes(),
                        llvm::map_to_vector(func.getResultTypes(), retype)));
}

/// Places the launch's buffers in `space` at static offsets, 64-byte
/// aligned and in allocation order (the capacity the verifier checked is
/// the capacity they take), as views of `memory`: local buffers in the
/// part of it of the PE running them (`bytesPerPE` each; the launch's PE
/// `i` is the job's PE `firstPE + i`), SRAM buffers in the job's one
/// scratchpad from `start` (the kernels of a wave side by side; waves run
/// one after another).
void placeBuffers(LaunchOp launch, MemorySpace space, Value memory,
                  int64_t bytesPerPE, int64_t firstPE, int64_t start) {
  Block &body = launch.getBody().front();
  Location loc = launch.getLoc();
  SmallVector<memref::AllocaOp> buffers;
  launch.walk([&](memref::AllocaOp alloca) {
    if (memorySpaceOf(alloca.getType()) == space)
      buffers.push_back(alloca);
  });
  if (buffers.empty())
    return;
  OpBuilder b = OpBuilder::atBlockBegin(&body);
  Value base;
  if (bytesPerPE) {
    Value pe = body.getArgument(0);
    if (firstPE)
      pe = arith::AddIOp::create(
          b, loc, pe, arith::ConstantIndexOp::create(b, loc, firstPE));
    base = arith::MulIOp::create(
        b, loc, pe, arith::ConstantIndexOp::create(b, loc, bytesPerPE));
  }
  int64_t offset = start;
  for (memref::AllocaOp alloca : buffers) {
    OpBuilder ab(alloca);
    MemRefType type = alloca.getType();
    Value at = arith::ConstantIndexOp::create(ab, loc, offset);
    Value shift = base ? arith::AddIOp::create(ab, loc, base, at) : at;
    auto view =
        memref::ViewOp::create(ab, loc, cast<MemRefType>(withoutSpace(type)),
                               memory, shift, ValueRange{});
    alloca.replaceAllUsesWith(view.getResult());
    alloca.erase();
    offset += localBufferBytes(type);
  }
}

/// Places each launch's local and SRAM buffers (placeBuffers), the SRAM
/// of the kernels of one wave of a program one after another.
void placeKernelBuffers(ArrayRef<SmallVector<LaunchOp>> programs,
                        Value localMemory, int64_t localBytes, Value sram) {
  for (const SmallVector<LaunchOp> &program : programs)
    for (auto &[wave, kernels] : wavesOf(program)) {
      int64_t taken = 0;
      for (LaunchOp launch : kernels) {
        int64_t bytes = launch.bufferBytes(MemorySpace::SRAM);
        placeBuffers(launch, MemorySpace::Local, localMemory, localBytes,
                     pesOf(launch).first, 0);
        placeBuffers(launch, MemorySpace::SRAM, sram, 0, 0, taken);
        taken += bytes;
      }
    }
}

/// Places the buffers the intermediates' plan keeps in SRAM
/// (anvil-mtia-plan-sram) as views of `sram` from `base` on, the top of
/// the scratchpad; their deallocations go.
void placePlanned(func::FuncOp func, Value sram, int64_t base) {
  SmallVector<memref::AllocOp> planned;
  func.walk([&](memref::AllocOp alloc) {
    if (alloc->hasAttr(anvil::policy::kSRAMOffsetAttr))
      planned.push_back(alloc);
  });
  for (memref::AllocOp alloc : planned) {
    int64_t offset =
        alloc->getAttrOfType<IntegerAttr>(anvil::policy::kSRAMOffsetAttr)
            .getInt();
    for (Operation *user : llvm::to_vector(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    OpBuilder b(alloc);
    Location loc = alloc.getLoc();
    auto view = memref::ViewOp::create(
        b, loc, cast<MemRefType>(withoutSpace(alloc.getType())), sram,
        arith::ConstantIndexOp::create(b, loc, base + offset), ValueRange{});
    alloc.replaceAllUsesWith(view.getResult());
    alloc.erase();
  }
}

/// Whether the program recomputes `op` instead of capturing its results:
/// constants, and views (whose strided types the bare-pointer calling
/// convention cannot pass).
bool rematerializable(Operation *op) {
  return op && isMemoryEffectFree(op) && op->getNumRegions() == 0 &&
         (op->hasTrait<OpTrait::ConstantLike>() ||
          isa<ViewLikeOpInterface, memref::CastOp, memref::ExpandShapeOp,
              memref::CollapseShapeOp>(op));
}

/// Splits the values a program uses into those it captures and the ops it
/// recomputes (operands before users).
void collectCaptures(Value v, SetVector<Value> &captured,
                     SetVector<Operation *> &recomputed) {
  Operation *def = v.getDefiningOp();
  if (!rematerializable(def)) {
    captured.insert(v);
    return;
  }
  if (recomputed.contains(def))
    return;
  for (Value operand : def->getOperands())
    collectCaptures(operand, captured, recomputed);
  recomputed.insert(def);
}

/// A captured buffer whose layout is not static (a branch's result) cannot
/// cross the bare-pointer call either: the graph passes its base pointer,
/// offset, sizes and strides, and the program rebuilds the view.
struct SplitBuffer {
  Value buffer;
  memref::ExtractStridedMetadataOp metadata;
};

bool needsSplitting(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return !type.hasStaticShape() ||
         failed(type.getStridesAndOffset(strides, offset)) ||
         ShapedType::isDynamic(offset) ||
         llvm::any_of(strides, ShapedType::isDynamic);
}

/// Replaces each buffer in `captured` that needsSplitting with its
/// metadata, extracted before `launch`.
SmallVector<SplitBuffer> splitBuffers(SmallVector<Value> &captured,
                                      OpBuilder &b, LaunchOp launch) {
  SmallVector<SplitBuffer> split;
  SmallVector<Value> kept;
  b.setInsertionPoint(launch);
  for (Value v : captured) {
    if (!needsSplitting(v)) {
      kept.push_back(v);
      continue;
    }
    auto metadata =
        memref::ExtractStridedMetadataOp::create(b, launch.getLoc(), v);
    split.push_back({v, metadata});
    kept.push_back(metadata.getBaseBuffer());
    kept.push_back(metadata.getOffset());
    llvm::append_range(kept, metadata.getSizes());
    llvm::append_range(kept, metadata.getStrides());
  }
  captured = std::move(kept);
  return split;
}

/// Rebuilds a split buffer inside the program from its mapped metadata;
/// what the type holds statically stays static.
Value rebuildBuffer(OpBuilder &b, Location loc, SplitBuffer split,
                    IRMapping &mapping) {
  auto type = cast<MemRefType>(split.buffer.getType());
  SmallVector<int64_t> strides;
  int64_t offset = ShapedType::kDynamic;
  if (failed(type.getStridesAndOffset(strides, offset)))
    strides.assign(type.getRank(), ShapedType::kDynamic);
  auto mixed = [&](int64_t known, Value v) -> OpFoldResult {
    if (ShapedType::isDynamic(known))
      return mapping.lookup(v);
    return b.getIndexAttr(known);
  };
  SmallVector<OpFoldResult> sizes, strideValues;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    sizes.push_back(mixed(type.getDimSize(d), split.metadata.getSizes()[d]));
    strideValues.push_back(mixed(strides[d], split.metadata.getStrides()[d]));
  }
  return memref::ReinterpretCastOp::create(
      b, loc, type, mapping.lookup(split.metadata.getBaseBuffer()),
      mixed(offset, split.metadata.getOffset()), sizes, strideValues);
}

/// Moves the launch's PE program into a function of its own,
/// `@<graph>_<kernel>(pe, captured values...)`, and replaces the launch
/// with a call of `@anvil_mtia_job__<that function>(num_pes, captured
/// values...)`.
void outlineLaunch(ModuleOp module, func::FuncOp graph, LaunchOp launch) {
  Region &region = launch.getBody();
  SetVector<Value> used;
  getUsedValuesDefinedAbove(region, used);
  SetVector<Value> capturedSet;
  SetVector<Operation *> recomputed;
  for (Value v : used)
    collectCaptures(v, capturedSet, recomputed);
  SmallVector<Value> captured = capturedSet.takeVector();
  Location loc = launch.getLoc();
  OpBuilder b(module.getContext());
  SmallVector<SplitBuffer> split = splitBuffers(captured, b, launch);
  SmallVector<Type> argTypes{b.getIndexType()};
  llvm::append_range(argTypes, ValueRange(captured).getTypes());

  b.setInsertionPoint(graph);
  auto program = func::FuncOp::create(
      b, loc, (graph.getName() + "_" + launch.getKernel()).str(),
      b.getFunctionType(argTypes, {}));
  program.setPrivate();
  // What the job is called in reports and traces (anvil-mtia-job-entries).
  program->setAttr(anvil::kMTIAKernelAttr, launch.getKernelAttr());
  program->setAttr(anvil::kMTIANodesAttr,
                   b.getStringAttr(modelNodes(launch.getLoc())));
  for (StringRef attr :
       {anvil::kMTIAPredictedCyclesAttr, anvil::kMTIAWaveKernelsAttr,
        anvil::kMTIAWaveNodesAttr, anvil::kMTIAWaveCyclesAttr})
    if (Attribute value = launch->getAttr(attr))
      program->setAttr(attr, value);
  SymbolTable(module).insert(program);
  Block *entry = program.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping mapping;
  mapping.map(captured, entry->getArguments().drop_front());
  for (SplitBuffer buffer : split)
    mapping.map(buffer.buffer, rebuildBuffer(b, loc, buffer, mapping));
  for (Operation *op : recomputed)
    b.clone(*op, mapping);
  Block &body = region.front();
  body.getArgument(0).replaceAllUsesWith(entry->getArgument(0));
  entry->getOperations().splice(entry->end(), body.getOperations(),
                                body.begin(), std::prev(body.end()));
  for (Value value : used)
    replaceAllUsesInRegionWith(value, mapping.lookup(value), program.getBody());
  func::ReturnOp::create(b, loc);

  b.setInsertionPoint(launch);
  CallEmitter e(module, b, loc);
  SmallVector<Value> args{e.i64(launch.getNumPes())};
  llvm::append_range(args, captured);
  e.call((anvil::kMTIAJobPrefix + program.getName()).str(), args, false);
  launch.erase();
  // What the program now makes for itself may have no other user.
  for (Operation *op : llvm::reverse(recomputed))
    if (op->use_empty())
      op->erase();
}

/// The cost model's cycles for one wave of a program: its longest
/// kernel's as a job of its own (-1 where a kernel has no prediction).
int64_t waveCycles(ArrayRef<LaunchOp> wave) {
  int64_t longest = 0;
  for (LaunchOp launch : wave) {
    auto predicted =
        launch->getAttrOfType<IntegerAttr>(anvil::kMTIAPredictedCyclesAttr);
    if (!predicted)
      return -1;
    longest = std::max(longest, predicted.getInt());
  }
  return longest;
}

/// Makes each program of several kernels one launch, `program<N>`, whose
/// waves a barrier across its PEs separates; the program's predicted
/// cycles label its job.
void mergePrograms(ModuleOp module, ArrayRef<SmallVector<LaunchOp>> programs) {
  for (const SmallVector<LaunchOp> &program : programs) {
    if (program.size() < 2)
      continue;
    Attribute predicted =
        program.front()->getAttr(anvil::policy::kScheduleProgramCyclesAttr);
    auto id = program.front()->getAttrOfType<IntegerAttr>(
        anvil::policy::kScheduleProgramAttr);
    std::string name = "program" + std::to_string(id ? id.getInt() : 0);
    SmallVector<Attribute> kernels, nodes;
    SmallVector<int64_t> cycles;
    auto startWave = [&](OpBuilder &b, Location loc, int64_t index,
                         ArrayRef<LaunchOp> wave) {
      CallEmitter e(module, b, loc);
      if (index > 0)
        e.call("anvil_mtia_barrier", {}, false);
      e.call(anvil::kMTIAWaveMark, {e.i64(index)}, false);
      SmallVector<StringRef> names;
      SmallVector<Location> locs;
      for (LaunchOp launch : wave) {
        names.push_back(launch.getKernel());
        locs.push_back(launch.getLoc());
      }
      kernels.push_back(b.getStringAttr(llvm::join(names, ",")));
      nodes.push_back(
          b.getStringAttr(modelNodes(FusedLoc::get(b.getContext(), locs))));
      cycles.push_back(waveCycles(wave));
    };
    LaunchOp merged = mergeProgram(program, name, startWave);
    if (id)
      merged->setAttr(anvil::policy::kScheduleProgramAttr, id);
    if (predicted)
      merged->setAttr(anvil::kMTIAPredictedCyclesAttr, predicted);
    Builder b(module.getContext());
    merged->setAttr(anvil::kMTIAWaveKernelsAttr, b.getArrayAttr(kernels));
    merged->setAttr(anvil::kMTIAWaveNodesAttr, b.getArrayAttr(nodes));
    merged->setAttr(anvil::kMTIAWaveCyclesAttr, b.getDenseI64ArrayAttr(cycles));
  }
}

struct MTIAToCallsPass : anvil::impl::MTIAToCallsBase<MTIAToCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr target = TargetAttr::lookup(module);
    if (!target)
      return;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>()))
      if (failed(lowerFunction(module, func, target)))
        return signalPassFailure();
    // Nothing of the mtia dialect is left to check.
    module->removeAttr(TargetAttr::kAttrName);
  }

  LogicalResult lowerFunction(ModuleOp module, func::FuncOp func,
                              TargetAttr target) {
    SmallVector<LaunchOp> launches;
    func.walk([&](LaunchOp launch) { launches.push_back(launch); });
    if (launches.empty())
      return success();
    if (func.isPrivate() || func.isExternal())
      return func.emitError("mtia kernels must be in the public graph "
                            "function, which takes the local memories and "
                            "the SRAM");
    // The kernels' staging takes the SRAM from its start, the
    // intermediates' plan its top.
    int64_t planBase = target.getSramBytes();
    if (auto plan = module->getAttrOfType<IntegerAttr>(kSRAMPlanBytesAttr))
      planBase -= plan.getInt();
    for (LaunchOp launch : launches)
      if (launch.bufferBytes(MemorySpace::SRAM) > planBase)
        return launch.emitOpError("kernel '")
               << launch.getKernel() << "' stages "
               << launch.bufferBytes(MemorySpace::SRAM)
               << " bytes in SRAM; the intermediates' plan leaves " << planBase;
    if (failed(checkSchedule(func, target.getNumPes(), planBase)))
      return failure();
    SmallVector<SmallVector<LaunchOp>> programs = programsOf(func);
    DenseSet<Operation *> shared;
    for (const SmallVector<LaunchOp> &program : programs)
      if (program.size() > 1) {
        gatherProgram(program);
        shared.insert(program.begin(), program.end());
      }
    // A device-resident loop's job may hold kernels on fewer PEs than it,
    // and so may the job of the programs it joins.
    DenseSet<int64_t> joined;
    func.walk([&](Operation *loop) {
      if (auto joins = loop->getAttrOfType<DenseI64ArrayAttr>(
              anvil::policy::kScheduleJoinsAttr))
        joined.insert(joins.asArrayRef().begin(), joins.asArrayRef().end());
    });
    func.walk([&](LaunchOp launch) {
      auto program = launch->getAttrOfType<IntegerAttr>(
          anvil::policy::kScheduleProgramAttr);
      if (isOnDevice(launch->getParentOp()) ||
          (program && joined.contains(program.getInt())))
        shared.insert(launch);
    });
    // The graph takes the PEs' local memories, then the SRAM scratchpad.
    int64_t localBytes = target.getLocalBytes();
    Type i8 = IntegerType::get(&getContext(), 8);
    for (int64_t bytes :
         {target.getNumPes() * localBytes, target.getSramBytes()})
      if (failed(func.insertArgument(func.getNumArguments(),
                                     MemRefType::get({bytes}, i8), {},
                                     func.getLoc())))
        return failure();
    Value localMemory = func.getArgument(func.getNumArguments() - 2);
    Value sram = func.getArgument(func.getNumArguments() - 1);
    SmallVector<Operation *> ops;
    func.walk([&](Operation *op) {
      if (isa<MTIADialect>(op->getDialect()) && !isa<LaunchOp, YieldOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      if (failed(lowerOp(module, op, shared)))
        return failure();
    placeKernelBuffers(programs, localMemory, localBytes, sram);
    placePlanned(func, sram, planBase);
    retypeForLLVM(func);
    mergePrograms(module, programs);
    foldDeviceLoops(module, func, target.getNumPes());
    launches.clear();
    func.walk([&](LaunchOp launch) { launches.push_back(launch); });
    for (LaunchOp launch : launches)
      outlineLaunch(module, func, launch);
    return success();
  }
};

} // namespace
