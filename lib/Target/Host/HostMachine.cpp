//===- HostMachine.cpp - Detect the host CPU ------------------------------===//
#include "anvil/Target/Host/HostMachine.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/TargetParser/Host.h"

anvil::host::HostMachine anvil::host::detectHostMachine() {
  HostMachine machine;
  machine.cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f")) {
    machine.vectorWidth = 16;
    machine.vectorRegisters = 32;
  } else if (features.lookup("avx2") || features.lookup("avx")) {
    machine.vectorWidth = 8;
  }
  return machine;
}
