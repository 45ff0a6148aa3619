//===- HostDesc.h - The host CPU as a machine description -------*- C++ -*-===//
//
// What Anvil knows of the CPU it compiles for, in the same terms as an
// accelerator's TargetDesc: execution units (cores, each with its vector
// registers) and memory levels (the caches and DRAM, with their sizes).
// The compiler reads it from the machine it runs on, or from a file given
// as `--target=host:FILE.json`, so that a build can be reproduced on
// another machine; it is carried on the module (anvil.machine_description)
// and in the artifact's metadata, like an accelerator's. docs/Targets.md
// describes the format.
//
// Depends on LLVMSupport and LLVM's host detection (TargetParser) only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TARGET_HOSTDESC_H
#define ANVIL_TARGET_HOSTDESC_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace anvil::target {

/// The module attribute holding a machine description's JSON, the host's
/// or an accelerator's.
inline constexpr llvm::StringLiteral kMachineDescriptionAttrName =
    "anvil.machine_description";

/// A cache level as the cores see it.
struct CacheDesc {
  int64_t level = 0;
  int64_t capacityBytes = 0;
  int64_t lineBytes = 0;
  /// Cores that share one instance of it (1: private to a core).
  int64_t sharedByCores = 1;
};

struct HostDesc {
  std::string name = "host";
  /// LLVM's name of the CPU (znver3, sapphirerapids, ...).
  std::string cpu;
  int64_t cores = 1;
  /// f32 lanes of the widest vector registers (AVX-512: 16, AVX2: 8,
  /// SSE: 4), and how many such registers a core has.
  int64_t vectorLanes = 4;
  int64_t vectorRegisters = 16;
  /// Data or unified caches, innermost first.
  llvm::SmallVector<CacheDesc> caches;
  int64_t dramBytes = 0;
  /// The JSON text it was read from or written as.
  std::string json;

  /// The cache of `level`, or null where the description has none.
  const CacheDesc *cache(int64_t level) const;
};

/// Reads the machine this process runs on: the CPU and its vector width
/// from LLVM, the cores and caches from the operating system.
HostDesc detectHostDesc();

/// Parses and validates a description; errors name the field.
llvm::Expected<HostDesc> parseHostDesc(llvm::StringRef json,
                                       llvm::StringRef source);

/// Resolves a `--target` value of the host: "host" (this machine) or
/// "host:FILE.json".
llvm::Expected<HostDesc> resolveHostTarget(llvm::StringRef target);

/// The CPU features of `required` (LLVM's names, as an artifact records
/// them) that this machine lacks.
std::vector<std::string>
missingHostFeatures(llvm::ArrayRef<std::string> required);

/// Whether a `--target` value names the host.
bool isHostTarget(llvm::StringRef target);

} // namespace anvil::target

#endif // ANVIL_TARGET_HOSTDESC_H
