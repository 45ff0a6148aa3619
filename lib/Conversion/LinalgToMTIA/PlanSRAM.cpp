//===- PlanSRAM.cpp - Intermediates between kernels kept in SRAM ----------===//
//
// Finds the buffers between kernels that could live in the SRAM
// scratchpad, with their lifetimes, asks the fusion policy which do and
// where, and gives the placed ones the SRAM memory space, so that the
// kernels formed next read and write them at SRAM's rate. The offsets
// become addresses in anvil-mtia-to-calls.
//
//===----------------------------------------------------------------------===//

#include "Schedule.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Conversion/Schedulers.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"
#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Policy/Fusion.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace anvil {
#define GEN_PASS_DEF_MTIAPLANSRAM
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::mtia;
using anvil::policy::IntermediateBuffer;

namespace {

bool isView(Operation *op) {
  return isa<ViewLikeOpInterface, memref::CastOp, memref::ExpandShapeOp,
             memref::CollapseShapeOp>(op) &&
         op->getNumResults() == 1 &&
         isa<MemRefType>(op->getResult(0).getType());
}

/// Whether `op` folds into a kernel as `role`.
bool foldsAs(Operation *op, anvil::policy::FoldRole role) {
  auto named = op->getAttrOfType<StringAttr>(anvil::policy::kFusionRoleAttr);
  return named && named.getValue() == anvil::policy::foldRoleName(role);
}

/// Whether `op` is a padded copy a convolution's kernel folds: it writes
/// the padding as it stages the copy's source, and the copy's target is
/// never written.
bool isFoldedPadding(Operation *op) {
  return isa<memref::CopyOp>(op) &&
         foldsAs(op, anvil::policy::FoldRole::PaddedInput);
}

/// The ops that use `buffer` through views, and the views; false where
/// one of them is not a kernel's (a linalg op or copy) or a deallocation,
/// or where a kernel folds the buffer away.
bool collectUses(Value buffer, SmallVectorImpl<Operation *> &users,
                 SmallVectorImpl<Operation *> &views) {
  for (Operation *user : buffer.getUsers()) {
    if (isView(user)) {
      views.push_back(user);
      if (!collectUses(user->getResult(0), users, views))
        return false;
      continue;
    }
    if (isa<memref::DeallocOp>(user))
      continue;
    if (!isa<linalg::LinalgOp, memref::CopyOp>(user) ||
        (isFoldedPadding(user) &&
         cast<memref::CopyOp>(user).getTarget() == buffer))
      return false;
    users.push_back(user);
  }
  return true;
}

/// The op of `block` that holds `op`.
Operation *topLevel(Operation *op, Block &block) {
  return block.findAncestorOpInBlock(*op);
}

/// The largest sum of input operand bytes of a product: the most SRAM a
/// kernel's staging can ask for (its copies are at most as large as its
/// f32 operands).
int64_t largestStaging(ModuleOp module) {
  int64_t largest = 0;
  module.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNchwFchwOp,
             linalg::Conv2DNgchwGfchwOp>(op.getOperation()))
      return;
    int64_t bytes = 0;
    for (Value input : op.getDpsInputs())
      if (auto type = dyn_cast<MemRefType>(input.getType());
          type && type.hasStaticShape())
        bytes += localBufferBytes(type);
    largest = std::max(largest, bytes);
  });
  return largest;
}

MemRefType inSRAM(MemRefType type) {
  return MemRefType::Builder(type).setMemorySpace(
      MemorySpaceAttr::get(type.getContext(), MemorySpace::SRAM));
}

struct Candidate {
  IntermediateBuffer buffer;
  SmallVector<Operation *> views;
};

/// Each top-level op's wavefront time: its level (one more than the
/// highest of the kernel-forming ops it depends on), at least the time of
/// the op before it, so that time never runs backwards in program order.
DenseMap<Operation *, int64_t> wavefrontTimes(Block &body) {
  SmallVector<Operation *> kernels;
  for (Operation &op : body)
    if (formsKernel(&op))
      kernels.push_back(&op);
  SmallVector<SmallVector<int64_t, 4>> after =
      anvil::mtia::dependencesOf(kernels);
  DenseMap<Operation *, int64_t> level;
  for (auto [i, op] : llvm::enumerate(kernels))
    for (int64_t producer : after[i])
      level[op] = std::max(level[op], level[kernels[producer]] + 1);
  DenseMap<Operation *, int64_t> time;
  int64_t now = 0;
  for (Operation &op : body) {
    now = std::max(now, level.lookup(&op));
    time[&op] = now;
  }
  return time;
}

/// Each top-level op's position in program order.
DenseMap<Operation *, int64_t> programPositions(Block &body) {
  DenseMap<Operation *, int64_t> position;
  for (auto [i, op] : llvm::enumerate(body))
    position[&op] = static_cast<int64_t>(i);
  return position;
}

