//===- HostDriven.cpp - The first control-flow placement ------------------===//

#include "anvil/Policy/Grinder.h"
#include "anvil/Policy/Schedule.h"

#include "llvm/Support/ErrorHandling.h"

using namespace anvil::policy;

ControlFlowPlacement::~ControlFlowPlacement() = default;

llvm::StringRef anvil::policy::controlPlaceName(ControlPlace place) {
  switch (place) {
  case ControlPlace::Host:
    return "host";
  case ControlPlace::Device:
    return "device";
  }
  llvm_unreachable("unknown control place");
}

namespace {

/// All control flow on the host: it runs the loop and launches a job per
/// kernel per iteration.
class HostDriven : public ControlFlowPlacement {
public:
  llvm::StringRef name() const override { return "host-driven"; }
  ControlPlace place(const ControlRegion &,
                     const ScheduleMachine &) const override {
    return ControlPlace::Host;
  }
  /// A host-driven loop launches its body's jobs on every iteration:
  /// copies of the body pay wherever the user's compile budget allows them.
  bool keepsLoopRolled(const ImportedLoop &loop) const override {
    return loop.trips > loop.mostUnrolledTrips;
  }
};

} // namespace

std::unique_ptr<ControlFlowPlacement>
anvil::policy::createControlFlowPlacement(llvm::StringRef name) {
  if (name == "host-driven")
    return std::make_unique<HostDriven>();
  if (name == "grinder")
    return createGrinder();
  return nullptr;
}
