//===- DeviceControl.cpp - Loops and branches the PEs run (Grinder) -------===//
//
// The mechanism behind the control-flow placement's "device"
// (docs/Grinder.md). A branch placed on the device becomes predicated
// kernels: its kernels move out of it, each PE reading the predicate at
// the start of each and skipping those of the branch not taken, so that
// they join the kernels around the branch in one segment, scheduled and
// launched as one job. A counted loop placed on the device becomes one job
// that runs the loop on every PE: the body's kernels (its program) run in
// each iteration with a barrier closing it, carried buffers alternate
// between two fixed buffers, and the iteration number the body reads is
// written by PE 0.
//
//===----------------------------------------------------------------------===//

#include "CallEmitter.h"
#include "Schedule.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Dialect/MTIA/IR/MTIAOps.h"
#include "anvil/Policy/Fusion.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace anvil {
#define GEN_PASS_DEF_MTIAPREDICATEBRANCHES
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil::mtia;

namespace {

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
  if (branch.getElseRegion().empty())
    return std::nullopt;
  for (Block *block : {branch.thenBlock(), branch.elseBlock()})
    for (Operation &op : *block)
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
bool releasesCarried(Operation &op, scf::ForOp loop) {
  auto branch = dyn_cast<scf::IfOp>(op);
  if (!branch || branch.getNumResults() || !branch.getElseRegion().empty())
    return false;
  auto flag = dyn_cast<BlockArgument>(branch.getCondition());
  if (!flag || flag.getOwner() != loop.getBody())
    return false;
  return llvm::all_of(
      branch.thenBlock()->without_terminator(), [&](Operation &inner) {
        auto dealloc = dyn_cast<memref::DeallocOp>(inner);
        if (!dealloc)
          return false;
        auto arg = dyn_cast<BlockArgument>(baseOf(dealloc.getMemref()));
        return arg && arg.getOwner() == loop.getBody();
      });
}

/// The carried buffers a release frees (the loop's iter_args).
SmallVector<BlockArgument> releasedBy(scf::IfOp release) {
  SmallVector<BlockArgument> freed;
  for (Operation &op : release.thenBlock()->without_terminator())
    freed.push_back(
        cast<BlockArgument>(baseOf(cast<memref::DeallocOp>(op).getMemref())));
  return freed;
}

/// A release by the numbers of the loop's iter_args: the ownership flag
/// and the buffers it frees.
struct Release {
  unsigned flag;
  SmallVector<unsigned> freed;
};

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

} // namespace

std::optional<std::string> anvil::mtia::deviceBlocker(Operation *control) {
  if (auto branch = dyn_cast<scf::IfOp>(control))
    return branchBlocker(branch);
  if (auto loop = dyn_cast<scf::ForOp>(control))
    return loopBlocker(loop);
  if (isa<scf::WhileOp>(control))
    return std::string("a while loop's condition is tested by the host");
  return "'" + control->getName().getStringRef().str() +
         "' is not a loop or branch the device runs";
}

namespace {

/// A buffer a device-resident loop carries from one iteration to the next:
/// iterations 0, 2, ... write `even` (the body's own allocation, hoisted),
/// 1, 3, ... its twin `odd`; each reads what the one before wrote, the
/// first `init`.
struct CarriedBuffer {
  unsigned index;
  Value init;
  memref::AllocOp even, odd;
};

bool isCall(Operation &op, StringRef callee) {
  auto call = dyn_cast<func::CallOp>(op);
  return call && call.getCallee() == callee;
}

/// Folds device-resident loops into jobs, numbering their waves on.
class LoopFolder {
public:
  LoopFolder(ModuleOp module, scf::ForOp loop, int64_t id)
      : module(module), loop(loop), body(loop.getBody()), id(id), b(loop) {}

  void fold();

private:
  void hoistBuffers();
  void bindCarried(Value first, Value odd);
  void buildIteration(Value pe, int64_t pes);
  void inlineKernel(LaunchOp launch, Value pe, int64_t pes);
  void renumberWaves(LaunchOp launch);
  void finishOnHost(Value lb, Value ub, Value step);

