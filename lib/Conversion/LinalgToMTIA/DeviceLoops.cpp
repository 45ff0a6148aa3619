//===- DeviceLoops.cpp - Loops the PEs run, as one job (Grinder) ----------===//
//
// A counted loop placed on the device becomes one job that runs the loop
// on every PE: the body's kernels (its program, merged) in each iteration
// with a barrier closing it; the buffers the loop carries alternate
// between two fixed ones (the body allocated a new one per iteration);
// the iteration number the body reads is written by PE 0. Where the
// scheduler joins the loop with the programs just before and after it
// (anvil.schedule.joins), the three are one job, a barrier between them.
//
//===----------------------------------------------------------------------===//

#include "CallEmitter.h"
#include "DeviceControl.h"
#include "Schedule.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace anvil::mtia;
using namespace anvil::mtia::device;

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

/// Charges the PE's core at `b` for loading or storing one element of
/// `type` (an index as 64 bits): host work that moved onto the PEs.
void chargeScalarAccess(ModuleOp module, OpBuilder &b, Location loc,
                        MemRefType type) {
  Type element = type.getElementType();
  int64_t bytes = element.isIndex() ? sizeof(int64_t) : elementBytes(element);
  CallEmitter e(module, b, loc);
  e.call("anvil_mtia_vector_traffic",
         {e.i32(static_cast<int32_t>(memorySpaceOf(type))), e.i64(bytes)},
         false);
}

/// A release by the numbers of the loop's iter_args: the ownership flag
/// and the buffers it frees.
struct Release {
  unsigned flag;
  SmallVector<unsigned> freed;
};

/// The waves of a job built of several parts (programs, a loop's body):
/// each part's waves numbered on from the parts before it.
class JobWaves {
public:
  /// Renumbers the wave marks of `part` to follow the waves so far and
  /// takes its waves' names; a part of one kernel is one wave, marked at
  /// `b` (where every PE of the job enters it).
  void take(ModuleOp module, OpBuilder &b, LaunchOp part);
  /// Labels `job` with the waves taken.
  void label(LaunchOp job);

private:
  SmallVector<Attribute> kernels, nodes;
  SmallVector<int64_t> cycles;
};

void JobWaves::take(ModuleOp module, OpBuilder &b, LaunchOp part) {
  auto names = part->getAttrOfType<ArrayAttr>(anvil::kMTIAWaveKernelsAttr);
  auto partNodes = part->getAttrOfType<ArrayAttr>(anvil::kMTIAWaveNodesAttr);
  auto partCycles =
      part->getAttrOfType<DenseI64ArrayAttr>(anvil::kMTIAWaveCyclesAttr);
  int64_t offset = static_cast<int64_t>(kernels.size());
  if (!names || !partNodes || !partCycles) {
    CallEmitter e(module, b, part.getLoc());
    e.call(anvil::kMTIAWaveMark, {e.i64(offset)}, false);
    auto predicted =
        part->getAttrOfType<IntegerAttr>(anvil::kMTIAPredictedCyclesAttr);
    kernels.push_back(part.getKernelAttr());
    nodes.push_back(b.getStringAttr(modelNodes(part.getLoc())));
    cycles.push_back(predicted ? predicted.getInt() : -1);
    return;
  }
  llvm::append_range(kernels, names);
  llvm::append_range(nodes, partNodes);
  llvm::append_range(cycles, partCycles.asArrayRef());
  part.walk([&](func::CallOp call) {
    if (call.getCallee() != anvil::kMTIAWaveMark)
      return;
    auto index = call.getOperand(0).getDefiningOp<arith::ConstantIntOp>();
    OpBuilder at(call);
    call.setOperand(0, arith::ConstantIntOp::create(at, call.getLoc(),
                                                    at.getI64Type(),
                                                    index.value() + offset));
  });
}

void JobWaves::label(LaunchOp job) {
  Builder b(job->getContext());
  job->setAttr(anvil::kMTIAWaveKernelsAttr, b.getArrayAttr(kernels));
  job->setAttr(anvil::kMTIAWaveNodesAttr, b.getArrayAttr(nodes));
  job->setAttr(anvil::kMTIAWaveCyclesAttr, b.getDenseI64ArrayAttr(cycles));
}

