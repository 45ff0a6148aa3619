//===- Welder.cpp - The Welder fusion policy ------------------------------===//
//
// Welder (OSDI 2023) decides fusion per producer-consumer edge and per
// memory level: which intermediates stay on chip, and at which level. Its
// first rule connects every edge between elementwise ops, at the innermost
// level (the PE's local memory; registers on the host), so that a chain
// of them becomes one kernel. Where the consumer reads each element the
// producer writes once, the merged kernel moves less data (the
// intermediate is never written out and read back), adds no work and, the
// producer being read by the consumer alone, leaves no output behind: it
// always beats the two ops run apart. Where the consumer broadcasts the
// producer's result, the producer's ops run again for every read, which
// a cost estimate is to weigh against the launch and the pass over memory
// saved; measured, merging them wins on every model of the suite
// (docs/Welder.md). Edges that need Welder's cost model (a reduction's
// output, tiles propagated through products, SRAM between kernels) are
// not candidates yet.
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