  ModuleOp module;
  scf::ForOp loop;
  Block *body;
  int64_t id;
  OpBuilder b;
  SmallVector<CarriedBuffer> carried;
  SmallVector<Operation *> frees;
  SmallVector<Release> releases;
  // The waves of the loop's job: kernels, model nodes, predicted cycles.
  SmallVector<Attribute> waveKernels, waveNodes;
  SmallVector<int64_t> waveCycles;
};

/// Records and erases a release, with what only it used.
Release takeRelease(scf::IfOp release) {
  Release taken{cast<BlockArgument>(release.getCondition()).getArgNumber() - 1,
                {}};
  SmallVector<Operation *> feeding;
  for (BlockArgument arg : releasedBy(release))
    taken.freed.push_back(arg.getArgNumber() - 1);
  for (Operation &op : release.thenBlock()->without_terminator())
    if (Operation *def = op.getOperand(0).getDefiningOp())
      feeding.push_back(def);
  release.erase();
  for (Operation *def : feeding)
    if (def->use_empty())
      def->erase();
  return taken;
}

void LoopFolder::hoistBuffers() {
  for (Operation &op : llvm::make_early_inc_range(body->without_terminator())) {
    if (staticAlloc(op))
      op.moveBefore(loop);
    else if (isa<memref::DeallocOp>(op))
      frees.push_back(&op);
    else if (releasesCarried(op, loop))
      releases.push_back(takeRelease(cast<scf::IfOp>(op)));
  }
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  for (auto [i, arg] : llvm::enumerate(loop.getRegionIterArgs())) {
    Value next = yield.getOperand(i);
    if (!isa<MemRefType>(arg.getType()) || next == arg)
      continue;
    auto even = next.getDefiningOp<memref::AllocOp>();
    auto odd = cast<memref::AllocOp>(b.clone(*even));
    carried.push_back(
        {static_cast<unsigned>(i), loop.getInitArgs()[i], even, odd});
  }
}

/// Replaces the carried values in the body with the buffers an iteration
/// reads and writes (`first`: the iteration is the first; `odd`: its
/// number is odd).
void LoopFolder::bindCarried(Value first, Value odd) {
  Location loc = loop.getLoc();
  auto inLoop = [&](OpOperand &use) {
    return loop->isProperAncestor(use.getOwner()) &&
           !isa<scf::YieldOp>(use.getOwner());
  };
  for (CarriedBuffer &buffer : carried) {
    Value previous = arith::SelectOp::create(
        b, loc, odd, buffer.even.getResult(), buffer.odd.getResult());
    Value read = arith::SelectOp::create(b, loc, first, buffer.init, previous);
    Value write = arith::SelectOp::create(b, loc, odd, buffer.odd.getResult(),
                                          buffer.even.getResult());
    loop.getRegionIterArg(buffer.index).replaceAllUsesWith(read);
    buffer.even.getResult().replaceUsesWithIf(write, inLoop);
  }
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  for (auto [i, arg] : llvm::enumerate(loop.getRegionIterArgs()))
    if (isa<MemRefType>(arg.getType()) && yield.getOperand(i) == arg)
      arg.replaceUsesWithIf(loop.getInitArgs()[i], inLoop);
}

/// Renumbers the wave marks of a program's job to follow the loop job's
/// waves so far, and takes its waves' names.
void LoopFolder::renumberWaves(LaunchOp launch) {
  auto kernels = launch->getAttrOfType<ArrayAttr>(anvil::kMTIAWaveKernelsAttr);
  auto nodes = launch->getAttrOfType<ArrayAttr>(anvil::kMTIAWaveNodesAttr);
  auto cycles =
      launch->getAttrOfType<DenseI64ArrayAttr>(anvil::kMTIAWaveCyclesAttr);
  int64_t offset = static_cast<int64_t>(waveKernels.size());
  if (!kernels || !nodes || !cycles) {
    // A kernel of its own: one wave, marked where every PE enters it.
    CallEmitter e(module, b, launch.getLoc());
    e.call(anvil::kMTIAWaveMark, {e.i64(offset)}, false);
    auto predicted =
        launch->getAttrOfType<IntegerAttr>(anvil::kMTIAPredictedCyclesAttr);
    waveKernels.push_back(launch.getKernelAttr());
    waveNodes.push_back(b.getStringAttr(modelNodes(launch.getLoc())));
    waveCycles.push_back(predicted ? predicted.getInt() : -1);
    return;
  }
  llvm::append_range(waveKernels, kernels);
  llvm::append_range(waveNodes, nodes);
  llvm::append_range(waveCycles, cycles.asArrayRef());
  launch.walk([&](func::CallOp call) {
    if (call.getCallee() != anvil::kMTIAWaveMark)
      return;
    auto index = call.getOperand(0).getDefiningOp<arith::ConstantIntOp>();
    OpBuilder at(call);
    call.setOperand(0, arith::ConstantIntOp::create(at, call.getLoc(),
                                                    at.getI64Type(),
                                                    index.value() + offset));
  });
}

/// Inlines the PE program of `launch` into the iteration. PEs of the job
/// beyond the kernel's own pass its program's barriers and waves (the top
/// level of a program's body: its waves' start) without work.
void LoopFolder::inlineKernel(LaunchOp launch, Value pe, int64_t pes) {
  Location loc = launch.getLoc();
  renumberWaves(launch);
  Block &kernel = launch.getBody().front();
  kernel.getArgument(0).replaceAllUsesWith(pe);
  int64_t own = static_cast<int64_t>(launch.getNumPes());
  if (own == pes) {
    b.getInsertionBlock()->getOperations().splice(
        b.getInsertionPoint(), kernel.getOperations(), kernel.begin(),
        std::prev(kernel.end()));
    return;
  }
  Value inside =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, pe,
                            arith::ConstantIndexOp::create(b, loc, own));
  auto guard = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/true);
  OpBuilder idle = OpBuilder::atBlockTerminator(guard.elseBlock());
  IRMapping mapping;
  for (Operation &op : kernel.without_terminator())
    if (isCall(op, "anvil_mtia_barrier") || isCall(op, anvil::kMTIAWaveMark)) {
      for (Value operand : op.getOperands())
        if (Operation *def = operand.getDefiningOp();
            def && def->getBlock() == &kernel && !mapping.contains(operand))
          idle.clone(*def, mapping);
      idle.clone(op, mapping);
    }
  Block *then = guard.thenBlock();
  then->getOperations().splice(then->getTerminator()->getIterator(),
                               kernel.getOperations(), kernel.begin(),
                               std::prev(kernel.end()));
}

