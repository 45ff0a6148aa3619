//===- Simulator.cpp - Time of the simulated machine ----------------------===//

#include "anvil/Sim/Simulator.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <map>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <utility>

using namespace anvil::sim;
using namespace anvil::target;

llvm::StringRef anvil::sim::unitName(Unit unit) {
  switch (unit) {
  case Unit::Core:
    return "core";
  case Unit::DMA:
    return "dma";
  case Unit::DPE:
    return "dpe";
  case Unit::SE:
    return "se";
  case Unit::RE:
    return "re";
  }
  llvm_unreachable("unknown unit");
}

/// A PE's clocks: when its core may issue next, and when each unit is free;
/// and where its program stands among the job's fibers.
struct Simulator::PEState {
  int64_t clock = 0;
  int64_t unitFree[kNumUnits] = {};
  /// The waves of its program this PE has entered.
  int64_t wavesEntered = 0;
  /// When the last issued operation's result is in place (a transfer's
  /// latency outlasts its unit's busy time).
  int64_t lastCompletion = 0;
  /// When this PE's last transfer at each level stops using the level's
  /// bandwidth.
  int64_t transferUntil[kNumMemoryLevels] = {};

  enum class Waiting { None, Barrier, Semaphore };
  bool started = false, done = false;
  Waiting waiting = Waiting::None;
  int32_t waitSemaphore = 0;
  int64_t waitCount = 0;
  /// Arrival times of signals not yet taken, by semaphore.
  std::map<int32_t, std::vector<int64_t>> signals;

  bool mayRun() const {
    if (waiting == Waiting::Semaphore) {
      auto it = signals.find(waitSemaphore);
      return it != signals.end() &&
             static_cast<int64_t>(it->second.size()) >= waitCount;
    }
    return waiting == Waiting::None;
  }

  int64_t doneAt() const {
    return std::max({clock, lastCompletion,
                     *std::max_element(unitFree, unitFree + kNumUnits)});
  }
};

/// A fiber's stack, with an inaccessible page below it: a program that
/// overflows it stops at once instead of overwriting the heap.
class FiberStack {
public:
  FiberStack() = default;
  FiberStack(const FiberStack &) = delete;
  FiberStack(FiberStack &&other) noexcept
      : base(std::exchange(other.base, nullptr)), bytes(other.bytes) {}
  ~FiberStack() {
    if (base)
      munmap(base, bytes);
  }

  /// Maps `usable` bytes plus the guard page; false if the host refuses.
  bool allocate(size_t usable) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    bytes = usable + page;
    void *mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped == MAP_FAILED)
      return false;
    base = static_cast<char *>(mapped);
    mprotect(base, page, PROT_NONE);
    return true;
  }
  char *usableBase() const { return base + (bytes - usableBytes()); }
  size_t usableBytes() const {
    return bytes - static_cast<size_t>(sysconf(_SC_PAGESIZE));
  }
  explicit operator bool() const { return base != nullptr; }

private:
  char *base = nullptr;
  size_t bytes = 0;
};

/// The job's PE programs as ucontext fibers on the host thread, with the
/// stacks kept from job to job.
struct Simulator::Fibers {
  /// Compiled PE programs keep their vector temporaries on the stack.
  static constexpr size_t kStackBytes = size_t(1) << 20;
  ucontext_t scheduler;
  std::vector<ucontext_t> contexts;
  std::vector<FiberStack> stacks;
  llvm::function_ref<void(int64_t)> program;
  /// Arrivals at each barrier still holding PEs, by its PEs (first, count).
  std::map<std::pair<int64_t, int64_t>, int64_t> barrierArrivals;
  /// Cycles the job's PEs have spent held at barriers.
  int64_t barrierWaitCycles = 0;
  bool running = false;
};

static thread_local Simulator *currentSimulator = nullptr;

Simulator *Simulator::current() { return currentSimulator; }

Simulator::Scope::Scope(Simulator &sim) : previous(currentSimulator) {
  currentSimulator = &sim;
}

Simulator::Scope::~Scope() { currentSimulator = previous; }

