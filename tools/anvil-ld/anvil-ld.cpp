//===- anvil-ld.cpp - The linker anvil-compile runs -----------------------===//
//
// LLD's ELF linker as a program of Anvil's own, so that compiling a model
// needs no C toolchain. anvil-compile runs it as a child process rather than
// calling LLD in its own: LLD's driver resets every LLVM command-line option
// of the process it runs in (cl::ResetAllOptionOccurrences), which would
// undo anvil-compile's own options in the middle of a compile.
//
//===----------------------------------------------------------------------===//

#include "lld/Common/Driver.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

LLD_HAS_DRIVER(elf)

int main(int argc, const char **argv) {
  llvm::InitLLVM init(argc, argv);
  lld::Result result =
      lld::lldMain(llvm::ArrayRef(argv, argc), llvm::outs(), llvm::errs(),
                   {{lld::Gnu, &lld::elf::link}});
  return result.retCode;
}
