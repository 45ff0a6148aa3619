//===- machine_description.cpp - Fuzz the machine-description loaders -----===//
//
// The first byte chooses the loader (even: an accelerator's machine
// description, targets/*.json; odd: a host description); the rest is the
// JSON. A description is refused with a message or validated, and a
// validated one's derived figures are computed without overflow.
//
//===----------------------------------------------------------------------===//

#include "anvil/Target/CostModel.h"
#include "anvil/Target/HostDesc.h"
#include "anvil/Target/TargetDesc.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>

using namespace anvil::target;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  llvm::StringRef json(reinterpret_cast<const char *>(data) + 1, size - 1);
  if (data[0] % 2) {
    llvm::Expected<HostDesc> host = parseHostDesc(json, "fuzz.json");
    if (!host)
      llvm::consumeError(host.takeError());
    return 0;
  }
  llvm::Expected<TargetDesc> machine = parseTargetDesc(json, "fuzz.json");
  if (!machine) {
    llvm::consumeError(machine.takeError());
    return 0;
  }
  volatile double figures = machine->numPEs() * machine->bytesPerCycle(MemoryLevel::DRAM) +
                            machine->dpePeakOpsPerSecond(DType::F32);
  (void)figures;
  return 0;
}