Simulator::Simulator(TargetDesc desc, SimOptions options)
    : machine(std::move(desc)), options(options), pes(machine.numPEs()),
      localMemory(new char[machine.numPEs() * localBytes()]),
      fibers(new Fibers) {}

Simulator::~Simulator() = default;

char *Simulator::sramBase() {
  // Allocated on first use (compiled artifacts are given it on every run;
  // hand-written programs may not use it); untouched pages of the large
  // scratchpad cost nothing.
  if (!sram)
    sram.reset(new char[machine.level(MemoryLevel::SRAM).capacityBytes]);
  return sram.get();
}

static bool within(const void *ptr, int64_t bytes, const char *base,
                   int64_t capacity) {
  auto *p = static_cast<const char *>(ptr);
  return base && bytes >= 0 && p >= base && p + bytes <= base + capacity;
}

bool Simulator::inLocal(const void *ptr, int64_t bytes) const {
  return within(ptr, bytes, localMemory.get() + pe * localBytes(),
                localBytes());
}

bool Simulator::inSRAM(const void *ptr, int64_t bytes) const {
  return within(ptr, bytes, sram.get(),
                machine.level(MemoryLevel::SRAM).capacityBytes);
}

void Simulator::runJob(int64_t numPEs,
                       llvm::function_ref<void(int64_t pe)> program,
                       llvm::StringRef name, llvm::StringRef nodes,
                       int64_t predictedCycles) {
  if (fibers->running) {
    fault(llvm::formatv("PE {0} launched a job from inside a job", pe));
    return;
  }
  Scope scope(*this);
  beginJob(numPEs, name, nodes);
  jobRecords.back().predictedCycles = predictedCycles;
  fibers->program = program;
  fibers->running = true;
  schedule();
  fibers->running = false;
  endJob();
}

static thread_local Simulator *startingSimulator = nullptr;

void Simulator::fiberMain() {
  Simulator &sim = *startingSimulator;
  int64_t p = sim.pe;
  sim.fibers->program(p);
  sim.pes[p].done = true;
  // Returning resumes the scheduler (uc_link).
}

void Simulator::startFiber(int64_t p) {
  Fibers &f = *fibers;
  if (f.contexts.size() < pes.size()) {
    f.contexts.resize(pes.size());
    f.stacks.resize(pes.size());
  }
  if (!f.stacks[p] && !f.stacks[p].allocate(Fibers::kStackBytes)) {
    fault(llvm::formatv("PE {0}: the host could not map a {1}-byte stack "
                        "for its program",
                        p, Fibers::kStackBytes));
    pes[p].done = true;
    return;
  }
  ucontext_t &context = f.contexts[p];
  getcontext(&context);
  context.uc_stack.ss_sp = f.stacks[p].usableBase();
  context.uc_stack.ss_size = f.stacks[p].usableBytes();
  context.uc_link = &f.scheduler;
  makecontext(&context, &Simulator::fiberMain, 0);
  pes[p].started = true;
  startingSimulator = this;
  pe = p;
  swapcontext(&f.scheduler, &context);
}

void Simulator::schedule() {
  for (;;) {
    // The runnable PE furthest behind goes next (the lowest index on a
    // tie), so that transfers are issued close to the order of their
    // simulated time, and a transfer sees the ones it overlaps.
    bool pending = false;
    int64_t next = -1;
    for (int64_t p = 0; p < peCount; ++p) {
      PEState &state = pes[p];
      if (state.done)
        continue;
      if (!state.started && faulted()) {
        state.done = true; // a faulted run starts no more programs
        continue;
      }
      pending = true;
      bool runnable = !state.started || state.mayRun() || faulted();
      if (runnable && (next < 0 || state.clock < pes[next].clock))
        next = p;
    }
    if (!pending)
      return;
    if (next < 0) {
      fault(deadlockMessage());
      continue;
    }
    if (!pes[next].started) {
      startFiber(next);
      continue;
    }
    pe = next;
    swapcontext(&fibers->scheduler, &fibers->contexts[next]);
  }
}