/// The body's ops, in order, into the iteration at `b`: kernels inlined
/// with a barrier before each one that follows work of the iteration, the
/// host's stores (an iteration number) made by PE 0, the rest as is.
void LoopFolder::buildIteration(Value pe, int64_t pes) {
  Location loc = loop.getLoc();
  CallEmitter e(module, b, loc);
  bool pending = false;
  for (Operation &op : llvm::make_early_inc_range(body->without_terminator())) {
    if (auto launch = dyn_cast<LaunchOp>(op)) {
      if (pending)
        e.call("anvil_mtia_barrier", {}, false);
      inlineKernel(launch, pe, pes);
      launch.erase();
      pending = true;
      continue;
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      Value first =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, pe,
                                arith::ConstantIndexOp::create(b, loc, 0));
      auto only = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
      op.moveBefore(only.thenBlock()->getTerminator());
      OpBuilder at(only.thenBlock()->getTerminator());
      CallEmitter cost(module, at, loc);
      Type element = store.getMemRefType().getElementType();
      cost.call("anvil_mtia_vector_traffic",
                {cost.i32(0), cost.i64(elementBytes(element))}, false);
      pending = true;
      continue;
    }
    op.moveBefore(b.getInsertionBlock(), b.getInsertionPoint());
  }
  // Nothing of the next iteration may start before this one ends.
  e.call("anvil_mtia_barrier", {}, false);
}

