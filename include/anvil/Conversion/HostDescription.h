//===- HostDescription.h - The host's description, for passes --*- C++ -*-===//
//
// The host's passes read the machine they compile for from the module, as
// the MTIA passes do: anvil-compile stores the host description (this
// machine's, or the file of --target=host:FILE.json) on the module as
// anvil.machine_description, so that IR of any stage replays on the same
// machine in anvil-opt.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_CONVERSION_HOSTDESCRIPTION_H
#define ANVIL_CONVERSION_HOSTDESCRIPTION_H

#include "anvil/Policy/Tiling.h"
#include "anvil/Target/HostDesc.h"

#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

#include <memory>

namespace anvil {

/// The host description `op`'s module carries, or, where it carries none
/// (IR written by hand), the description of the machine compiling it.
/// An error where the module carries one that is not a valid host
/// description.
llvm::Expected<target::HostDesc> hostDescriptionOf(mlir::Operation *op);

/// What a host pass decides its sizes with: the tiling policy it was given
/// by name and the host description of `op`'s module.
struct HostTiling {
  std::unique_ptr<policy::TilingPolicy> policy;
  target::HostDesc host;
};

/// The policy named `policyName` and `op`'s host description, or failure
/// after an error on `op` naming an unknown policy or an invalid
/// description.
mlir::FailureOr<HostTiling> hostTilingOf(mlir::Operation *op,
                                         llvm::StringRef policyName);

} // namespace anvil

#endif // ANVIL_CONVERSION_HOSTDESCRIPTION_H
