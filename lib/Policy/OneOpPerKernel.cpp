//===- OneOpPerKernel.cpp - The first fusion policy -----------------------===//

#include "anvil/Policy/Fusion.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;
using namespace anvil::policy;

FusionPolicy::~FusionPolicy() = default;

StringRef anvil::policy::foldRoleName(FoldRole role) {
  switch (role) {
  case FoldRole::Init:
    return "init";
  case FoldRole::Epilogue:
    return "epilogue";
  case FoldRole::PaddedInput:
    return "padded_input";
  case FoldRole::ElementwiseEpilogue:
    return "elementwise_epilogue";
  }
  llvm_unreachable("unknown fold role");
}

void anvil::policy::recordKernel(Operation *anchor, int64_t kernel) {
  Builder b(anchor->getContext());
  anchor->setAttr(kFusionKernelAttr, b.getI64IntegerAttr(kernel));
}

void anvil::policy::recordFold(Operation *anchor, Operation *op,
                               FoldRole role) {
  Builder b(op->getContext());
  op->setAttr(kFusionIntoAttr, anchor->getAttr(kFusionKernelAttr));
  op->setAttr(kFusionRoleAttr, b.getStringAttr(foldRoleName(role)));
}

bool anvil::policy::isFoldedInto(Operation *op, Operation *anchor,
                                 FoldRole role) {
  auto kernel = anchor->getAttrOfType<IntegerAttr>(kFusionKernelAttr);
  auto into = op->getAttrOfType<IntegerAttr>(kFusionIntoAttr);
  auto named = op->getAttrOfType<StringAttr>(kFusionRoleAttr);
  return kernel && into && named && kernel.getInt() == into.getInt() &&
         named.getValue() == foldRoleName(role);
}

void anvil::policy::recordConnection(const ConnectCandidate &edge) {
  Builder b(edge.producer->getContext());
  edge.producer->setAttr(kFusionConnectAttr, b.getStringAttr("local"));
}

void anvil::policy::decideEveryFold(ModuleOp module, const FusionTarget &target,
                                    bool elementwiseEpilogues) {
  SmallVector<Operation *> anchors;
  module.walk([&](Operation *op) {
    if (target.formsKernel(op))
      anchors.push_back(op);
  });
  // An op folds into one kernel only, the first that can take it, and
  // then forms none of its own; an op that takes folds is not folded.
  llvm::MapVector<Operation *, SmallVector<FoldCandidate>> folds;
  llvm::DenseSet<Operation *> folded;
  for (Operation *anchor : anchors) {
    if (folded.contains(anchor))
      continue;
    SmallVector<FoldCandidate> taken;
    for (const FoldCandidate &c : target.candidates(anchor)) {
      if (c.role == FoldRole::ElementwiseEpilogue && !elementwiseEpilogues)
        continue;
      auto kernel = folds.find(c.op);
      if (folded.contains(c.op) ||
          (kernel != folds.end() && !kernel->second.empty()))
        continue;
      if (kernel != folds.end())
        folds.erase(kernel);
      folded.insert(c.op);
      taken.push_back(c);
    }
    folds[anchor] = std::move(taken);
  }
  int64_t next = 0;
  for (auto &[anchor, taken] : folds) {
    recordKernel(anchor, next++);
    for (const FoldCandidate &c : taken)
      recordFold(anchor, c.op, c.role);
  }
}

namespace {

class OneOpPerKernel : public FusionPolicy {
public:
  StringRef name() const override { return "one-op-per-kernel"; }

  /// Every op its own kernel: no edge connects inside one.
  void connect(ArrayRef<ConnectCandidate>) override {}

  void decide(ModuleOp module, const FusionTarget &target) override {
    decideEveryFold(module, target, /*elementwiseEpilogues=*/false);
  }
};

} // namespace

std::unique_ptr<FusionPolicy> anvil::policy::createOneOpPerKernel() {
  return std::make_unique<OneOpPerKernel>();
}

std::unique_ptr<FusionPolicy>
anvil::policy::createFusionPolicy(StringRef name) {
  if (name == "one-op-per-kernel")
    return createOneOpPerKernel();
  if (name == "welder")
    return createWelder(ConnectLevel::Local);
  if (name == "welder-sram")
    return createWelder(ConnectLevel::SRAM);
  if (name == "welder-dram")
    return createWelder(ConnectLevel::DRAM);
  return nullptr;
}

LogicalResult anvil::policy::decideFusion(ModuleOp module, StringRef name,
                                          const FusionTarget &target) {
  std::unique_ptr<FusionPolicy> policy = createFusionPolicy(name);
  if (!policy)
    return module.emitError("unknown fusion policy '")
           << name
           << "' (policy: one-op-per-kernel, welder, welder-sram, welder-dram)";
  policy->decide(module, target);
  return success();
}