std::string Simulator::deadlockMessage() const {
  std::string text = "deadlock: no PE of the job can go on;";
  for (int64_t p = 0; p < peCount; ++p) {
    const PEState &state = pes[p];
    if (state.waiting == PEState::Waiting::Barrier)
      text += llvm::formatv(" PE {0} waits at a barrier;", p);
    else if (state.waiting == PEState::Waiting::Semaphore)
      text += llvm::formatv(" PE {0} waits for {1} signals of semaphore {2};",
                            p, state.waitCount, state.waitSemaphore);
  }
  text += llvm::formatv(" {0} of {1} PEs had finished",
                        llvm::count_if(llvm::ArrayRef(pes).take_front(peCount),
                                       [](const PEState &s) { return s.done; }),
                        peCount);
  return text;
}

void Simulator::suspend() {
  int64_t self = pe;
  swapcontext(&fibers->contexts[self], &fibers->scheduler);
  pe = self;
}

void Simulator::barrier(int64_t first, int64_t count) {
  if (faulted())
    return;
  if (count < 0) {
    first = 0;
    count = peCount;
  }
  if (first < 0 || count < 1 || first + count > peCount || pe < first ||
      pe >= first + count) {
    fault(llvm::formatv("PE {0}: barrier of PEs {1} .. {2}, which is not "
                        "within this job of {3} PEs or does not hold it",
                        pe, first, first + count - 1, peCount));
    return;
  }
  PEState &state = pes[pe];
  state.waiting = PEState::Waiting::Barrier;
  int64_t &arrivals = fibers->barrierArrivals[{first, count}];
  if (++arrivals < count) {
    suspend();
    return;
  }
  // The last to arrive releases everyone.
  fibers->barrierArrivals.erase({first, count});
  int64_t release = 0;
  for (int64_t p = first; p < first + count; ++p)
    release = std::max(release, pes[p].clock);
  release += machine.costs.barrierCycles;
  for (int64_t p = first; p < first + count; ++p) {
    fibers->barrierWaitCycles += release - pes[p].clock;
    pes[p].clock = release;
    pes[p].waiting = PEState::Waiting::None;
  }
}

void Simulator::enterWave(llvm::StringRef kernels, llvm::StringRef nodes,
                          int64_t predictedCycles) {
  PEState &state = pes[pe];
  std::vector<WaveRecord> &waves = jobRecords.back().waves;
  if (++state.wavesEntered <= static_cast<int64_t>(waves.size()))
    return;
  if (!waves.empty())
    waves.back().endCycle = state.clock;
  waves.push_back(
      {kernels.str(), nodes.str(), state.clock, state.clock, predictedCycles});
}

void Simulator::semSignal(int64_t target, int32_t sem) {
  if (faulted())
    return;
  if (target < 0 || target >= peCount) {
    fault(llvm::formatv("PE {0}: sem_signal: PE {1} is not in this job of {2} "
                        "PEs",
                        pe, target, peCount));
    return;
  }
  PEState &state = pes[pe];
  state.clock += machine.costs.issueCycles;
  pes[target].signals[sem].push_back(
      state.clock + machine.level(MemoryLevel::Local).latencyCycles);
}

void Simulator::semWait(int32_t sem, int64_t count) {
  PEState &state = pes[pe];
  state.waitSemaphore = sem;
  state.waitCount = count;
  state.waiting = PEState::Waiting::Semaphore;
  while (!state.mayRun() && !faulted())
    suspend();
  state.waiting = PEState::Waiting::None;
  if (faulted() || count <= 0)
    return;
  std::vector<int64_t> &arrivals = state.signals[sem];
  std::sort(arrivals.begin(), arrivals.end());
  state.clock = std::max(state.clock, arrivals[count - 1]);
  arrivals.erase(arrivals.begin(), arrivals.begin() + count);
}