/// After the job, on the host: the loop's results (the buffer the last
/// iteration wrote), the twin not returned freed, and the first
/// iteration's release of the initial buffers.
void LoopFolder::finishOnHost(Value lb, Value ub, Value step) {
  Location loc = loop.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value span = arith::MaxSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, ub, lb), zero);
  Value trips = arith::CeilDivSIOp::create(b, loc, span, step);
  Value ran =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, trips, zero);
  Value last = arith::SubIOp::create(b, loc, trips, one);
  Value lastOdd =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                            arith::AndIOp::create(b, loc, last, one), zero);
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  for (auto [i, arg] : llvm::enumerate(loop.getRegionIterArgs())) {
    Value init = loop.getInitArgs()[i], next = yield.getOperand(i);
    if (!isa<MemRefType>(arg.getType()) && next != arg)
      loop.getResult(i).replaceAllUsesWith(arith::SelectOp::create(
          b, loc, ran, b.clone(*next.getDefiningOp())->getResult(0), init));
    else if (next == arg)
      loop.getResult(i).replaceAllUsesWith(init);
  }
  for (CarriedBuffer &buffer : carried) {
    Value even = buffer.even.getResult(), odd = buffer.odd.getResult();
    Value written = arith::SelectOp::create(b, loc, lastOdd, odd, even);
    loop.getResult(buffer.index)
        .replaceAllUsesWith(
            arith::SelectOp::create(b, loc, ran, written, buffer.init));
    auto spare = scf::IfOp::create(b, loc, ran, /*withElseRegion=*/true);
    OpBuilder then = OpBuilder::atBlockTerminator(spare.thenBlock());
    memref::DeallocOp::create(
        then, loc, arith::SelectOp::create(then, loc, lastOdd, even, odd));
    OpBuilder otherwise = OpBuilder::atBlockTerminator(spare.elseBlock());
    memref::DeallocOp::create(otherwise, loc, even);
    memref::DeallocOp::create(otherwise, loc, odd);
  }
  for (const Release &release : releases) {
    Value owned =
        arith::AndIOp::create(b, loc, ran, loop.getInitArgs()[release.flag]);
    auto free = scf::IfOp::create(b, loc, owned, /*withElseRegion=*/false);
    OpBuilder then = OpBuilder::atBlockTerminator(free.thenBlock());
    for (unsigned index : release.freed)
      memref::DeallocOp::create(then, loc,
                                memref::ExtractStridedMetadataOp::create(
                                    then, loc, loop.getInitArgs()[index])
                                    .getBaseBuffer());
  }
  for (Operation *op : frees)
    op->moveBefore(b.getInsertionBlock(), b.getInsertionPoint());
}

void LoopFolder::fold() {
  Location loc = loop.getLoc();
  hoistBuffers();
  int64_t pes = 1;
  for (LaunchOp launch : body->getOps<LaunchOp>())
    pes = std::max(pes, static_cast<int64_t>(launch.getNumPes()));
  Value lb = loop.getLowerBound(), ub = loop.getUpperBound(),
        step = loop.getStep();
  auto job =
      LaunchOp::create(b, loc, b.getStringAttr("loop" + std::to_string(id)),
                       b.getI64IntegerAttr(pes));
  Block *program = b.createBlock(&job.getBody(), {}, {b.getIndexType()}, {loc});
  Value pe = program->getArgument(0);
  auto iterations = scf::ForOp::create(b, loc, lb, ub, step);
  b.setInsertionPoint(iterations.getBody()->getTerminator());
  Value iv = iterations.getInductionVar();
  Value number = arith::DivSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, iv, lb), step);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, number, zero);
  Value odd = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ne,
      arith::AndIOp::create(b, loc, number,
                            arith::ConstantIndexOp::create(b, loc, 1)),
      zero);
  bindCarried(first, odd);
  loop.getInductionVar().replaceAllUsesWith(iv);
  // The releases go before the body moves: nothing of them runs on the PEs.
  b.setInsertionPointAfter(job);
  finishOnHost(lb, ub, step);
  b.setInsertionPoint(iterations.getBody()->getTerminator());
  buildIteration(pe, pes);
  b.setInsertionPointToEnd(program);
  YieldOp::create(b, loc);
  job->setAttr(anvil::kMTIAWaveKernelsAttr, b.getArrayAttr(waveKernels));
  job->setAttr(anvil::kMTIAWaveNodesAttr, b.getArrayAttr(waveNodes));
  job->setAttr(anvil::kMTIAWaveCyclesAttr, b.getDenseI64ArrayAttr(waveCycles));
  loop.erase();
}

} // namespace

void anvil::mtia::foldDeviceLoops(ModuleOp module, func::FuncOp graph) {
  SmallVector<scf::ForOp> loops;
  graph.walk([&](scf::ForOp loop) {
    if (isOnDevice(loop))
      loops.push_back(loop);
  });
  for (auto [i, loop] : llvm::enumerate(loops))
    LoopFolder(module, loop, static_cast<int64_t>(i)).fold();
}

bool anvil::mtia::isOnDevice(Operation *control) {
  auto place =
      control->getAttrOfType<StringAttr>(anvil::policy::kControlPlaceAttr);
  return place && place.getValue() == anvil::policy::controlPlaceName(
                                          anvil::policy::ControlPlace::Device);
}