/// The graph's buffers that could live in SRAM, with their lifetimes in
/// program positions, or in wavefront times where `byWavefront`. An op
/// folded into a kernel runs when that kernel does: a padded copy's
/// source is read, an elementwise epilogue's operands are read and
/// written, by the kernel it folds into.
SmallVector<Candidate> findCandidates(func::FuncOp func, bool byWavefront) {
  Block &body = func.getBody().front();
  DenseMap<Operation *, int64_t> position =
      byWavefront ? wavefrontTimes(body) : programPositions(body);
  DenseMap<int64_t, int64_t> kernelAt;
  for (Operation &op : body)
    if (auto kernel =
            op.getAttrOfType<IntegerAttr>(anvil::policy::kFusionKernelAttr))
      kernelAt[kernel.getInt()] = position[&op];
  SmallVector<Candidate> found;
  for (auto alloc : body.getOps<memref::AllocOp>()) {
    MemRefType type = alloc.getType();
    if (!type.hasStaticShape() || memorySpaceOf(type) != MemorySpace::DRAM)
      continue;
    SmallVector<Operation *> users, views;
    if (!collectUses(alloc, users, views) || users.empty())
      continue;
    IntermediateBuffer buffer{alloc, localBufferBytes(type),
                              std::numeric_limits<int64_t>::max(), 0};
    auto live = [&](int64_t at) {
      buffer.firstUse = std::min(buffer.firstUse, at);
      buffer.lastUse = std::max(buffer.lastUse, at);
    };
    for (Operation *user : users) {
      live(position.lookup(topLevel(user, body)));
      if (auto into =
              user->getAttrOfType<IntegerAttr>(anvil::policy::kFusionIntoAttr))
        live(kernelAt.lookup(into.getInt()));
    }
    found.push_back({buffer, std::move(views)});
  }
  return found;
}

/// The buffer `v` views (itself where it is not a view).
Value rootOf(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isView(def))
      break;
    v = def->getOperand(0);
  }
  return v;
}

/// The bytes of `v`, or `whole` where its shape is not static.
int64_t bytesOf(Value v, int64_t whole) {
  auto type = cast<MemRefType>(v.getType());
  if (!type.hasStaticShape())
    return whole;
  return type.getNumElements() *
         llvm::divideCeil(type.getElementTypeBitWidth(), 8);
}

/// What `user` (a kernel's op) reads and writes of `buffer`. An init or a
/// clamp folded into a kernel moves no bytes of its own (the kernel
/// writes its output once); a folded padded copy's target is never
/// written.
std::pair<int64_t, int64_t> trafficOf(Operation *user, Value buffer,
                                      int64_t whole) {
  using anvil::policy::FoldRole;
  if (foldsAs(user, FoldRole::Init) || foldsAs(user, FoldRole::Epilogue))
    return {0, 0};
  int64_t read = 0, written = 0;
  if (auto copy = dyn_cast<memref::CopyOp>(user)) {
    if (rootOf(copy.getSource()) == buffer)
      read += bytesOf(copy.getSource(), whole);
    if (rootOf(copy.getTarget()) == buffer &&
        !foldsAs(user, FoldRole::PaddedInput))
      written += bytesOf(copy.getTarget(), whole);
    return {read, written};
  }
  auto linalgOp = cast<linalg::LinalgOp>(user);
  for (OpOperand &operand : user->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()) ||
        rootOf(operand.get()) != buffer)
      continue;
    int64_t bytes = bytesOf(operand.get(), whole);
    bool init = linalgOp.isDpsInit(&operand);
    if (!init || linalgOp.payloadUsesValueFromOperand(&operand))
      read += bytes;
    if (init)
      written += bytes;
  }
  return {read, written};
}

/// A graph argument the kernels use through a buffer of the graph's own,
/// which the SRAM plan may place: the buffer, and the copies between them.
struct StagedArgument {
  BlockArgument argument;
  memref::AllocOp buffer;
  SmallVector<Operation *> copies;
};

