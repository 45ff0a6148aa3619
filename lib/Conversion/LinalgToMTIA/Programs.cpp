//===- Programs.cpp - Kernels of one job, in waves over disjoint PEs ------===//
//
// The mechanism behind the scheduler's decisions: which launches may share
// a job (segments), which must follow which (dependences), and how a
// program of several kernels becomes one launch that anvil-mtia-to-calls
// outlines as one job.
//
//===----------------------------------------------------------------------===//

#include "Schedule.h"

#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Policy/Fusion.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <limits>
#include <map>

using namespace mlir;
using namespace anvil::mtia;
using namespace anvil::policy;

namespace {

/// Ops a program's job moves before itself.
bool hoistable(Operation *op) {
  return op->getNumRegions() == 0 &&
         (isa<memref::AllocOp>(op) || isMemoryEffectFree(op));
}

/// Part of a buffer a kernel reads or writes: the elements [lo, hi) of
/// `root` in its own layout, or all of it.
struct Span {
  Value root;
  int64_t lo = 0;
  int64_t hi = std::numeric_limits<int64_t>::max();

  bool operator==(const Span &other) const {
    return root == other.root && lo == other.lo && hi == other.hi;
  }
};

/// Views whose result's strided layout places it within the buffer they
/// view (offsets counted from that buffer's start).
bool keepsBase(Operation *op) {
  return isa<memref::SubViewOp, memref::CollapseShapeOp, memref::ExpandShapeOp,
             memref::CastOp, memref::ReinterpretCastOp>(op);
}

/// The buffer `v` views (through views and reshapes), and the part of it
/// that `bound` (a value on the way from `v` to it) covers where every view
/// between `bound` and the buffer keeps the buffer's base.
Span spanOf(Value v, function_ref<bool(Value)> bound) {
  Value bounded;
  bool based = true;
  while (Operation *def = v.getDefiningOp()) {
    if (!bounded && bound(v))
      bounded = v;
    if (auto view = dyn_cast<ViewLikeOpInterface>(def))
      v = view.getViewSource();
    else if (isa<memref::CollapseShapeOp, memref::ExpandShapeOp,
                 memref::CastOp>(def))
      v = def->getOperand(0);
    else
      break;
    if (bounded && !keepsBase(def))
      based = false;
  }
  Span span{v};
  auto whole = elementsOf(v.getType());
  auto part = bounded ? elementsOf(bounded.getType()) : std::nullopt;
  if (based && whole && whole->first == 0 && part)
    std::tie(span.lo, span.hi) = *part;
  return span;
}

/// The bytes of the SRAM an intermediate the plan placed takes, or none.
std::optional<std::pair<int64_t, int64_t>> plannedBytes(Value buffer) {
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  if (!alloc)
    return std::nullopt;
  auto offset = alloc->getAttrOfType<IntegerAttr>(kSRAMOffsetAttr);
  if (!offset)
    return std::nullopt;
  return std::make_pair(offset.getInt(),
                        offset.getInt() + localBufferBytes(alloc.getType()));
}

bool overlap(const Span &x, const Span &y) {
  if (x.root == y.root)
    return x.lo < y.hi && y.lo < x.hi;
  auto a = plannedBytes(x.root), b = plannedBytes(y.root);
  return a && b && a->first < b->second && b->first < a->second;
}

/// The parts of buffers defined outside a launch that it reads and writes.
struct Access {
  SmallVector<Span> reads, writes;
};

/// The operands of `op` that it writes: a transfer's destination, or what
/// its declared effects write (all of them where it declares none).
SmallVector<Value> writtenBy(Operation *op) {
  if (auto dma = dyn_cast<DMAOp>(op))
    return {dma.getDst()};
  if (auto dma = dyn_cast<DMABroadcastOp>(op))
    return {dma.getDst()};
  if (auto gather = dyn_cast<DMAGatherOp>(op))
    return {gather.getDst()};
  if (isa<MTIADialect>(op->getDialect()))
    return {}; // the units write local memory only
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return llvm::to_vector(op->getOperands());
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  SmallVector<Value> written;
  for (auto &instance : instances)
    if (isa<MemoryEffects::Write>(instance.getEffect()) && instance.getValue())
      written.push_back(instance.getValue());
  return written;
}

/// What `kernel` reads and writes of buffers defined outside it: a
/// launch's body through the views it captures, any other op (a linalg op
/// or copy that will form a kernel) through its operands.
Access accessOf(Operation *kernel) {
  Access access;
  auto outside = [&](Value v) {
    Operation *owner = v.getDefiningOp();
    if (!owner)
      owner = v.getParentBlock()->getParentOp();
    return !kernel->isAncestor(owner);
  };
  auto note = [&](Operation *op) {
    SmallVector<Value> written = writtenBy(op);
    for (Value operand : op->getOperands()) {
      if (!isa<MemRefType>(operand.getType()))
        continue;
      // The kernel stays within the view it captures.
      Span span = spanOf(operand, outside);
      if (!outside(span.root))
        continue;
      auto &list =
          llvm::is_contained(written, operand) ? access.writes : access.reads;
      if (!llvm::is_contained(list, span))
        list.push_back(span);
    }
  };
  if (auto launch = dyn_cast<LaunchOp>(kernel))
    launch.getBody().walk(note);
  else
    note(kernel);
  return access;
}

bool anyOverlap(ArrayRef<Span> xs, ArrayRef<Span> ys) {
  return llvm::any_of(xs, [&](const Span &x) {
    return llvm::any_of(ys, [&](const Span &y) { return overlap(x, y); });
  });
}

int64_t programOf(LaunchOp launch, int64_t fallback) {
  auto program = launch->getAttrOfType<IntegerAttr>(kScheduleProgramAttr);
  return program ? program.getInt() : fallback;
}

} // namespace

