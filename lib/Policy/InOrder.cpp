//===- InOrder.cpp - The first scheduler ----------------------------------===//

#include "anvil/Policy/Rammer.h"
#include "anvil/Policy/Schedule.h"

#include <algorithm>
#include <map>

using namespace anvil::policy;

Scheduler::~Scheduler() = default;

namespace {

/// Every kernel a program and a wave of its own, in program order, from
/// PE 0: one job at a time over the PEs its tiling gives work to.
class InOrder : public Scheduler {
public:
  llvm::StringRef name() const override { return "in-order"; }

  llvm::SmallVector<KernelSlot>
  schedule(llvm::ArrayRef<KernelDemand> kernels,
           const ScheduleMachine &machine) const override {
    llvm::SmallVector<KernelSlot> slots;
    for (const KernelDemand &kernel : kernels) {
      auto index = static_cast<int64_t>(slots.size());
      slots.push_back(
          {index, 0, 0, std::clamp<int64_t>(kernel.pes, 1, machine.numPEs)});
    }
    return slots;
  }
};

} // namespace

int64_t
anvil::policy::predictProgramCycles(llvm::ArrayRef<KernelDemand> kernels,
                                    llvm::ArrayRef<KernelSlot> slots,
                                    const ScheduleMachine &machine) {
  std::map<int64_t, int64_t> longest;
  int64_t overhead = machine.launchCycles + machine.barrierCycles;
  for (auto [kernel, slot] : llvm::zip(kernels, slots)) {
    int64_t &wave = longest[slot.wave];
    wave =
        std::max(wave, std::max<int64_t>(kernel.predictedCycles - overhead, 0));
  }
  int64_t cycles = machine.launchCycles;
  for (const auto &entry : longest)
    cycles += entry.second + machine.barrierCycles;
  return cycles;
}

std::unique_ptr<Scheduler>
anvil::policy::createScheduler(llvm::StringRef name) {
  if (name == "in-order")
    return std::make_unique<InOrder>();
  if (name == "rammer-serial")
    return createRammer(RammerMode::Serial);
  if (name == "rammer")
    return createRammer(RammerMode::Waves);
  return nullptr;
}
