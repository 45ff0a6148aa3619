//===- DeviceControl.cpp - Loops and branches the PEs run (Grinder) -------===//
//
// The mechanism behind the control-flow placement's "device"
// (docs/Grinder.md). A branch placed on the device becomes predicated
// kernels: its kernels move out of it, each PE reading the predicate at
// the start of each and skipping those of the branch not taken, so that
// they join the kernels around the branch in one segment, scheduled and
// launched as one job. A counted loop placed on the device becomes one job
// that runs the loop on every PE (DeviceLoops.cpp).
//
//===----------------------------------------------------------------------===//

#include "DeviceControl.h"
#include "Schedule.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"
#include "anvil/Policy/Fusion.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace anvil {
#define GEN_PASS_DEF_MTIAPREDICATEBRANCHES
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::mtia;

namespace anvil::mtia::device {

bool pureLeaf(Operation &op) {
  return op.getNumRegions() == 0 && isMemoryEffectFree(&op);
}

memref::AllocOp staticAlloc(Operation &op) {
  auto alloc = dyn_cast<memref::AllocOp>(op);
  if (!alloc || !alloc.getDynamicSizes().empty() ||
      !alloc.getSymbolOperands().empty())
    return nullptr;
  return alloc;
}

/// The allocation of `block` that `v` is (a cast of), or null.
memref::AllocOp allocIn(Value v, Block *block) {
  while (auto cast = v.getDefiningOp<memref::CastOp>())
    v = cast.getSource();
  auto alloc = v.getDefiningOp<memref::AllocOp>();
  return alloc && alloc->getBlock() == block ? alloc : nullptr;
}

std::string runsOnHost(Operation &op, StringRef where) {
  return (where + " runs '" + op.getName().getStringRef() + "' on the host")
      .str();
}

//===----------------------------------------------------------------------===//
// Branches
//===----------------------------------------------------------------------===//

/// For each result of `branch` whose two branches yield buffers they
/// allocate, the two allocations; an error where a result is neither that
/// nor one value defined outside.
FailureOr<SmallVector<std::pair<memref::AllocOp, memref::AllocOp>>>
yieldedAllocs(scf::IfOp branch, std::string &why) {
  SmallVector<std::pair<memref::AllocOp, memref::AllocOp>> pairs;
  if (branch.getNumResults() == 0)
    return pairs;
  for (auto [v, w] : llvm::zip(branch.thenYield().getOperands(),
                               branch.elseYield().getOperands())) {
    if (v == w)
      continue;
    memref::AllocOp a = allocIn(v, branch.thenBlock());
    memref::AllocOp c = allocIn(w, branch.elseBlock());
    bool unique = llvm::none_of(
        pairs, [&](auto &pair) { return pair.first == a || pair.second == c; });
    if (!a || !c || a.getType() != c.getType() || v.getType() != w.getType() ||
        !unique || !staticAlloc(*a) ||
        a->hasAttr(anvil::policy::kSRAMOffsetAttr) ||
        c->hasAttr(anvil::policy::kSRAMOffsetAttr)) {
      why = "its branches yield buffers they do not both allocate alike";
      return failure();
    }
    pairs.push_back({a, c});
  }
  return pairs;
}

std::optional<std::string> branchBlocker(scf::IfOp branch) {
  if (!branch.getCondition().getDefiningOp<memref::LoadOp>())
    return "its condition is not read from a buffer";
  for (Region &region : branch->getRegions())
    for (Block &block : region)
      for (Operation &op : block)
        if (!isa<LaunchOp, scf::YieldOp, memref::DeallocOp>(op) &&
            !staticAlloc(op) && !pureLeaf(op))
          return runsOnHost(op, "a branch");
  std::string why;
  if (failed(yieldedAllocs(branch, why)))
    return why;
  return std::nullopt;
}

/// Makes `launch` skip its work unless the predicate `condition` reads is
/// `taken`: each of its PEs reads it first (one element, by the core).
void guardLaunch(LaunchOp launch, memref::LoadOp condition, bool taken) {
  Block &body = launch.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&body);
  Location loc = launch.getLoc();
  auto type = cast<MemRefType>(condition.getMemRef().getType());
  Value predicate = memref::LoadOp::create(b, loc, condition.getMemRef(),
                                           condition.getIndices());
  Value none = arith::ConstantIndexOp::create(b, loc, 0);
  Value bytes = arith::ConstantIndexOp::create(
      b, loc, elementBytes(type.getElementType()));
  CoreCostOp::create(b, loc, none, bytes, TypeAttr::get(type.getElementType()),
                     MemorySpaceAttr::get(b.getContext(), memorySpaceOf(type)));
  if (!taken)
    predicate = arith::XOrIOp::create(
        b, loc, predicate, arith::ConstantIntOp::create(b, loc, 1, 1));
  auto guard = scf::IfOp::create(b, loc, predicate, /*withElseRegion=*/false);
  Block *then = guard.thenBlock();
  then->getOperations().splice(
      then->getTerminator()->getIterator(), body.getOperations(),
      std::next(guard->getIterator()), std::prev(body.end()));
}