void Simulator::beginJob(int64_t numPEs, llvm::StringRef name,
                         llvm::StringRef nodes) {
  peCount = std::clamp<int64_t>(numPEs, 1, machine.numPEs());
  JobRecord &job = jobRecords.emplace_back();
  job.name = name.str();
  job.nodes = nodes.str();
  job.pes = peCount;
  job.startCycle = chipClock;
  jobStart = chipClock + machine.costs.launchCycles;
  for (PEState &state : pes) {
    state = PEState();
    state.clock = state.lastCompletion = jobStart;
    std::fill(std::begin(state.unitFree), std::end(state.unitFree), jobStart);
  }
  std::fill(std::begin(jobBytes), std::end(jobBytes), 0);
  fibers->barrierArrivals.clear();
  fibers->barrierWaitCycles = 0;
  pe = 0;
}

void Simulator::endJob() {
  int64_t start = jobStart;
  pe = 0;
  int64_t end = start;
  for (int64_t i = 0; i < peCount; ++i)
    end = std::max(end, pes[i].doneAt());
  // The per-transfer rates assume every PE of the job streams at once;
  // the level's total bandwidth bounds the job however they overlapped.
  for (MemoryLevel level : {MemoryLevel::DRAM, MemoryLevel::SRAM}) {
    double levelCycles =
        jobBytes[static_cast<int>(level)] / machine.bytesPerCycle(level);
    end = std::max(end, start + static_cast<int64_t>(std::ceil(levelCycles)));
  }
  chipClock = end + machine.costs.barrierCycles;
  JobRecord &job = jobRecords.back();
  job.endCycle = chipClock;
  std::copy(std::begin(jobBytes), std::end(jobBytes), std::begin(job.bytes));
  job.idlePECycles = (machine.numPEs() - peCount) * (end - start);
  for (int64_t i = 0; i < peCount; ++i)
    job.idlePECycles += end - pes[i].doneAt();
  // A PE held at a barrier idles too (those of a program's wave that
  // other kernels keep longer).
  job.idlePECycles += fibers->barrierWaitCycles;
  if (!job.waves.empty())
    job.waves.back().endCycle = end;
}

void Simulator::record(Unit unit, int64_t start, int64_t end,
                       const char *name) {
  busy[static_cast<int>(unit)] += end - start;
  if (!options.trace)
    return;
  if (static_cast<int64_t>(events.size()) >= options.maxTraceEvents) {
    ++droppedEvents;
    return;
  }
  events.push_back({static_cast<int32_t>(pe), unit,
                    static_cast<int32_t>(jobRecords.size()) - 1, start, end,
                    name});
}

Token Simulator::issue(Unit unit, int64_t cycles, int64_t latency,
                       const char *name) {
  PEState &state = pes[pe];
  state.clock += machine.costs.issueCycles;
  int64_t &free = state.unitFree[static_cast<int>(unit)];
  int64_t start = std::max(state.clock, free);
  free = start + cycles;
  record(unit, start, free, name);
  state.lastCompletion = std::max(state.lastCompletion, free + latency);
  tokens.push_back(free + latency);
  return static_cast<Token>(tokens.size() - 1);
}

void Simulator::catchUp() {
  if (!fibers->running)
    return;
  const PEState &self = pes[pe];
  for (int64_t q = 0; q < peCount; ++q) {
    const PEState &other = pes[q];
    if (q != pe && !other.done && (!other.started || other.mayRun()) &&
        other.clock < self.clock) {
      suspend();
      return;
    }
  }
}

int64_t Simulator::sharersAt(MemoryLevel level, int64_t cycle) const {
  int64_t sharers = 1;
  for (int64_t q = 0; q < peCount; ++q)
    if (q != pe && pes[q].transferUntil[static_cast<int>(level)] > cycle)
      ++sharers;
  return sharers;
}

Token Simulator::transfer(MemoryLevel far, int64_t moved, const char *name) {
  catchUp();
  PEState &state = pes[pe];
  // When issue() will start it: the level's bandwidth is shared by the
  // PEs of the job whose transfers there are still running then.
  int64_t start = std::max(state.clock + machine.costs.issueCycles,
                           state.unitFree[static_cast<int>(Unit::DMA)]);
  int64_t cycles =
      dmaTransferCycles(machine, far, moved, sharersAt(far, start));
  Token token =
      issue(Unit::DMA, cycles, machine.level(far).latencyCycles, name);
  int64_t &until = state.transferUntil[static_cast<int>(far)];
  until = std::max(until, start + cycles);
  return token;
}

