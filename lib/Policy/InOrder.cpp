//===- InOrder.cpp - The first scheduler ----------------------------------===//

#include "anvil/Policy/Schedule.h"

#include <algorithm>

using namespace anvil::policy;

Scheduler::~Scheduler() = default;

namespace {

/// Every kernel a wave of its own, in program order, from PE 0: one job at
/// a time over the PEs its tiling gives work to.
class InOrder : public Scheduler {
public:
  llvm::StringRef name() const override { return "in-order"; }

  llvm::SmallVector<KernelSlot> schedule(llvm::ArrayRef<KernelDemand> kernels,
                                         int64_t numPEs) const override {
    llvm::SmallVector<KernelSlot> slots;
    for (const KernelDemand &kernel : kernels)
      slots.push_back({static_cast<int64_t>(slots.size()), 0,
                       std::clamp<int64_t>(kernel.pes, 1, numPEs)});
    return slots;
  }
};

} // namespace

std::unique_ptr<Scheduler> anvil::policy::createScheduler(llvm::StringRef name) {
  if (name == "in-order")
    return std::make_unique<InOrder>();
  return nullptr;
}
