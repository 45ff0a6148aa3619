//===- Rooms.h - The policy rooms and the passes that fill them -*- C++ -*-===//
//
// Each scheduling decision has a room: an interface, its first
// implementation, and the pass that will replace it (docs/AddingAPass.md).
// `anvil-compile --disable=NAME,...` leaves the named passes out, so that
// their rooms run their first implementations, and every later pass is
// measured as an ablation on the same build.
//
// Depends on LLVMSupport only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_ROOMS_H
#define ANVIL_POLICY_ROOMS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace anvil::policy {

struct Room {
  /// The decision ("fusion", "tiling", "scheduler", "placement"), which
  /// also names the pipelines' option that selects its policy.
  llvm::StringLiteral decision;
  /// The policy that runs when the pass is disabled.
  llvm::StringLiteral first;
  /// The scheduling pass that takes the room over ("welder", ...).
  llvm::StringLiteral pass;
  /// The pass's own policy, empty until it is built: the room then runs
  /// its first implementation whether or not the pass is disabled.
  llvm::StringLiteral passPolicy;
};

/// The rooms: fusion (Welder), tiling (Roller), scheduler (Rammer),
/// control-flow placement (Grinder).
llvm::ArrayRef<Room> rooms();

/// The policy of each room, in the order of rooms(), with the passes
/// named in `disabled` left out. An error names an unknown pass.
llvm::Expected<llvm::SmallVector<std::string, 4>>
choosePolicies(llvm::ArrayRef<std::string> disabled);

} // namespace anvil::policy

#endif // ANVIL_POLICY_ROOMS_H
