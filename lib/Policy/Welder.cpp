//===- Welder.cpp - The Welder fusion policy ------------------------------===//
//
// Welder (OSDI 2023) decides fusion per producer-consumer edge and per
// memory level: which intermediates stay on chip, and at which level. Its
// first rule is the one every edge between elementwise ops meets: the
// consumer reads each element the producer writes exactly once, at the
// same iteration, so connecting the two in one kernel moves no data the
// separate kernels did not (it moves less: the intermediate is never
// written out and read back) and adds no work, and the producer, read by
// the consumer alone, leaves no output behind. Such an edge always beats
// the two ops run apart, so it connects, at the innermost level (the PE's
// local memory; registers on the host); a chain of them becomes one
// kernel. Edges that Welder's cost model would weigh (a reduction's
// output, tiles propagated through products, SRAM between kernels) are
// not candidates yet: docs/Welder.md says what is built.
//
//===----------------------------------------------------------------------===//

#include "anvil/Policy/Fusion.h"

using namespace mlir;
using namespace anvil::policy;

namespace {

class Welder : public FusionPolicy {
public:
  StringRef name() const override { return "welder"; }

  void connect(ArrayRef<ConnectCandidate> edges) override {
    for (const ConnectCandidate &edge : edges)
      recordConnection(edge);
  }

  /// Every fold the mechanisms can do, as the first policy.
  void decide(ModuleOp module, const FusionTarget &target) override {
    decideEveryFold(module, target);
  }
};

} // namespace

std::unique_ptr<FusionPolicy> anvil::policy::createWelder() {
  return std::make_unique<Welder>();
}