/// Inlines the PE program of `part` at `b`, in a job of `pes` PEs whose
/// index is `pe`. PEs of the job beyond the part's own pass its program's
/// barriers and waves (the top level of a program's body: its waves'
/// start) without work; the part's own barriers are its PEs' alone.
void inlinePart(ModuleOp module, OpBuilder &b, LaunchOp part, Value pe,
                int64_t pes, JobWaves &waves) {
  Location loc = part.getLoc();
  waves.take(module, b, part);
  Block &kernel = part.getBody().front();
  kernel.getArgument(0).replaceAllUsesWith(pe);
  int64_t own = static_cast<int64_t>(part.getNumPes());
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

/// Inlines `launch` at `b`, after a barrier where work of the iteration
/// comes before it (`pending`, which it then sets).
void inlineInTurn(ModuleOp module, OpBuilder &b, LaunchOp launch, Value pe,
                  int64_t pes, JobWaves &waves, bool &pending) {
  if (pending)
    CallEmitter(module, b, launch.getLoc())
        .call("anvil_mtia_barrier", {}, false);
  inlinePart(module, b, launch, pe, pes, waves);
  launch.erase();
  pending = true;
}

/// Frees, where `owned` holds, the initial buffers `release` would have
/// freed on the loop's first iteration.
void replayRelease(OpBuilder &b, Location loc, Value owned,
                   const Release &release, ValueRange inits) {
  auto free = scf::IfOp::create(b, loc, owned, /*withElseRegion=*/false);
  OpBuilder then = OpBuilder::atBlockTerminator(free.thenBlock());
  for (unsigned index : release.freed)
    memref::DeallocOp::create(
        then, loc,
        memref::ExtractStridedMetadataOp::create(then, loc, inits[index])
            .getBaseBuffer());
}

/// Records and erases a release, with what only it used; the block's
/// arguments from `first` on are the loop's carried values.
Release takeRelease(scf::IfOp release, unsigned first) {
  Release taken{
      cast<BlockArgument>(release.getCondition()).getArgNumber() - first, {}};
  SetVector<Operation *> feeding;
  for (BlockArgument arg : releasedBy(release))
    taken.freed.push_back(arg.getArgNumber() - first);
  for (Operation &op : release.thenBlock()->without_terminator())
    if (Operation *def = op.getOperand(0).getDefiningOp())
      feeding.insert(def);
  release.erase();
  for (Operation *def : feeding)
    if (def->use_empty())
      def->erase();
  return taken;
}

/// Folds device-resident loops into jobs, numbering their waves on.
class LoopFolder {
public:
  LoopFolder(ModuleOp module, scf::ForOp loop, int64_t id)
      : module(module), loop(loop), body(loop.getBody()), id(id), b(loop) {}

  /// Replaces the loop by its job, of `pes` PEs.
  LaunchOp fold(int64_t pes);

private:
  void hoistBuffers();
  void bindCarried(Value first, Value odd);
  void buildIteration(Value pe, int64_t pes);
  void finishOnHost(Value lb, Value ub, Value step);

  ModuleOp module;
  scf::ForOp loop;
  Block *body;
  int64_t id;
  OpBuilder b;
  SmallVector<CarriedBuffer> carried;
  SmallVector<Operation *> frees;
  SmallVector<Release> releases;
  JobWaves waves;
};

void LoopFolder::hoistBuffers() {
  for (Operation &op : llvm::make_early_inc_range(body->without_terminator())) {
    if (staticAlloc(op))
      op.moveBefore(loop);
    else if (isa<memref::DeallocOp>(op))
      frees.push_back(&op);
    else if (releasesCarried(op, loop))
      releases.push_back(takeRelease(cast<scf::IfOp>(op), /*first=*/1));
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

/// The body's ops, in order, into the iteration at `b`: kernels inlined
/// with a barrier before each one that follows work of the iteration, the
/// host's stores (an iteration number) made by PE 0, the rest as is.
void LoopFolder::buildIteration(Value pe, int64_t pes) {
  Location loc = loop.getLoc();
  CallEmitter e(module, b, loc);
  bool pending = false;
  for (Operation &op : llvm::make_early_inc_range(body->without_terminator())) {
    if (auto launch = dyn_cast<LaunchOp>(op)) {
      inlineInTurn(module, b, launch, pe, pes, waves, pending);
      continue;
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      Value first =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, pe,
                                arith::ConstantIndexOp::create(b, loc, 0));
      auto only = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
      op.moveBefore(only.thenBlock()->getTerminator());
      OpBuilder at(only.thenBlock()->getTerminator());
      chargeScalarAccess(module, at, loc, store.getMemRefType());
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
  // What the host frees goes to the end of the block, out of the way of a
  // job that the programs after the loop may share.
  OpBuilder atEnd(b.getInsertionBlock()->getTerminator());
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
    auto spare = scf::IfOp::create(atEnd, loc, ran, /*withElseRegion=*/true);
    OpBuilder then = OpBuilder::atBlockTerminator(spare.thenBlock());
    memref::DeallocOp::create(
        then, loc, arith::SelectOp::create(then, loc, lastOdd, even, odd));
    OpBuilder otherwise = OpBuilder::atBlockTerminator(spare.elseBlock());
    memref::DeallocOp::create(otherwise, loc, even);
    memref::DeallocOp::create(otherwise, loc, odd);
  }
  for (const Release &release : releases)
    replayRelease(
        atEnd, loc,
        arith::AndIOp::create(b, loc, ran, loop.getInitArgs()[release.flag]),
        release, loop.getInitArgs());
  for (Operation *op : frees)
    op->moveBefore(atEnd.getInsertionBlock(), atEnd.getInsertionPoint());
}

LaunchOp LoopFolder::fold(int64_t pes) {
  Location loc = loop.getLoc();
  hoistBuffers();
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
  b.setInsertionPointAfter(job);
  finishOnHost(lb, ub, step);
  b.setInsertionPoint(iterations.getBody()->getTerminator());
  buildIteration(pe, pes);
  b.setInsertionPointToEnd(program);
  YieldOp::create(b, loc);
  waves.label(job);
  if (Attribute joins = loop->getAttr(anvil::policy::kScheduleJoinsAttr))
    job->setAttr(anvil::policy::kScheduleJoinsAttr, joins);
  loop.erase();
  return job;
}

/// Moves a while loop into a job: every PE runs it, tests its condition
/// and reads what the host would have read (a predicate a kernel wrote)
/// after a barrier; the regions' allocations are made once, before it.
class WhileFolder {
public:
  WhileFolder(ModuleOp module, scf::WhileOp loop, int64_t id)
      : module(module), loop(loop), id(id) {}

  LaunchOp fold(int64_t pes);

private:
  void hoistBuffers();
  void buildRegion(Block *block, Value pe, int64_t pes, bool closes);

  ModuleOp module;
  scf::WhileOp loop;
  int64_t id;
  JobWaves waves;
  SmallVector<memref::AllocOp> hoisted;
  // The condition region's releases: its first run's frees the initial
  // buffers the loop owns.
  SmallVector<Release> releases;
};

void WhileFolder::hoistBuffers() {
  for (Block *block : {loop.getBeforeBody(), loop.getAfterBody()})
    for (Operation &op : llvm::make_early_inc_range(*block)) {
      if (memref::AllocOp alloc = staticAlloc(op)) {
        alloc->moveBefore(loop);
        hoisted.push_back(alloc);
      } else if (isa<memref::DeallocOp>(op)) {
        op.erase();
      } else if (releasesArgs(op, block)) {
        Release release = takeRelease(cast<scf::IfOp>(op), /*first=*/0);
        if (block == loop.getBeforeBody())
          releases.push_back(release);
      }
    }
}

/// Inlines the kernels of `block` with a barrier before each one that
/// follows work of the iteration and before each read of what a kernel
/// may have written; `closes`: a barrier ends the block (the iteration).
void WhileFolder::buildRegion(Block *block, Value pe, int64_t pes,
                              bool closes) {
  OpBuilder b(module.getContext());
  bool pending = false;
  for (Operation &op :
       llvm::make_early_inc_range(block->without_terminator())) {
    b.setInsertionPoint(&op);
    CallEmitter e(module, b, op.getLoc());
    if (auto launch = dyn_cast<LaunchOp>(op)) {
      inlineInTurn(module, b, launch, pe, pes, waves, pending);
    } else if (auto load = dyn_cast<memref::LoadOp>(op)) {
      if (pending)
        e.call("anvil_mtia_barrier", {}, false);
      pending = false;
      b.setInsertionPointAfter(load);
      chargeScalarAccess(module, b, load.getLoc(), load.getMemRefType());
    }
  }
  if (closes) {
    b.setInsertionPoint(block->getTerminator());
    CallEmitter(module, b, loop.getLoc()).call("anvil_mtia_barrier", {}, false);
  }
}

LaunchOp WhileFolder::fold(int64_t pes) {
  Location loc = loop.getLoc();
  hoistBuffers();
  OpBuilder b(loop);
  // What the host uses of the results: values made outside the loop (an
  // allocation of its regions, now made before it).
  IRMapping outside;
  b.setInsertionPointAfter(loop);
  for (auto [result, last] :
       llvm::zip(loop.getResults(), loop.getConditionOp().getArgs())) {
    if (result.use_empty())
      continue;
    SmallVector<Operation *> casts;
    Value v = last;
    while (auto cast = v.getDefiningOp<memref::CastOp>()) {
      casts.push_back(cast);
      v = cast.getSource();
    }
    for (Operation *cast : llvm::reverse(casts))
      b.clone(*cast, outside);
    result.replaceAllUsesWith(outside.lookupOrDefault(last));
  }
  b.setInsertionPoint(loop);
  auto job =
      LaunchOp::create(b, loc, b.getStringAttr("loop" + std::to_string(id)),
                       b.getI64IntegerAttr(pes));
  Block *program = b.createBlock(&job.getBody(), {}, {b.getIndexType()}, {loc});
  YieldOp::create(b, loc);
  loop->moveBefore(program->getTerminator());
  Value pe = program->getArgument(0);
  // A first condition the host would read (a kernel before the loop wrote
  // it) every PE reads at the start of the job.
  for (Value init : loop.getInits())
    if (Operation *load = init.getDefiningOp();
        load && readsForDeviceLoop(load) && load->getBlock() != program) {
      load->moveBefore(loop);
      OpBuilder at(loop);
      chargeScalarAccess(module, at, load->getLoc(),
                         cast<memref::LoadOp>(load).getMemRefType());
    }
  // The body's kernels wait for the condition region's.
  buildRegion(loop.getBeforeBody(), pe, pes,
              /*closes=*/!loop.getBeforeBody()->getOps<LaunchOp>().empty());
  buildRegion(loop.getAfterBody(), pe, pes, /*closes=*/true);
  waves.label(job);
  if (Attribute joins = loop->getAttr(anvil::policy::kScheduleJoinsAttr))
    job->setAttr(anvil::policy::kScheduleJoinsAttr, joins);
  loop->removeAttr(anvil::policy::kScheduleJoinsAttr);
  loop->removeAttr(anvil::policy::kControlPlaceAttr);
  // The regions' buffers live until the loop's job ends; those it returns
  // are the host's to free.
  OpBuilder atEnd(job->getBlock()->getTerminator());
  // The condition region runs at least once, on the initial values.
  for (const Release &release : releases)
    replayRelease(atEnd, loc, loop.getInits()[release.flag], release,
                  loop.getInits());
  for (memref::AllocOp alloc : hoisted)
    if (llvm::none_of(alloc->getUsers(),
                      [&](Operation *user) { return !job->isAncestor(user); }))
      memref::DeallocOp::create(atEnd, loc, alloc);
  return job;
}

/// Whether `op` lies between the parts of a job and runs on the host
/// before it (allocations and what is free of memory effects) rather
/// than after it (what frees buffers).
bool runsBeforeJob(Operation &op) {
  return op.getNumRegions() == 0 &&
         (isa<memref::AllocOp>(op) || isMemoryEffectFree(&op));
}

/// Makes `parts` (launches of one block, in order, with nothing between
/// them the host must run before the next) one job of `pes` PEs named
/// `name`, a barrier between parts; what frees buffers between them moves
/// after it.
LaunchOp concatenate(ModuleOp module, SmallVector<LaunchOp> parts,
                     StringRef name, int64_t pes) {
  Location loc = parts.back().getLoc();
  SmallVector<Operation *> after;
  for (Operation *op = parts.front()->getNextNode(); op != parts.back();
       op = op->getNextNode())
    if (!isa<LaunchOp>(op) && !runsBeforeJob(*op))
      after.push_back(op);
  OpBuilder b(module.getContext());
  b.setInsertionPointAfter(parts.back());
  auto job =
      LaunchOp::create(b, loc, b.getStringAttr(name), b.getI64IntegerAttr(pes));
  Block *program = b.createBlock(&job.getBody(), {}, {b.getIndexType()}, {loc});
  JobWaves waves;
  CallEmitter e(module, b, loc);
  for (auto [i, part] : llvm::enumerate(parts)) {
    if (i > 0)
      e.call("anvil_mtia_barrier", {}, false);
    inlinePart(module, b, part, program->getArgument(0), pes, waves);
  }
  YieldOp::create(b, loc);
  waves.label(job);
  if (Attribute program =
          parts.back()->getAttr(anvil::policy::kScheduleProgramAttr))
    job->setAttr(anvil::policy::kScheduleProgramAttr, program);
  for (LaunchOp part : parts)
    part.erase();
  for (Operation *op : llvm::reverse(after))
    op->moveAfter(job);
  return job;
}

/// The launch beside `job` if it runs the program `program` (-1: none).
std::optional<LaunchOp> partBeside(LaunchOp job, bool before, int64_t program) {
  LaunchOp beside = launchBeside(job, before);
  auto id = beside ? beside->getAttrOfType<IntegerAttr>(
                         anvil::policy::kScheduleProgramAttr)
                   : IntegerAttr();
  if (program < 0 || !id || id.getInt() != program)
    return std::nullopt;
  return beside;
}

} // namespace

void anvil::mtia::foldDeviceLoops(ModuleOp module, func::FuncOp graph,
                                  int64_t numPEs) {
  SmallVector<Operation *> loops;
  graph.walk([&](Operation *op) {
    if (isa<scf::ForOp, scf::WhileOp>(op) && isOnDevice(op))
      loops.push_back(op);
  });
  for (auto [i, loop] : llvm::enumerate(loops)) {
    auto joins = loop->getAttrOfType<DenseI64ArrayAttr>(
        anvil::policy::kScheduleJoinsAttr);
    // A loop that shares its job takes the machine: the programs beside
    // it may take any of its PEs, and every PE of the job runs the loop.
    int64_t pes = 1;
    loop->walk([&](LaunchOp launch) {
      pes = std::max(pes, static_cast<int64_t>(launch.getNumPes()));
    });
    if (joins)
      pes = numPEs;
    int64_t id = static_cast<int64_t>(i);
    LaunchOp job =
        isa<scf::ForOp>(loop)
            ? LoopFolder(module, cast<scf::ForOp>(loop), id).fold(pes)
            : WhileFolder(module, cast<scf::WhileOp>(loop), id).fold(pes);
    if (!joins || joins.size() != 2)
      continue;
    SmallVector<LaunchOp> parts;
    if (std::optional<LaunchOp> before = partBeside(job, true, joins[0]))
      parts.push_back(*before);
    parts.push_back(job);
    if (std::optional<LaunchOp> after = partBeside(job, false, joins[1]))
      parts.push_back(*after);
    if (parts.size() > 1)
      concatenate(module, parts,
                  parts.front() == job ? job.getKernel()
                                       : parts.front().getKernel(),
                  pes);
  }
}

bool anvil::mtia::isOnDevice(Operation *control) {
  auto place =
      control->getAttrOfType<StringAttr>(anvil::policy::kControlPlaceAttr);
  return place && place.getValue() == anvil::policy::controlPlaceName(
                                          anvil::policy::ControlPlace::Device);
}
