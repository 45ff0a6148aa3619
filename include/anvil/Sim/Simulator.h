//===- Simulator.h - The MTIA-like machine, simulated on the host -*- C++
//-*-===//
//
// The simulator runs PE programs on the host and keeps the machine's time.
// Results are computed exactly (lib/Sim/Operations.cpp implements the
// operations of anvil-c/MTIA.h); time follows the cost model
// (anvil/Target/CostModel.h), per PE, with the asynchronous units (DMA,
// DPE, SE) overlapping the PE's core and each other:
//
//  - the core issues an operation in `issue_cycles` and goes on; the unit
//    starts it when it is free and is busy for the cost model's cycles (a
//    transfer's latency does not hold the DMA engine: transfers pipeline);
//    `wait` holds the core until the result is in place;
//  - a transfer at DRAM or SRAM (a DMA, or the core's own loads and
//    stores) shares the level's bandwidth with the transfers of the job's
//    other PEs still running there when it starts;
//  - a job is launched on a set of PEs (`launch_cycles`), runs one program
//    per PE, and ends at a barrier (`barrier_cycles`) when every PE and
//    unit is done, and no sooner than the job's DRAM and SRAM bytes take at
//    those levels' full bandwidth, which all PEs share.
//
// A job's PE programs run as fibers on the calling thread. The PE whose
// clock is furthest behind runs until it finishes, waits on another PE (a
// barrier, a semaphore) or is about to transfer while another is behind
// it; then the one furthest behind goes on. Simulated time is each PE's
// own clock; results do not depend on the host order of execution, and
// time follows it only through the transfers each sees. Waits that can
// never be met fault the run (deadlock).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_SIM_SIMULATOR_H
#define ANVIL_SIM_SIMULATOR_H

#include "anvil/Target/CostModel.h"
#include "anvil/Target/TargetDesc.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace anvil::sim {

/// The units of a PE whose busy time the simulator tracks.
enum class Unit { Core, DMA, DPE, SE, RE };
constexpr int kNumUnits = 5;
llvm::StringRef unitName(Unit unit);

using Token = int64_t;

struct SimOptions {
  /// Record every operation for a Chrome trace (writeTrace).
  bool trace = false;
  /// At most this many trace events are kept; later ones are counted.
  int64_t maxTraceEvents = 2'000'000;
};

/// One job as it ran: what the compiler named it, the span it took on the
/// chip (from its launch to the barrier after it), what it moved, and the
/// PE-cycles of its body in which a PE had no program to run (the PEs
/// outside it, each of its PEs after its program finished, and the cycles
/// a PE was held at a barrier).
/// One wave of a program of several kernels: its kernels and model nodes,
/// from the first of its PEs entering it to the next wave's start (or the
/// job's end), and the cost model's cycles for its longest kernel as a
/// job of its own (negative where none).
struct WaveRecord {
  std::string kernels, nodes;
  int64_t startCycle = 0, endCycle = 0;
  int64_t predictedCycles = -1;
};

struct JobRecord {
  /// The kernel ("conv_3") and the model nodes it came from, comma
  /// separated; empty where the program names none.
  std::string name, nodes;
  int64_t pes = 0;
  int64_t startCycle = 0, endCycle = 0;
  int64_t bytes[target::kNumMemoryLevels] = {0, 0, 0};
  int64_t idlePECycles = 0;
  /// What the compiler's cost model predicted for end - start; negative
  /// where the program carries no prediction.
  int64_t predictedCycles = -1;
  /// A program's waves, in order; empty for a job of one kernel.
  std::vector<WaveRecord> waves;
};

/// What a run measured, over all jobs since construction or reset().
struct SimReport {
  int64_t cycles = 0;
  double microseconds = 0;
  int64_t jobs = 0;
  /// Busy cycles of each unit, summed over PEs.
  int64_t busyCycles[kNumUnits] = {0, 0, 0, 0, 0};
  /// Bytes moved at each memory level (DRAM, SRAM, local).
  int64_t bytes[target::kNumMemoryLevels] = {0, 0, 0};
  target::Work work;
  target::Roofline roofline;
  std::vector<JobRecord> jobList;
  /// The share of all PEs' cycles, launches included, in which a PE had
  /// work: the PE-cycles of the jobs' bodies less their idle PE-cycles,
  /// over the PEs times the run's cycles.
  double peOccupancy = 0;

  /// Busy cycles over the cycles all PEs had.
  double utilization(Unit unit, int64_t numPEs) const;
  /// Simulated time over the roofline bound (1 is the machine's limit).
  double rooflineRatio() const;
};

class Simulator {
public:
  explicit Simulator(target::TargetDesc desc, SimOptions options = {});
  ~Simulator();

  const target::TargetDesc &desc() const { return machine; }

  /// The simulator the calling thread's PE operations go to.
  static Simulator *current();
  /// Makes this the calling thread's simulator until the guard is gone.
  class Scope {
  public:
    explicit Scope(Simulator &sim);
    ~Scope();

  private:
    Simulator *previous;
  };

  /// Launches a job on PEs 0..numPEs-1 and runs `program(pe)` for each, as
  /// fibers that may wait on each other (barrier, semWait). `name` and
  /// `nodes` label it in the report and the trace; `predictedCycles` (the
  /// compiler's prediction, negative where none) goes beside its measured
  /// cycles in the report.
  void runJob(int64_t numPEs, llvm::function_ref<void(int64_t pe)> program,
              llvm::StringRef name = {}, llvm::StringRef nodes = {},
              int64_t predictedCycles = -1);
  int64_t currentPE() const { return pe; }
  int64_t jobPEs() const { return peCount; }