/// Moves the kernels of both branches of `branch` before it, predicated
/// (guardLaunch); the buffers a result's two branches allocate become one.
void predicate(scf::IfOp branch) {
  auto condition = branch.getCondition().getDefiningOp<memref::LoadOp>();
  std::string why;
  auto pairs = *yieldedAllocs(branch, why);
  for (auto [kept, merged] : pairs) {
    kept->moveBefore(branch);
    merged.replaceAllUsesWith(kept.getResult());
    merged.erase();
  }
  SmallVector<Operation *> deallocs;
  auto hoist = [&](Block *block, bool taken) {
    for (Operation &op : llvm::make_early_inc_range(*block)) {
      if (isa<scf::YieldOp>(op))
        continue;
      if (isa<memref::DeallocOp>(op)) {
        deallocs.push_back(&op);
        continue;
      }
      if (auto launch = dyn_cast<LaunchOp>(op))
        guardLaunch(launch, condition, taken);
      op.moveBefore(branch);
    }
  };
  hoist(branch.thenBlock(), true);
  if (!branch.getElseRegion().empty())
    hoist(branch.elseBlock(), false);
  for (Operation *op : llvm::reverse(deallocs))
    op->moveAfter(branch);
  if (branch.getNumResults())
    branch.replaceAllUsesWith(branch.thenYield().getOperands());
  branch.erase();
  if (condition->use_empty())
    condition.erase();
}

struct MTIAPredicateBranchesPass
    : anvil::impl::MTIAPredicateBranchesBase<MTIAPredicateBranchesPass> {
  void runOnOperation() override {
    SmallVector<scf::IfOp> branches;
    // Inner branches first: an outer one sees their kernels as its own.
    getOperation().walk<WalkOrder::PostOrder>([&](scf::IfOp branch) {
      if (isOnDevice(branch))
        branches.push_back(branch);
    });
    for (scf::IfOp branch : branches) {
      if (std::optional<std::string> why = branchBlocker(branch)) {
        branch.emitOpError("is placed on the device, but ") << *why;
        return signalPassFailure();
      }
      predicate(branch);
    }
  }
};

//===----------------------------------------------------------------------===//
// Loops
//===----------------------------------------------------------------------===//

Value baseOf(Value v) {
  if (auto meta = v.getDefiningOp<memref::ExtractStridedMetadataOp>())
    if (v == meta.getBaseBuffer())
      return meta.getSource();
  return v;
}

/// What the deallocation pipeline leaves in a loop that carries buffers:
/// `scf.if %owned { memref.dealloc <base of a carried buffer> ... }`, which
/// frees the previous iteration's buffers where the loop owns them.
bool releasesArgs(Operation &op, Block *block) {
  auto branch = dyn_cast<scf::IfOp>(op);
  if (!branch || branch.getNumResults() || !branch.getElseRegion().empty())
    return false;
  auto flag = dyn_cast<BlockArgument>(branch.getCondition());
  if (!flag || flag.getOwner() != block)
    return false;
  return llvm::all_of(
      branch.thenBlock()->without_terminator(), [&](Operation &inner) {
        auto dealloc = dyn_cast<memref::DeallocOp>(inner);
        if (!dealloc)
          return false;
        auto arg = dyn_cast<BlockArgument>(baseOf(dealloc.getMemref()));
        return arg && arg.getOwner() == block;
      });
}

bool releasesCarried(Operation &op, scf::ForOp loop) {
  return releasesArgs(op, loop.getBody());
}

/// The carried buffers a release frees (the loop's iter_args).
SmallVector<BlockArgument> releasedBy(scf::IfOp release) {
  SmallVector<BlockArgument> freed;
  for (Operation &op : release.thenBlock()->without_terminator())
    freed.push_back(
        cast<BlockArgument>(baseOf(cast<memref::DeallocOp>(op).getMemref())));
  return freed;
}

bool isStoreToBodyBuffer(Operation &op, Block *body) {
  auto store = dyn_cast<memref::StoreOp>(op);
  return store && allocIn(store.getMemRef(), body);
}

std::optional<std::string> carriedBlocker(scf::ForOp loop) {
  Block *body = loop.getBody();
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  SmallVector<Operation *> yielded;
  for (auto [arg, next] :
       llvm::zip(loop.getRegionIterArgs(), yield.getOperands())) {
    if (isa<MemRefType>(arg.getType())) {
      if (next == arg)
        continue;
      auto alloc = next.getDefiningOp<memref::AllocOp>();
      if (!alloc || alloc->getBlock() != body || !staticAlloc(*alloc) ||
          alloc->hasAttr(anvil::policy::kSRAMOffsetAttr) ||
          llvm::is_contained(yielded, alloc.getOperation()) ||
          llvm::any_of(alloc->getUsers(),
                       [](Operation *u) { return isa<memref::DeallocOp>(u); }))
        return "it carries a buffer its body does not allocate afresh";
      yielded.push_back(alloc);
      continue;
    }
    if (arg.getType().isInteger(1) &&
        llvm::all_of(arg.getUsers(),
                     [&](Operation *u) { return releasesCarried(*u, loop); }) &&
        (next == arg || matchPattern(next, m_Constant())))
      continue;
    return std::string("it carries a value the host computes");
  }
  for (Operation &op : *body)
    if (releasesCarried(op, loop))
      for (BlockArgument freed : releasedBy(cast<scf::IfOp>(op)))
        if (yield.getOperand(freed.getArgNumber() - 1) == freed)
          return std::string("it frees a buffer it carries unchanged");
  return std::nullopt;
}