std::optional<std::pair<int64_t, int64_t>> anvil::mtia::elementsOf(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(memref.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) || llvm::any_of(strides, [](int64_t s) {
        return ShapedType::isDynamic(s) || s < 0;
      }))
    return std::nullopt;
  int64_t last = offset;
  for (auto [size, stride] : llvm::zip(memref.getShape(), strides)) {
    if (size == 0)
      return std::make_pair(offset, offset);
    last += (size - 1) * stride;
  }
  return std::make_pair(offset, last + 1);
}

int64_t anvil::mtia::waveOf(LaunchOp launch) {
  auto wave = launch->getAttrOfType<IntegerAttr>(kScheduleWaveAttr);
  return wave ? wave.getInt() : 0;
}

std::pair<int64_t, int64_t> anvil::mtia::pesOf(LaunchOp launch) {
  auto pes = launch->getAttrOfType<DenseI64ArrayAttr>(kSchedulePEsAttr);
  if (pes && pes.size() == 2)
    return {pes[0], pes[1]};
  return {0, static_cast<int64_t>(launch.getNumPes())};
}

std::map<int64_t, SmallVector<LaunchOp>>
anvil::mtia::wavesOf(ArrayRef<LaunchOp> program) {
  std::map<int64_t, SmallVector<LaunchOp>> waves;
  for (LaunchOp launch : program)
    waves[waveOf(launch)].push_back(launch);
  return waves;
}

bool anvil::mtia::formsKernel(Operation *op) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return linalgOp.hasPureBufferSemantics() &&
           !op->getParentOfType<LaunchOp>();
  return isa<memref::CopyOp>(op);
}

SmallVector<SmallVector<Operation *>>
anvil::mtia::runsOf(func::FuncOp graph,
                    function_ref<bool(Operation *)> isKernel) {
  SmallVector<SmallVector<Operation *>> segments;
  auto scan = [&](Block &block) {
    SmallVector<Operation *> run;
    auto close = [&] {
      if (!run.empty())
        segments.push_back(std::move(run));
      run.clear();
    };
    for (Operation &op : block) {
      if (isKernel(&op))
        run.push_back(&op);
      else if (!hoistable(&op) && !isa<memref::DeallocOp>(op) &&
               !readsForDeviceLoop(&op))
        close();
    }
    close();
  };
  // Kernels' bodies hold no kernels: the walk does not enter them.
  graph.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (isKernel(op))
      return WalkResult::skip();
    for (Region &region : op->getRegions())
      for (Block &block : region)
        scan(block);
    return WalkResult::advance();
  });
  return segments;
}

SmallVector<SmallVector<LaunchOp>> anvil::mtia::segmentsOf(func::FuncOp graph) {
  return llvm::map_to_vector(
      runsOf(graph, [](Operation *op) { return isa<LaunchOp>(op); }),
      [](const SmallVector<Operation *> &run) {
        return llvm::map_to_vector(
            run, [](Operation *op) { return cast<LaunchOp>(op); });
      });
}

SmallVector<SmallVector<int64_t, 4>>
anvil::mtia::dependencesOf(ArrayRef<Operation *> segment) {
  SmallVector<Access> accesses = llvm::map_to_vector(segment, accessOf);
  SmallVector<SmallVector<int64_t, 4>> dependences(segment.size());
  for (size_t j = 0; j < segment.size(); ++j)
    for (size_t i = 0; i < j; ++i) {
      const Access &before = accesses[i], &after = accesses[j];
      if (anyOverlap(before.writes, after.reads) ||
          anyOverlap(before.writes, after.writes) ||
          anyOverlap(before.reads, after.writes))
        dependences[j].push_back(static_cast<int64_t>(i));
    }
  return dependences;
}