Token Simulator::dma(MemoryLevel src, MemoryLevel dst, int64_t rows,
                     int64_t rowBytes) {
  // The far end decides the rate: DRAM or SRAM, shared by the PEs
  // transferring there.
  MemoryLevel far = src == MemoryLevel::Local ? dst : src;
  int64_t moved = dmaBytesMoved(machine, far, rows, rowBytes);
  for (MemoryLevel level : {src, dst}) {
    bytes[static_cast<int>(level)] += moved;
    jobBytes[static_cast<int>(level)] += moved;
  }
  return transfer(far, moved, "dma");
}

Token Simulator::dmaBroadcast(MemoryLevel src, int64_t receivers, int64_t rows,
                              int64_t rowBytes) {
  int64_t moved = dmaBytesMoved(machine, src, rows, rowBytes);
  bytes[static_cast<int>(src)] += moved;
  jobBytes[static_cast<int>(src)] += moved;
  bytes[static_cast<int>(MemoryLevel::Local)] += moved * receivers;
  jobBytes[static_cast<int>(MemoryLevel::Local)] += moved * receivers;
  return transfer(src, moved, "dma.broadcast");
}

Token Simulator::reAccumulate(DType type, int64_t elements) {
  // The reduction engine adds at the SE's lane rate for the type.
  return issue(Unit::RE, seCycles(machine, type, elements, 1), 0,
               "re.accumulate");
}

Token Simulator::reForward(int64_t count) {
  // The reduction network moves data at local memory's rate; it reads here
  // and adds there.
  bytes[static_cast<int>(MemoryLevel::Local)] += 2 * count;
  return issue(Unit::RE, localCycles(machine, count),
               machine.level(MemoryLevel::Local).latencyCycles, "re.forward");
}

Token Simulator::dpe(DType input, int64_t m, int64_t k, int64_t n) {
  work.dpeMacs[static_cast<int>(input)] += static_cast<double>(m) * k * n;
  return issue(Unit::DPE, dpeCycles(machine, input, m, k, n), 0, "dpe.matmul");
}

Token Simulator::se(DType type, int64_t elements, int64_t opsPerElement,
                    const char *name) {
  work.seOps[static_cast<int>(type)] +=
      static_cast<double>(elements) * opsPerElement;
  return issue(Unit::SE, seCycles(machine, type, elements, opsPerElement), 0,
               name);
}

void Simulator::vectorWork(DType type, int64_t ops) {
  work.vectorOps[static_cast<int>(type)] += static_cast<double>(ops);
  PEState &state = pes[pe];
  int64_t start = state.clock;
  state.clock += vectorCycles(machine, type, ops);
  record(Unit::Core, start, state.clock, "vector");
}

void Simulator::vectorTraffic(MemoryLevel level, int64_t count) {
  bytes[static_cast<int>(level)] += count;
  jobBytes[static_cast<int>(level)] += count;
  // The core's loads and stores stall it as a transfer of its own would,
  // sharing the level with the PEs transferring there.
  if (level != MemoryLevel::Local)
    catchUp();
  PEState &state = pes[pe];
  int64_t start = state.clock;
  if (level == MemoryLevel::Local) {
    state.clock += localCycles(machine, count);
  } else {
    state.clock += dmaCycles(machine, level, count, sharersAt(level, start));
    int64_t &until = state.transferUntil[static_cast<int>(level)];
    until = std::max(until, state.clock);
  }
  record(Unit::Core, start, state.clock, "vector.memory");
}

void Simulator::wait(Token token) {
  if (token < 0 || token >= static_cast<Token>(tokens.size())) {
    fault(llvm::formatv("PE {0} waited on token {1}, which no operation "
                        "returned",
                        pe, token));
    return;
  }
  PEState &state = pes[pe];
  state.clock = std::max(state.clock, tokens[token]);
}

void Simulator::fault(const std::string &message) {
  if (faultMessage.empty())
    faultMessage = message;
}
