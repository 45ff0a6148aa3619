//===- Machine.h - The whole machine description, for passes ----*- C++ -*-===//
//
// #mtia.target carries the figures the verifiers check; passes that decide
// (tiling, fusion, scheduling) and the cost model need the whole machine
// description: every level's capacity, bandwidth and latency, every unit's
// rate, the launch and barrier costs. The pipeline stores the
// description's JSON on the module (what artifacts carry too), so that IR
// written at any stage replays on the same machine, a user's own file
// included; passes read it through MachineDescription.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_DIALECT_MTIA_IR_MACHINE_H
#define ANVIL_DIALECT_MTIA_IR_MACHINE_H

#include "anvil/Target/HostDesc.h"
#include "anvil/Target/TargetDesc.h"

#include "mlir/IR/BuiltinOps.h"

namespace anvil::mtia {

/// The module attribute holding the machine description's JSON.
constexpr llvm::StringLiteral kMachineDescriptionAttrName =
    target::kMachineDescriptionAttrName;

/// The machine-description type that prices work on elements of `type`:
/// i8, i32, f16, bf16, and f32 for every other type (the units widen or
/// split other types into 32-bit lanes; TargetDesc::vectorOpsPerCycle).
target::DType dtypeOf(mlir::Type type);

/// Attaches `desc` to `module`: its JSON, and the #mtia.target the
/// verifiers read.
void attachMachine(mlir::ModuleOp module, const target::TargetDesc &desc);

/// The machine description `op`'s module is compiled for: its
/// `anvil.machine_description`, or, where the module carries only an
/// #mtia.target (IR written by hand), the description of that name in the
/// targets directory, which must agree with it.
llvm::Expected<target::TargetDesc> machineDescriptionOf(mlir::Operation *op);

/// The module attribute holding the bytes at the top of the SRAM that
/// intermediates between kernels take (anvil-mtia-plan-sram).
constexpr llvm::StringLiteral kSRAMPlanBytesAttr = "anvil.sram.plan_bytes";

/// machineDescriptionOf as an analysis, so that a pass and the analyses it
/// calls parse the description once: `getAnalysis<MachineDescription>()`.
/// Its SRAM is what the kernels may stage in: the scratchpad less the
/// intermediates' plan, where the module has one.
class MachineDescription {
public:
  explicit MachineDescription(mlir::Operation *op);

  /// The description, or null when there is none (error() says why).
  const target::TargetDesc *get() const { return desc ? &*desc : nullptr; }
  const std::string &error() const { return problem; }

private:
  std::optional<target::TargetDesc> desc;
  std::string problem;
};

} // namespace anvil::mtia

#endif // ANVIL_DIALECT_MTIA_IR_MACHINE_H
