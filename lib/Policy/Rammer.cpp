//===- Rammer.cpp - Kernels placed in space and time ----------------------===//

#include "anvil/Policy/Rammer.h"

#include <algorithm>
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

private:
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
