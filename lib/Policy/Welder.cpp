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
// (docs/Welder.md).
//
// A product's output connects the same way to the elementwise op after it
// where the product's kernel can apply that op to each output tile (a
// residual add with the ReLU after it, connected before): the op then
// loads its other operands' tiles beside the product's, and the product's
// output is never written. The kernel moves the bytes the op would have
// read and written less the product's output twice, and saves a launch;
// it always beats the two run apart.
//
// Between kernels, on the accelerator, an intermediate can stay in the
// SRAM scratchpad: its writer's stores and its readers' loads then run
// at SRAM's bandwidth and leave DRAM to the weights. Every intermediate
// is written once and read about once, so the bytes saved are the bytes
// placed; the rule packs them by lifetime (packByLifetime) into the SRAM
// the kernels' own staging leaves, and what does not fit stays in DRAM.
// Edges that need Welder's cost model (a reduction's output, tiles
// propagated through products) are not candidates yet.
//
//===----------------------------------------------------------------------===//

#include "anvil/Policy/Fusion.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace anvil::policy;

namespace {

class Welder : public FusionPolicy {
public:
  explicit Welder(ConnectLevel innermost) : innermost(innermost) {}

  StringRef name() const override { return "welder"; }

  void connect(ArrayRef<ConnectCandidate> edges) override {
    if (innermost != ConnectLevel::Local)
      return;
    for (const ConnectCandidate &edge : edges)
      recordConnection(edge);
  }

  void placeInSRAM(ArrayRef<IntermediateBuffer> buffers, int64_t capacity,
                   int64_t alignment) override {
    if (innermost == ConnectLevel::DRAM)
      return;
    SmallVector<std::optional<int64_t>> offsets =
        packByLifetime(buffers, capacity, alignment);
    for (auto [buffer, offset] : llvm::zip_equal(buffers, offsets))
      if (offset)
        recordSRAMPlacement(buffer, *offset);
  }

  /// Staged where the kernels' traffic at SRAM's rate, with the copies,
  /// takes less time than at DRAM's.
  bool stagesInSRAM(const ArgumentTraffic &traffic,
                    const StagingRates &rates) const override {
    if (innermost == ConnectLevel::DRAM)
      return false;
    double used = static_cast<double>(traffic.bytesRead + traffic.bytesWritten);
    double copy = static_cast<double>(traffic.bytes) / rates.dramBytesPerCycle +
                  static_cast<double>(traffic.bytes) / rates.sramBytesPerCycle +
                  static_cast<double>(rates.copyCycles);
    return used / rates.sramBytesPerCycle +
               static_cast<double>(traffic.copies) * copy <
           used / rates.dramBytesPerCycle;
  }

  /// Every fold the mechanisms can do, as the first policy, and, where
  /// Welder connects in local memory, a product's elementwise epilogue.
  void decide(ModuleOp module, const FusionTarget &target) override {
    decideEveryFold(module, target, innermost == ConnectLevel::Local);
  }

private:
  ConnectLevel innermost;
};

} // namespace

std::unique_ptr<FusionPolicy>
anvil::policy::createWelder(ConnectLevel innermost) {
  return std::make_unique<Welder>(innermost);
}