  /// Local memory of the current PE (or of PE `p`), and the SRAM
  /// scratchpad. The PEs' local memories lie one after another from
  /// localMemories().
  char *localBase() { return localBase(pe); }
  char *localBase(int64_t p) { return localMemory.get() + p * localBytes(); }
  char *localMemories() { return localMemory.get(); }
  int64_t localBytes() const {
    return machine.level(target::MemoryLevel::Local).capacityBytes;
  }
  char *sramBase();
  /// Whether [ptr, ptr + bytes) lies in the current PE's local memory / the
  /// SRAM scratchpad.
  bool inLocal(const void *ptr, int64_t bytes) const;
  bool inSRAM(const void *ptr, int64_t bytes) const;

  // Time of the current PE's operations (the functional part is the
  // caller's). Each returns the token to wait on.
  Token dma(target::MemoryLevel src, target::MemoryLevel dst, int64_t rows,
            int64_t rowBytes);
  /// A transfer from SRAM/DRAM into the local memories of `receivers` PEs:
  /// the far level sees its bytes once, local memory once per receiver.
  Token dmaBroadcast(target::MemoryLevel src, int64_t receivers, int64_t rows,
                     int64_t rowBytes);
  /// The reduction engine: accumulating `elements` of `type` locally, or
  /// forwarding `bytes` to a neighbour over the reduction network.
  Token reAccumulate(target::DType type, int64_t elements);
  Token reForward(int64_t bytes);
  Token dpe(target::DType input, int64_t m, int64_t k, int64_t n);
  Token se(target::DType type, int64_t elements, int64_t opsPerElement,
           const char *name);
  void vectorWork(target::DType type, int64_t ops);
  void vectorTraffic(target::MemoryLevel level, int64_t bytes);
  void wait(Token token);

  /// Holds the current PE until every PE of the job (or of PEs `first` ..
  /// `first + count - 1`, which must hold it) has arrived; all leave
  /// `barrier_cycles` after the last arrival.
  void barrier(int64_t first = 0, int64_t count = -1);
  /// The current PE enters the next wave of its program; the first PE to
  /// enter a wave opens its record, which closes the one before.
  void enterWave(llvm::StringRef kernels, llvm::StringRef nodes,
                 int64_t predictedCycles);
  /// Increments semaphore `sem` of PE `target`, arriving after a local
  /// memory's latency.
  void semSignal(int64_t target, int32_t sem);
  /// Holds the current PE until its semaphore `sem` has `count` signals,
  /// and takes them (the earliest arrivals first).
  void semWait(int32_t sem, int64_t count);

  /// DRAM bytes the program cannot avoid moving (inputs, weights, outputs);
  /// the roofline's memory bound.
  void addCompulsoryDRAMBytes(int64_t bytes) { work.dramBytes += bytes; }

  /// Stops the run: the first fault (a PE operation out of bounds, a type
  /// the machine lacks) is kept and every later operation is skipped.
  void fault(const std::string &message);
  bool faulted() const { return !faultMessage.empty(); }
  const std::string &faultText() const { return faultMessage; }

  SimReport report() const;
  void printReport(llvm::raw_ostream &os) const;
  void writeReportJSON(llvm::raw_ostream &os) const;
  /// A Chrome trace (chrome://tracing, Perfetto): one process per PE, one
  /// thread per unit, times in microseconds.
  void writeTrace(llvm::raw_ostream &os) const;

private:
  struct PEState;
  struct Fibers;
  void beginJob(int64_t numPEs, llvm::StringRef name, llvm::StringRef nodes);
  void endJob();
  /// Runs PE fibers until all finish; faults on a deadlock.
  void schedule();
  void startFiber(int64_t p);
  static void fiberMain();
  std::string deadlockMessage() const;
  /// Gives the host thread back to the scheduler until the current PE may
  /// go on.
  void suspend();
  struct Event {
    int32_t pe;
    Unit unit;
    /// Index of the job in jobRecords.
    int32_t job;
    int64_t start, end;
    const char *name;
  };

  Token issue(Unit unit, int64_t cycles, int64_t latency, const char *name);
  /// Gives way to any runnable PE of the job whose clock is behind this
  /// one's, so that the transfers overlapping this PE's next one are known.
  void catchUp();
  /// PEs of the job whose transfers at `level` still run at `cycle`, this
  /// one counted.
  int64_t sharersAt(target::MemoryLevel level, int64_t cycle) const;
  /// Issues `moved` bytes on the DMA engine at the rate of `far`, shared
  /// with the PEs transferring there when it starts.
  Token transfer(target::MemoryLevel far, int64_t moved, const char *name);
  void record(Unit unit, int64_t start, int64_t end, const char *name);

  target::TargetDesc machine;
  SimOptions options;
  std::vector<PEState> pes;
  std::unique_ptr<char[]> localMemory;
  std::unique_ptr<char[]> sram;
  std::vector<int64_t> tokens;
  std::unique_ptr<Fibers> fibers;
  int64_t pe = 0, peCount = 0;
  int64_t chipClock = 0;
  int64_t jobStart = 0;
  std::vector<JobRecord> jobRecords;
  int64_t jobBytes[target::kNumMemoryLevels] = {0, 0, 0};
  int64_t bytes[target::kNumMemoryLevels] = {0, 0, 0};
  int64_t busy[kNumUnits] = {};
  target::Work work;
  std::vector<Event> events;
  int64_t droppedEvents = 0;
  std::string faultMessage;
};

} // namespace anvil::sim

#endif // ANVIL_SIM_SIMULATOR_H
