//===- Simulator.cpp - Time and reports of the simulated machine ----------===//

#include "anvil/Sim/Simulator.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>

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
  }
  llvm_unreachable("unknown unit");
}

double SimReport::utilization(Unit unit, int64_t numPEs) const {
  if (cycles == 0)
    return 0;
  return static_cast<double>(busyCycles[static_cast<int>(unit)]) /
         (static_cast<double>(cycles) * numPEs);
}

double SimReport::rooflineRatio() const {
  double bound = roofline.boundCycles();
  return bound > 0 ? cycles / bound : 0;
}

/// A PE's clocks: when its core may issue next, and when each unit is free.
struct Simulator::PEState {
  int64_t clock = 0;
  int64_t unitFree[kNumUnits] = {0, 0, 0, 0};
  /// When the last issued operation's result is in place (a transfer's
  /// latency outlasts its unit's busy time).
  int64_t lastCompletion = 0;

  int64_t doneAt() const {
    return std::max({clock, lastCompletion,
                     *std::max_element(unitFree, unitFree + kNumUnits)});
  }
};

static thread_local Simulator *currentSimulator = nullptr;

Simulator *Simulator::current() { return currentSimulator; }

Simulator::Scope::Scope(Simulator &sim) : previous(currentSimulator) {
  currentSimulator = &sim;
}

Simulator::Scope::~Scope() { currentSimulator = previous; }

Simulator::Simulator(TargetDesc desc, SimOptions options)
    : machine(std::move(desc)), options(options), pes(machine.numPEs()),
      localMemory(new char[machine.numPEs() * localBytes()]) {}

Simulator::~Simulator() = default;

char *Simulator::sramBase() {
  // Allocated on first use: most programs stage through local memory only,
  // and untouched pages of a large scratchpad cost nothing anyway.
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
                       llvm::function_ref<void(int64_t pe)> program) {
  Scope scope(*this);
  beginJob(numPEs);
  for (int64_t p = 0; p < peCount && !faulted(); ++p) {
    beginPE(p);
    program(p);
  }
  endJob();
}

void Simulator::beginJob(int64_t numPEs) {
  peCount = std::clamp<int64_t>(numPEs, 1, machine.numPEs());
  jobStart = chipClock + machine.costs.launchCycles;
  for (PEState &state : pes) {
    state.clock = state.lastCompletion = jobStart;
    std::fill(std::begin(state.unitFree), std::end(state.unitFree), jobStart);
  }
  std::fill(std::begin(jobBytes), std::end(jobBytes), 0);
  pe = 0;
}

