//===- Report.cpp - What a simulated run measured -------------------------===//
//
// The simulator's report as text and JSON (docs/schemas/sim-report.schema.json)
// and its Chrome trace.
//
//===----------------------------------------------------------------------===//

#include "anvil/Sim/Simulator.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>

using namespace anvil::sim;
using namespace anvil::target;

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

namespace {

/// A job's model nodes for people: a program of many kernels names its
/// first few and how many there are (the JSON report lists them all).
std::string nodesForPeople(llvm::StringRef nodes) {
  constexpr size_t kShown = 6;
  llvm::SmallVector<llvm::StringRef> all;
  nodes.split(all, ',', -1, /*KeepEmpty=*/false);
  if (all.size() <= kShown)
    return nodes.str();
  return llvm::join(llvm::ArrayRef(all).take_front(kShown), ",") +
         llvm::formatv(", ... ({0} nodes)", all.size()).str();
}

/// What the slowest list shows: a job of one kernel, or a wave of a
/// program.
struct Span {
  int64_t cycles;
  std::string name;
  int64_t pes;
  llvm::StringRef nodes;
};

/// The `count` jobs, or waves of programs, that took longest, with what
/// they came from.
void printSlowest(llvm::raw_ostream &os, const SimReport &r, size_t count) {
  std::vector<Span> spans;
  for (const JobRecord &job : r.jobList) {
    if (job.waves.empty())
      spans.push_back({job.endCycle - job.startCycle,
                       job.name.empty() ? "(unnamed)" : job.name, job.pes,
                       job.nodes});
    for (auto [index, wave] : llvm::enumerate(job.waves))
      spans.push_back(
          {wave.endCycle - wave.startCycle,
           llvm::formatv("{0} wave {1}: {2}", job.name, index, wave.kernels)
               .str(),
           job.pes, wave.nodes});
  }
  std::stable_sort(spans.begin(), spans.end(),
                   [](auto &x, auto &y) { return x.cycles > y.cycles; });
  spans.resize(std::min(spans.size(), count));
  if (spans.empty())
    return;
  os << "slowest jobs and waves:\n";
  for (const Span &span : spans)
    os << llvm::formatv(
        "  {0} cycles ({1:f1}%) {2} on {3} PEs{4}\n", span.cycles,
        100.0 * span.cycles / std::max<int64_t>(r.cycles, 1), span.name,
        span.pes,
        span.nodes.empty() ? "" : " from " + nodesForPeople(span.nodes));
}

llvm::json::Array nodeList(llvm::StringRef text) {
  llvm::json::Array nodes;
  for (llvm::StringRef rest = text; !rest.empty();) {
    auto [node, tail] = rest.split(',');
    nodes.push_back(node.str());
    rest = tail;
  }
  return nodes;
}

llvm::json::Array wavesJSON(const std::vector<WaveRecord> &waves) {
  llvm::json::Array list;
  for (const WaveRecord &wave : waves) {
    llvm::json::Object entry{{"kernels", nodeList(wave.kernels)},
                             {"nodes", nodeList(wave.nodes)},
                             {"start_cycle", wave.startCycle},
                             {"end_cycle", wave.endCycle}};
    if (wave.predictedCycles >= 0)
      entry["predicted_cycles"] = wave.predictedCycles;
    list.push_back(std::move(entry));
  }
  return list;
}

llvm::json::Array jobsJSON(const std::vector<JobRecord> &jobs) {
  llvm::json::Array list;
  for (const JobRecord &job : jobs) {
    llvm::json::Object bytes;
    for (int l = 0; l < kNumMemoryLevels; ++l)
      bytes[memoryLevelName(MemoryLevel(l))] = job.bytes[l];
    llvm::json::Object entry{{"name", job.name},
                             {"nodes", nodeList(job.nodes)},
                             {"pes", job.pes},
                             {"start_cycle", job.startCycle},
                             {"end_cycle", job.endCycle},
                             {"bytes", std::move(bytes)},
                             {"idle_pe_cycles", job.idlePECycles}};
    if (job.predictedCycles >= 0)
      entry["predicted_cycles"] = job.predictedCycles;
    if (!job.waves.empty())
      entry["waves"] = wavesJSON(job.waves);
    list.push_back(std::move(entry));
  }
  return list;
}

} // namespace

SimReport Simulator::report() const {
  SimReport r;
  r.cycles = chipClock;
  r.microseconds = chipClock * machine.secondsPerCycle() * 1e6;
  r.jobs = static_cast<int64_t>(jobRecords.size());
  r.jobList = jobRecords;
  double busyPECycles = 0;
  int64_t overhead = machine.costs.launchCycles + machine.costs.barrierCycles;
  for (const JobRecord &job : jobRecords)
    busyPECycles +=
        static_cast<double>(machine.numPEs()) *
            std::max<int64_t>(job.endCycle - job.startCycle - overhead, 0) -
        static_cast<double>(job.idlePECycles);
  if (chipClock > 0)
    r.peOccupancy = std::clamp(
        busyPECycles / (static_cast<double>(machine.numPEs()) * chipClock), 0.0,
        1.0);
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
  os << llvm::formatv("PE occupancy: {0:f1}% of all PEs' cycles, launches "
                      "included\n",
                      100 * r.peOccupancy);
  printSlowest(os, r, 5);
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
  llvm::json::Object root{{"schema", "anvil-sim-report/1"},
                          {"target", machine.name},
                          {"cycles", r.cycles},
                          {"microseconds", r.microseconds},
                          {"jobs", r.jobs},
                          {"pe_occupancy", r.peOccupancy},
                          {"utilization", std::move(utilization)},
                          {"bytes", std::move(moved)},
                          {"roofline", std::move(bound)},
                          {"job_list", jobsJSON(r.jobList)},
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
          const JobRecord &job = jobRecords[e.job];
          json.attributeObject("args", [&] {
            json.attribute("job", job.name);
            json.attribute("nodes", job.nodes);
          });
        });
    });
  });
  os << "\n";
}