/// Stages `argument` where `policy` says it pays: its kernels use a buffer
/// of the graph's own instead, which a copy fills before the first of them
/// where that one reads it, and which a copy writes back after the last
/// where they write it.
std::optional<StagedArgument>
stageArgument(BlockArgument argument, const anvil::policy::FusionPolicy &policy,
              const anvil::policy::StagingRates &rates) {
  auto type = dyn_cast<MemRefType>(argument.getType());
  if (!type || !type.hasStaticShape() ||
      memorySpaceOf(type) != MemorySpace::DRAM)
    return std::nullopt;
  SmallVector<Operation *> users, views;
  if (!collectUses(argument, users, views) || users.empty())
    return std::nullopt;
  Block &body = *argument.getOwner();
  int64_t whole = bytesOf(argument, 0);
  anvil::policy::ArgumentTraffic traffic{whole, 0, 0, 0};
  Operation *first = nullptr, *last = nullptr;
  for (Operation *user : users) {
    auto [read, written] = trafficOf(user, argument, whole);
    traffic.bytesRead += read;
    traffic.bytesWritten += written;
    Operation *top = topLevel(user, body);
    if (!first || top->isBeforeInBlock(first))
      first = top;
    if (!last || last->isBeforeInBlock(top))
      last = top;
  }
  bool copyIn = false;
  for (Operation *user : users)
    copyIn |= topLevel(user, body) == first &&
              trafficOf(user, argument, whole).first > 0;
  bool copyOut = traffic.bytesWritten > 0;
  traffic.copies = copyIn + copyOut;
  if (!policy.stagesInSRAM(traffic, rates))
    return std::nullopt;
  OpBuilder b = OpBuilder::atBlockBegin(&body);
  Location loc = argument.getLoc();
  auto buffer = memref::AllocOp::create(b, loc, type,
                                        b.getI64IntegerAttr(kLocalAlignment));
  argument.replaceAllUsesWith(buffer.getResult());
  StagedArgument staged{argument, buffer, {}};
  if (copyIn) {
    b.setInsertionPoint(first);
    staged.copies.push_back(memref::CopyOp::create(b, loc, argument, buffer));
  }
  b.setInsertionPointAfter(last);
  if (copyOut)
    staged.copies.push_back(memref::CopyOp::create(b, loc, buffer, argument));
  staged.copies.push_back(memref::DeallocOp::create(b, loc, buffer));
  return staged;
}

/// Undoes a staging the plan found no room for.
void unstage(StagedArgument &staged) {
  for (Operation *op : staged.copies)
    op->erase();
  staged.buffer.getResult().replaceAllUsesWith(staged.argument);
  staged.buffer.erase();
}

struct MTIAPlanSRAMPass : anvil::impl::MTIAPlanSRAMBase<MTIAPlanSRAMPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::unique_ptr<anvil::policy::FusionPolicy> fusion =
        anvil::policy::createFusionPolicy(policy);
    if (!fusion) {
      module.emitError("unknown fusion policy '")
          << policy
          << "' (policy: one-op-per-kernel, welder, welder-sram, welder-dram)";
      return signalPassFailure();
    }
    std::unique_ptr<anvil::policy::Scheduler> scheduling =
        anvil::schedulerNamed(module, scheduler);
    if (!scheduling)
      return signalPassFailure();
    const auto &machine = getAnalysis<MachineDescription>();
    if (!machine.get()) {
      module.emitError("anvil-mtia-plan-sram needs the machine description: ")
          << machine.error();
      return signalPassFailure();
    }
    const auto &sram = machine.get()->level(anvil::target::MemoryLevel::SRAM);
    int64_t capacity = sram.capacityBytes - largestStaging(module);
    int64_t alignment = std::max(kLocalAlignment, sram.transactionBytes);
    const anvil::target::TargetDesc &desc = *machine.get();
    anvil::policy::StagingRates rates{
        desc.bytesPerCycle(anvil::target::MemoryLevel::DRAM),
        desc.bytesPerCycle(anvil::target::MemoryLevel::SRAM),
        desc.costs.launchCycles};
    int64_t planned = 0;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      SmallVector<StagedArgument> staged;
      for (BlockArgument argument : func.getArguments())
        if (auto one = stageArgument(argument, *fusion, rates))
          staged.push_back(std::move(*one));
      SmallVector<Candidate> candidates =
          findCandidates(func, scheduling->ordersByWavefront());
      SmallVector<IntermediateBuffer> buffers = llvm::map_to_vector(
          candidates, [](const Candidate &c) { return c.buffer; });
      if (capacity > 0)
        fusion->placeInSRAM(buffers, capacity, alignment);
      for (Candidate &candidate : candidates)
        planned = std::max(planned, place(candidate));
      for (StagedArgument &argument : staged)
        if (!argument.buffer->hasAttr(anvil::policy::kSRAMOffsetAttr))
          unstage(argument);
    }
    if (planned > 0)
      module->setAttr(
          kSRAMPlanBytesAttr,
          Builder(module).getI64IntegerAttr(llvm::alignTo(planned, alignment)));
  }

  /// Gives a placed buffer and its views the SRAM memory space; the end
  /// of its bytes in the plan (0 where it stays in DRAM).
  int64_t place(Candidate &candidate) {
    Operation *alloc = candidate.buffer.alloc;
    auto offset =
        alloc->getAttrOfType<IntegerAttr>(anvil::policy::kSRAMOffsetAttr);
    if (!offset)
      return 0;
    SmallVector<Operation *> retyped{alloc};
    llvm::append_range(retyped, candidate.views);
    for (Operation *op : retyped) {
      Value result = op->getResult(0);
      result.setType(inSRAM(cast<MemRefType>(result.getType())));
    }
    return offset.getInt() + candidate.buffer.bytes;
  }
};

} // namespace
