//===- Link.cpp - Linking host artifacts with Anvil's LLD -----------------===//
//
// An artifact is a shared library: the model's object, the host kernels it
// calls (symbols kept inside it, so that artifacts loaded side by side never
// bind to each other's kernels), the compiler runtime, OpenMP and the C
// library. Anvil's own LLD (tools/anvil-ld) links it, so compiling a model
// needs no C toolchain.
//
//===----------------------------------------------------------------------===//

#include "anvil/Support/Paths.h"
#include "anvil/Target/Host/Artifact.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using llvm::StringRef;

char anvil::host::LinkError::ID = 0;

namespace {

/// The system libraries artifacts load with, found when Anvil was built.
struct SystemLibraries {
  const char *openmpDir = ANVIL_OPENMP_LIBRARY_DIR;
  const char *libc = ANVIL_LIBC_PATH;
  const char *libm = ANVIL_LIBM_PATH;
};

llvm::Error missing(StringRef what, StringRef path, StringRef hint) {
  return llvm::make_error<anvil::host::LinkError>(
      ("cannot link the artifact: " + what + " '" + path +
       "' does not exist (" + hint + ")")
          .str());
}

/// The first input of the link that is not there, as an error.
llvm::Error checkInputs(StringRef linker, StringRef kernels, StringRef runtime,
                        const SystemLibraries &system) {
  namespace fs = llvm::sys::fs;
  if (!fs::can_execute(linker))
    return missing("Anvil's linker", linker,
                   "an incomplete installation; $ANVIL_LINKER names another");
  llvm::SmallString<128> openmp(system.openmpDir);
  llvm::sys::path::append(openmp, "libomp.so");
  if (!fs::exists(kernels))
    return missing("Anvil's host kernel archive", kernels,
                   "an incomplete installation; $ANVIL_HOST_KERNELS names "
                   "another");
  if (!fs::exists(runtime))
    return missing("the compiler runtime archive", runtime,
                   "an incomplete installation; $ANVIL_COMPILER_RUNTIME "
                   "names another");
  if (!fs::exists(openmp))
    return missing("the OpenMP runtime", openmp,
                   "install LLVM's OpenMP runtime, libomp-22-dev on Debian");
  for (const char *lib : {system.libc, system.libm})
    if (!fs::exists(lib))
      return missing("the C library", lib, "not the system Anvil was built on");
  return llvm::Error::success();
}

} // namespace

/// Runs the linker with `args`; its diagnostics, on failure, in the error.
static llvm::Error runLinker(StringRef linker,
                             llvm::ArrayRef<llvm::StringRef> args) {
  llvm::SmallString<128> diagnostics;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("anvil-link", "txt", diagnostics))
    return llvm::make_error<anvil::host::LinkError>(
        "cannot create a temporary file for the linker's messages: " +
        ec.message());
  auto removeDiagnostics =
      llvm::scope_exit([&] { llvm::sys::fs::remove(diagnostics); });
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(diagnostics),
                                          StringRef(diagnostics)};
  std::string why;
  int rc = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, redirects, 0,
                                     0, &why);
  if (rc == 0)
    return llvm::Error::success();
  auto text = llvm::MemoryBuffer::getFile(diagnostics);
  std::string said = text ? (*text)->getBuffer().rtrim().str() : "";
  return llvm::make_error<anvil::host::LinkError>(
      "linking the artifact failed" + (why.empty() ? "" : " (" + why + ")") +
      (said.empty() ? "" : ":\n" + said));
}

llvm::Error anvil::host::linkSharedLibrary(StringRef objectPath,
                                           StringRef path) {
  SystemLibraries system;
  std::string linker = paths::linker();
  std::string kernels = paths::hostKernelsArchive();
  std::string runtime = paths::compilerRuntimeArchive();
  if (llvm::Error err = checkInputs(linker, kernels, runtime, system))
    return err;
  std::string libDir = "-L" + std::string(system.openmpDir);
  // The artifact records where OpenMP lives, so that loading it needs no
  // LD_LIBRARY_PATH.
  std::string rpath = "-rpath=" + std::string(system.openmpDir);
  // argv[0] picks LLD's ELF flavor.
  StringRef args[] = {
      "ld.lld", "-shared",   "--as-needed",    "-o",  path,   objectPath,
      kernels,  runtime,     "--exclude-libs", "ALL", libDir, rpath,
      "-lomp",  system.libm, system.libc};
  return runLinker(linker, args);
}