SmallVector<SmallVector<int64_t, 4>>
anvil::mtia::dependencesOf(ArrayRef<LaunchOp> segment) {
  return dependencesOf(llvm::map_to_vector(
      segment, [](LaunchOp launch) -> Operation * { return launch; }));
}

SmallVector<SmallVector<LaunchOp>> anvil::mtia::programsOf(func::FuncOp graph) {
  SmallVector<SmallVector<LaunchOp>> programs;
  std::map<int64_t, size_t> index;
  int64_t unscheduled = -1;
  graph.walk<WalkOrder::PreOrder>([&](LaunchOp launch) {
    int64_t id = programOf(launch, unscheduled--);
    auto [it, inserted] = index.try_emplace(id, programs.size());
    if (inserted)
      programs.emplace_back();
    programs[it->second].push_back(launch);
    return WalkResult::skip();
  });
  return programs;
}

namespace {

/// Checks one program: its launches consecutive in one segment, each on PEs
/// of the machine and as many as its tiling gives work to, the kernels of
/// a wave on disjoint PEs and within the SRAM, and every kernel in a wave
/// after those it depends on.
LogicalResult checkProgram(ArrayRef<LaunchOp> program,
                           ArrayRef<SmallVector<LaunchOp>> segments,
                           int64_t numPEs, int64_t sramBytes) {
  for (LaunchOp launch : program) {
    auto [first, count] = pesOf(launch);
    if (count != static_cast<int64_t>(launch.getNumPes()))
      return launch.emitOpError("is scheduled on ")
             << count << " PEs, but its tiling gives work to "
             << launch.getNumPes() << ": not carried out";
    if (first < 0 || first + count > numPEs)
      return launch.emitOpError("is scheduled on PEs ")
             << first << " .. " << first + count - 1 << " of a machine of "
             << numPEs;
  }
  if (program.size() < 2)
    return success();
  const SmallVector<LaunchOp> *segment = nullptr;
  for (const SmallVector<LaunchOp> &candidate : segments)
    if (llvm::is_contained(candidate, program.front()))
      segment = &candidate;
  auto start = llvm::find(*segment, program.front()) - segment->begin();
  LaunchOp head = program.front();
  for (auto [i, launch] : llvm::enumerate(program))
    if (start + static_cast<int64_t>(i) >=
            static_cast<int64_t>(segment->size()) ||
        (*segment)[start + i] != launch)
      return LaunchOp(launch).emitOpError("shares a program with kernel '")
             << head.getKernel()
             << "', but the host has work between them, or other kernels "
                "run between them";
  for (auto &[wave, kernels] : wavesOf(program)) {
    int64_t sram = 0;
    for (auto [i, launch] : llvm::enumerate(kernels)) {
      sram += launch.bufferBytes(MemorySpace::SRAM);
      auto [first, count] = pesOf(launch);
      for (LaunchOp other : ArrayRef(kernels).take_front(i)) {
        auto [otherFirst, otherCount] = pesOf(other);
        if (first < otherFirst + otherCount && otherFirst < first + count)
          return launch.emitOpError("shares PEs with kernel '")
                 << other.getKernel() << "' in wave " << wave;
      }
    }
    if (sram > sramBytes)
      return kernels.back().emitOpError("is in wave ")
             << wave << ", whose kernels stage " << sram
             << " bytes in SRAM; the intermediates' plan leaves " << sramBytes;
  }
  SmallVector<SmallVector<int64_t, 4>> dependences = dependencesOf(program);
  for (auto [j, after] : llvm::enumerate(dependences))
    for (int64_t i : after) {
      LaunchOp launch = program[j], producer = program[i];
      if (waveOf(producer) >= waveOf(launch))
        return launch.emitOpError("is scheduled in wave ")
               << waveOf(launch) << ", not after kernel '"
               << producer.getKernel() << "' (wave " << waveOf(producer)
               << "), whose buffers it uses";
    }
  return success();
}

} // namespace

SmallVector<Operation *> anvil::mtia::controlWithLaunches(func::FuncOp graph) {
  SmallVector<Operation *> control;
  graph.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (isa<LaunchOp>(op))
      return WalkResult::skip();
    if (op != graph && op->getNumRegions() > 0 &&
        op->walk([](LaunchOp) {
            return WalkResult::interrupt();
          }).wasInterrupted())
      control.push_back(op);
    return WalkResult::advance();
  });
  return control;
}