void Simulator::beginPE(int64_t p) {
  if (p < 0 || p >= peCount) {
    fault(llvm::formatv("PE {0} started in a job of {1} PEs", p, peCount));
    return;
  }
  pe = p;
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
  ++jobs;
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
  events.push_back({static_cast<int32_t>(pe), unit, start, end, name});
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

Token Simulator::dma(MemoryLevel src, MemoryLevel dst, int64_t rows,
                     int64_t rowBytes) {
  // The far end decides the rate: DRAM or SRAM, shared by the job's PEs.
  MemoryLevel far = src == MemoryLevel::Local ? dst : src;
  int64_t moved = dmaBytesMoved(machine, far, rows, rowBytes);
  for (MemoryLevel level : {src, dst}) {
    bytes[static_cast<int>(level)] += moved;
    jobBytes[static_cast<int>(level)] += moved;
  }
  return issue(Unit::DMA, dmaTransferCycles(machine, far, moved, peCount),
               machine.level(far).latencyCycles, "dma");
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
  // The core's loads and stores stall it as a transfer of its own would.
  PEState &state = pes[pe];
  int64_t start = state.clock;
  if (level == MemoryLevel::Local)
    state.clock += static_cast<int64_t>(
        std::ceil(count / machine.bytesPerCycle(MemoryLevel::Local)));
  else
    state.clock += dmaCycles(machine, level, count, peCount);
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

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

SimReport Simulator::report() const {
  SimReport r;
  r.cycles = chipClock;
  r.microseconds = chipClock * machine.secondsPerCycle() * 1e6;
  r.jobs = jobs;
  std::copy(std::begin(busy), std::end(busy), r.busyCycles);
  std::copy(std::begin(bytes), std::end(bytes), r.bytes);
  r.work = work;
  r.roofline = roofline(machine, work);
  return r;
}

void Simulator::printReport(llvm::raw_ostream &os) const {
  SimReport r = report();
  int64_t n = machine.numPEs();
  os << llvm::formatv("simulated on {0}: {1} cycles, {2:f1} us ({3} jobs)\n",
                      machine.name, r.cycles, r.microseconds, r.jobs);
  os << "utilization:";
  for (int u = 0; u < kNumUnits; ++u)
    os << llvm::formatv(" {0} {1:f1}%", unitName(Unit(u)),
                        100 * r.utilization(Unit(u), n));
  os << "\nbytes moved:";
  for (int l = 0; l < kNumMemoryLevels; ++l)
    os << llvm::formatv(" {0} {1}", memoryLevelName(MemoryLevel(l)),
                        r.bytes[l]);
  os << llvm::formatv("\nroofline: bound {0:f0} cycles ({1}), simulated/bound "
                      "{2:f2}\n",
                      r.roofline.boundCycles(), r.roofline.limiter(),
                      r.rooflineRatio());
  if (droppedEvents)
    os << llvm::formatv("trace: {0} events past the first {1} were not "
                        "recorded\n",
                        droppedEvents, options.maxTraceEvents);
}

void Simulator::writeReportJSON(llvm::raw_ostream &os) const {
  SimReport r = report();
  int64_t n = machine.numPEs();
  llvm::json::Object utilization, moved, bound;
  for (int u = 0; u < kNumUnits; ++u)
    utilization[unitName(Unit(u))] = r.utilization(Unit(u), n);
  for (int l = 0; l < kNumMemoryLevels; ++l)
    moved[memoryLevelName(MemoryLevel(l))] = r.bytes[l];
  const Roofline &rf = r.roofline;
  bound = llvm::json::Object{
      {"dpe_cycles", rf.dpeCycles},       {"se_cycles", rf.seCycles},
      {"vector_cycles", rf.vectorCycles}, {"dram_cycles", rf.dramCycles},
      {"sram_cycles", rf.sramCycles},     {"bound_cycles", rf.boundCycles()},
      {"limiter", rf.limiter()},          {"ratio", r.rooflineRatio()}};
  llvm::json::Object root{{"target", machine.name},
                          {"cycles", r.cycles},
                          {"microseconds", r.microseconds},
                          {"jobs", r.jobs},
                          {"utilization", std::move(utilization)},
                          {"bytes", std::move(moved)},
                          {"roofline", std::move(bound)},
                          {"trace_events_dropped", droppedEvents}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

void Simulator::writeTrace(llvm::raw_ostream &os) const {
  // Streamed by hand: a trace of millions of events is too large to build
  // as one json::Value first.
  double usPerCycle = machine.secondsPerCycle() * 1e6;
  llvm::json::OStream json(os);
  json.object([&] {
    json.attribute("displayTimeUnit", "ns");
    json.attributeArray("traceEvents", [&] {
      for (int64_t p = 0; p < machine.numPEs(); ++p) {
        json.object([&] {
          json.attribute("name", "process_name");
          json.attribute("ph", "M");
          json.attribute("pid", p);
          json.attributeObject("args", [&] {
            json.attribute("name", llvm::formatv("PE {0}", p).str());
          });
        });
        for (int u = 0; u < kNumUnits; ++u)
          json.object([&] {
            json.attribute("name", "thread_name");
            json.attribute("ph", "M");
            json.attribute("pid", p);
            json.attribute("tid", u);
            json.attributeObject(
                "args", [&] { json.attribute("name", unitName(Unit(u))); });
          });
      }
      for (const Event &e : events)
        json.object([&] {
          json.attribute("name", e.name);
          json.attribute("ph", "X");
          json.attribute("pid", e.pe);
          json.attribute("tid", static_cast<int>(e.unit));
          json.attribute("ts", e.start * usPerCycle);
          json.attribute("dur", (e.end - e.start) * usPerCycle);
        });
    });
  });
  os << "\n";
}
