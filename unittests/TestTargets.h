//===- TestTargets.h - The machine descriptions unit tests use --*- C++ -*-===//

#ifndef ANVIL_UNITTESTS_TESTTARGETS_H
#define ANVIL_UNITTESTS_TESTTARGETS_H

#include "anvil/Target/TargetDesc.h"

#include <gtest/gtest.h>

#include <string>

namespace anvil::test {

/// targets/NAME.json of the source tree; a failed expectation (and an empty
/// description) where it does not load.
inline target::TargetDesc loadTarget(const char *name) {
  llvm::Expected<target::TargetDesc> desc = target::loadTargetDesc(
      std::string(ANVIL_TEST_TARGETS_DIR) + "/" + name + ".json");
  EXPECT_TRUE(static_cast<bool>(desc)) << llvm::toString(desc.takeError());
  return desc ? *desc : target::TargetDesc{};
}

} // namespace anvil::test

#endif // ANVIL_UNITTESTS_TESTTARGETS_H