LogicalResult anvil::mtia::checkSchedule(func::FuncOp graph, int64_t numPEs,
                                         int64_t sramBytes) {
  SmallVector<SmallVector<LaunchOp>> segments = segmentsOf(graph);
  for (const SmallVector<LaunchOp> &program : programsOf(graph))
    if (failed(checkProgram(program, segments, numPEs, sramBytes)))
      return failure();
  for (Operation *op : controlWithLaunches(graph)) {
    if (!isOnDevice(op))
      continue;
    if (isa<scf::IfOp>(op))
      return op->emitOpError("is placed on the device, but its kernels are "
                             "not predicated (anvil-mtia-predicate-branches)");
    if (std::optional<std::string> why = deviceBlocker(op))
      return op->emitOpError("is placed on the device, but ") << *why;
  }
  return success();
}

void anvil::mtia::gatherProgram(ArrayRef<LaunchOp> program) {
  Operation *first = program.front(), *last = program.back();
  SmallVector<Operation *> between;
  for (Operation *op = first->getNextNode(); op != last; op = op->getNextNode())
    if (!isa<LaunchOp>(op))
      between.push_back(op);
  for (Operation *op : between) {
    // A loop on the device after the program reads what its kernels wrote.
    if (!isa<memref::DeallocOp>(op) && !readsForDeviceLoop(op)) {
      op->moveBefore(first);
      continue;
    }
    op->moveAfter(last);
    last = op;
  }
}

LaunchOp anvil::mtia::mergeProgram(
    ArrayRef<LaunchOp> program, StringRef name,
    function_ref<void(OpBuilder &, Location, int64_t, ArrayRef<LaunchOp>)>
        startWave) {
  int64_t numPEs = 0;
  SmallVector<Location> locs;
  for (LaunchOp launch : program) {
    auto [first, count] = pesOf(launch);
    numPEs = std::max(numPEs, first + count);
    locs.push_back(launch.getLoc());
  }
  OpBuilder b(program.front());
  Location loc = FusedLoc::get(b.getContext(), locs);
  auto merged = LaunchOp::create(b, loc, b.getStringAttr(name),
                                 b.getI64IntegerAttr(numPEs));
  Block *body = b.createBlock(&merged.getBody(), {}, {b.getIndexType()}, {loc});
  Value pe = body->getArgument(0);
  for (auto [index, wave] : llvm::enumerate(wavesOf(program))) {
    startWave(b, loc, static_cast<int64_t>(index), wave.second);
    for (LaunchOp launch : wave.second) {
      OpBuilder::InsertionGuard guard(b);
      auto [first, count] = pesOf(launch);
      Value own = pe;
      if (count != numPEs) {
        Value lo = arith::ConstantIndexOp::create(b, loc, first);
        Value hi = arith::ConstantIndexOp::create(b, loc, first + count);
        Value in = arith::AndIOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, pe, lo),
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, pe, hi));
        auto inside = scf::IfOp::create(b, loc, in, /*withElseRegion=*/false);
        b.setInsertionPoint(inside.thenBlock()->getTerminator());
        own = first ? arith::SubIOp::create(b, loc, pe, lo).getResult() : pe;
      }
      Block &kernel = launch.getBody().front();
      kernel.getArgument(0).replaceAllUsesWith(own);
      Block *to = b.getInsertionBlock();
      to->getOperations().splice(b.getInsertionPoint(), kernel.getOperations(),
                                 kernel.begin(), std::prev(kernel.end()));
    }
  }
  YieldOp::create(b, loc);
  for (LaunchOp launch : program)
    launch.erase();
  return merged;
}

LaunchOp anvil::mtia::launchBeside(Operation *op, bool before) {
  for (Operation *next = before ? op->getPrevNode() : op->getNextNode(); next;
       next = before ? next->getPrevNode() : next->getNextNode()) {
    if (auto launch = dyn_cast<LaunchOp>(next))
      return launch;
    if (!hoistable(next) && !isa<memref::DeallocOp>(next) &&
        !readsForDeviceLoop(next))
      return nullptr;
  }
  return nullptr;
}

bool anvil::mtia::readsForDeviceLoop(Operation *op) {
  return isa<memref::LoadOp>(op) && !op->use_empty() &&
         llvm::all_of(op->getUsers(), [](Operation *user) {
           return isa<scf::WhileOp>(user) && isOnDevice(user);
         });
}

std::string anvil::mtia::modelNodes(Location loc) {
  SmallVector<StringRef> names;
  loc->walk([&](Location inner) {
    if (auto named = dyn_cast<NameLoc>(inner))
      if (!named.getName().getValue().empty() &&
          !llvm::is_contained(names, named.getName().getValue()))
        names.push_back(named.getName().getValue());
    return WalkResult::advance();
  });
  return llvm::join(names, ",");
}
