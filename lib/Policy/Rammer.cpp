//===- Rammer.cpp - Kernels placed in space and time ----------------------===//

#include "anvil/Policy/Rammer.h"

#include <algorithm>
#include <map>
#include <vector>

using namespace anvil::policy;

namespace {

/// A wave being filled: which PEs its kernels take and the SRAM their
/// staging takes.
struct Wave {
  std::vector<bool> busy;
  int64_t sramBytes = 0;

  /// The first PE of the lowest free range of `pes` PEs, or -1.
  int64_t freeRange(int64_t pes) const {
    int64_t run = 0;
    for (int64_t pe = 0; pe < static_cast<int64_t>(busy.size()); ++pe) {
      run = busy[pe] ? 0 : run + 1;
      if (run == pes)
        return pe - pes + 1;
    }
    return -1;
  }

  void take(int64_t first, int64_t pes, int64_t sram) {
    std::fill(busy.begin() + first, busy.begin() + first + pes, true);
    sramBytes += sram;
  }
};

class Rammer : public Scheduler {
public:
  explicit Rammer(RammerMode mode) : mode(mode) {}

  llvm::StringRef name() const override {
    return mode == RammerMode::Serial ? "rammer-serial" : "rammer";
  }

  /// Waves run a part of a product beside the producers of its other
  /// parts; one kernel per wave gains nothing from the split.
  bool splitsProductsByProducer() const override {
    return mode == RammerMode::Waves;
  }
  bool ordersByWavefront() const override { return mode == RammerMode::Waves; }
  /// A segment is one program; a loop on the device between two is a
  /// wave of theirs.
  bool joinsDeviceLoops() const override { return true; }

  llvm::SmallVector<KernelSlot>
  schedule(llvm::ArrayRef<KernelDemand> kernels,
           const ScheduleMachine &machine) const override {
    llvm::SmallVector<KernelSlot> slots;
    std::vector<Wave> waves;
    for (const KernelDemand &kernel : kernels) {
      int64_t pes = std::clamp<int64_t>(kernel.pes, 1, machine.numPEs);
      int64_t earliest = mode == RammerMode::Serial
                             ? static_cast<int64_t>(waves.size())
                             : firstWaveAfter(kernel, slots);
      KernelSlot slot{0, -1, 0, pes};
      for (int64_t w = earliest; w < static_cast<int64_t>(waves.size()); ++w) {
        int64_t first = waves[w].freeRange(pes);
        if (first >= 0 &&
            waves[w].sramBytes + kernel.sramBytes <= machine.sramBytes) {
          slot.wave = w;
          slot.firstPE = first;
          break;
        }
      }
      if (slot.wave < 0) {
        slot.wave = static_cast<int64_t>(waves.size());
        waves.push_back(
            Wave{std::vector<bool>(static_cast<size_t>(machine.numPEs)), 0});
      }
      waves[slot.wave].take(slot.firstPE, pes, kernel.sramBytes);
      slots.push_back(slot);
    }
    return slots;
  }

  /// The vector kernels of one wavefront level (openLevels) that together
  /// want more PEs than the machine has run one after another, each as
  /// wide as its grid; capped at an equal share of the PEs each, they run
  /// side by side. The level is capped where the cost model predicts that
  /// shorter: its longest capped kernel against the sum of their
  /// full-width times, a barrier after each wave.
  llvm::SmallVector<int64_t>
  capPEs(llvm::ArrayRef<OpenKernel> kernels,
         const ScheduleMachine &machine) const override {
    llvm::SmallVector<int64_t> caps(kernels.size(), 0);
    if (mode != RammerMode::Waves)
      return caps;
    for (const std::vector<size_t> &level : openLevels(kernels)) {
      if (level.size() < 2)
        continue;
      int64_t share = machine.numPEs / static_cast<int64_t>(level.size());
      if (share < 1)
        continue;
      int64_t apart = 0, together = 0, wanted = 0;
      for (size_t k : level) {
        const auto &widest = kernels[k].capCycles.front();
        apart += widest.second + machine.barrierCycles;
        wanted += kernels[k].pes;
        together = std::max(together, capAtMost(kernels[k], share).second);
      }
      if (wanted <= machine.numPEs || together + machine.barrierCycles >= apart)
        continue;
      for (size_t k : level)
        caps[k] = capAtMost(kernels[k], share).first;
    }
    return caps;
  }

private:
  /// The kernels with caps to choose, by wavefront level: kernels with the
  /// same longest chain of dependences before them and the same after
  /// them. Kernels with slack (a fill that nothing precedes, long before
  /// the product that reads it) fall in no level with the kernels that
  /// cannot wait.
  static std::vector<std::vector<size_t>>
  openLevels(llvm::ArrayRef<OpenKernel> kernels) {
    std::vector<int64_t> before(kernels.size(), 0), after(kernels.size(), 0);
    for (size_t k = 0; k < kernels.size(); ++k)
      for (int64_t producer : kernels[k].dependsOn)
        before[k] = std::max(before[k], before[producer] + 1);
    for (size_t k = kernels.size(); k-- > 0;)
      for (int64_t producer : kernels[k].dependsOn)
        after[producer] = std::max(after[producer], after[k] + 1);
    std::map<std::pair<int64_t, int64_t>, std::vector<size_t>> levels;
    for (size_t k = 0; k < kernels.size(); ++k)
      if (!kernels[k].capCycles.empty())
        levels[{before[k], after[k]}].push_back(k);
    std::vector<std::vector<size_t>> grouped;
    for (auto &[unused, members] : levels)
      grouped.push_back(std::move(members));
    return grouped;
  }

  /// The widest cap of `kernel` within `pes`, and its cycles.
  static std::pair<int64_t, int64_t> capAtMost(const OpenKernel &kernel,
                                               int64_t pes) {
    for (const auto &option : kernel.capCycles)
      if (option.first <= pes)
        return option;
    return kernel.capCycles.back();
  }

  /// The wave after the last wave of the kernels `kernel` depends on.
  static int64_t firstWaveAfter(const KernelDemand &kernel,
                                llvm::ArrayRef<KernelSlot> placed) {
    int64_t wave = 0;
    for (int64_t producer : kernel.dependsOn)
      wave = std::max(wave, placed[producer].wave + 1);
    return wave;
  }

  RammerMode mode;
};

} // namespace

std::unique_ptr<Scheduler> anvil::policy::createRammer(RammerMode mode) {
  return std::make_unique<Rammer>(mode);
}
