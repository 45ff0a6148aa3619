//===- Rooms.cpp - The policy rooms and the passes that fill them ---------===//

#include "anvil/Policy/Rooms.h"

#include "llvm/ADT/STLExtras.h"

using namespace anvil::policy;

llvm::ArrayRef<Room> anvil::policy::rooms() {
  static const Room all[] = {
      {"fusion", "one-op-per-kernel", "welder", "welder"},
      {"tiling", "fixed-tiles", "roller", "roller"},
      {"scheduler", "in-order", "rammer", "rammer"},
      {"placement", "host-driven", "grinder", "grinder"},
  };
  return all;
}

llvm::Expected<llvm::SmallVector<std::string, 4>>
anvil::policy::choosePolicies(llvm::ArrayRef<std::string> disabled) {
  for (const std::string &name : disabled)
    if (llvm::none_of(rooms(), [&](const Room &r) { return r.pass == name; }))
      return llvm::createStringError(
          "--disable: unknown scheduling pass '" + name +
          "' (one of welder, roller, rammer, grinder)");
  llvm::SmallVector<std::string, 4> policies;
  for (const Room &room : rooms()) {
    bool off = llvm::is_contained(disabled, room.pass.str());
    policies.push_back(
        (off || room.passPolicy.empty() ? room.first : room.passPolicy).str());
  }
  return policies;
}
