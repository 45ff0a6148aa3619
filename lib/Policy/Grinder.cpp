//===- Grinder.cpp - Control flow moved onto the device -------------------===//

#include "anvil/Policy/Grinder.h"

using namespace anvil::policy;

namespace {

class Grinder : public ControlFlowPlacement {
public:
  llvm::StringRef name() const override { return "grinder"; }

  ControlPlace place(const ControlRegion &region,
                     const ScheduleMachine &machine) const override {
    if (!region.movable)
      return ControlPlace::Host;
    return deviceCycles(region, machine) < hostCycles(region, machine)
               ? ControlPlace::Device
               : ControlPlace::Host;
  }

  bool keepsLoopRolled(const ImportedLoop &loop) const override {
    return loop.trips > loop.mostUnrolledTrips;
  }

private:
  /// What one run of the region's body costs beyond its kernels' own
  /// work when the host drives it: at the least one launch (the body's
  /// kernels as one program), and for a branch a second one, since the
  /// kernels after the branch wait for the host to read the predicate and
  /// launch them; a barrier after each kernel run (a branch runs about
  /// half of its kernels: those of the branch taken).
  static int64_t hostCycles(const ControlRegion &region,
                            const ScheduleMachine &machine) {
    if (region.isLoop)
      return machine.launchCycles + region.kernels * machine.barrierCycles;
    return 2 * machine.launchCycles +
           region.kernels / 2 * machine.barrierCycles;
  }

  /// On the device, a barrier after each kernel and one closing each
  /// iteration; a branch's kernels all keep their waves, the untaken ones
  /// skipped.
  static int64_t deviceCycles(const ControlRegion &region,
                              const ScheduleMachine &machine) {
    return (region.kernels + 1) * machine.barrierCycles;
  }
};

} // namespace

std::unique_ptr<ControlFlowPlacement> anvil::policy::createGrinder() {
  return std::make_unique<Grinder>();
}