std::optional<std::string> loopBlocker(scf::ForOp loop) {
  Block *body = loop.getBody();
  bool kernels = false;
  for (Operation &op : body->without_terminator()) {
    // A branch on the device becomes predicated kernels first.
    if (isa<LaunchOp>(op) || (isa<scf::IfOp>(op) && isOnDevice(&op))) {
      kernels = true;
      continue;
    }
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      if (!allocIn(dealloc.getMemref(), body))
        return std::string("its body frees a buffer it does not allocate");
      continue;
    }
    if (staticAlloc(op) || pureLeaf(op) || releasesCarried(op, loop) ||
        isStoreToBodyBuffer(op, body))
      continue;
    return runsOnHost(op, "its body");
  }
  if (!kernels)
    return std::string("its kernels are in a loop or branch of its body");
  return carriedBlocker(loop);
}

bool definedOutside(Value v, Operation *op) {
  Operation *def = v.getDefiningOp();
  if (!def)
    def = v.getParentBlock()->getParentOp();
  return !op->isAncestor(def);
}

/// What a while loop's regions may hold to run on the PEs: kernels,
/// allocations of a static shape (made once, before the loop), what is
/// free of memory effects (every PE computes it), loads of buffers made
/// outside (every PE reads them, after the kernels before finish), and
/// frees of what the regions allocate.
std::optional<std::string> whileRegionBlocker(scf::WhileOp loop, Block *block,
                                              bool &kernels) {
  for (Operation &op : block->without_terminator()) {
    if (isa<LaunchOp>(op) || (isa<scf::IfOp>(op) && isOnDevice(&op))) {
      kernels = true;
      continue;
    }
    if (staticAlloc(op) || pureLeaf(op) || releasesArgs(op, block))
      continue;
    if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      Value freed = baseOf(dealloc.getMemref());
      auto arg = dyn_cast<BlockArgument>(freed);
      if (allocIn(freed, block) || (arg && arg.getOwner() == block))
        continue;
      return std::string("its body frees a buffer it does not allocate");
    }
    if (auto load = dyn_cast<memref::LoadOp>(op);
        load && definedOutside(load.getMemRef(), loop))
      continue;
    return runsOnHost(op, "its body");
  }
  return std::nullopt;
}

/// Whether `v` is (a cast of) an allocation in one of the loop's regions.
bool allocatedInLoop(Value v, scf::WhileOp loop) {
  return allocIn(v, loop.getBeforeBody()) || allocIn(v, loop.getAfterBody());
}

std::optional<std::string> whileBlocker(scf::WhileOp loop) {
  bool kernels = false;
  for (Block *block : {loop.getBeforeBody(), loop.getAfterBody()})
    if (std::optional<std::string> why =
            whileRegionBlocker(loop, block, kernels))
      return why;
  if (!kernels)
    return std::string("its kernels are in a loop or branch of its body");
  // Its allocations are made once. A buffer the body writes and the next
  // iteration's condition region reads (copies) is rewritten only after
  // that region ends; but one the condition region passes on to the body
  // unread would be read and written by the same body.
  auto condition = loop.getConditionOp();
  for (auto [next, arg] :
       llvm::zip(loop.getYieldOp().getOperands(), loop.getBeforeArguments())) {
    if (!isa<MemRefType>(next.getType()) || definedOutside(next, loop))
      continue;
    if (!allocIn(next, loop.getAfterBody()) ||
        llvm::is_contained(condition.getArgs(), arg))
      return std::string("it carries a buffer an iteration allocates");
  }
  // What the host uses of its results must be known without reading them.
  for (auto [result, last] :
       llvm::zip(loop.getResults(), loop.getConditionOp().getArgs()))
    if (!result.use_empty() && !definedOutside(last, loop) &&
        !allocatedInLoop(last, loop))
      return std::string("the host reads a value its last iteration computes");
  return std::nullopt;
}

} // namespace anvil::mtia::device

using namespace anvil::mtia::device;

std::optional<std::string> anvil::mtia::deviceBlocker(Operation *control) {
  if (auto branch = dyn_cast<scf::IfOp>(control))
    return branchBlocker(branch);
  if (auto loop = dyn_cast<scf::ForOp>(control))
    return loopBlocker(loop);
  if (auto loop = dyn_cast<scf::WhileOp>(control))
    return whileBlocker(loop);
  return "'" + control->getName().getStringRef().str() +
         "' is not a loop or branch the device runs";
}
