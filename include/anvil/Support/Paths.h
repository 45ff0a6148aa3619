//===- Paths.h - Where an installed Anvil keeps its files -------*- C++ -*-===//
//
// The tools find their files relative to their own location, so that an
// installed tree (and the build tree, which has the same layout) works
// wherever it is moved:
//
//   ROOT/bin/anvil-compile, anvil-run, anvil-opt
//   ROOT/lib/libanvil_runtime.so
//   ROOT/lib/anvil/          the linker and the archives of host artifacts
//   ROOT/share/anvil/targets the machine descriptions
//
// Environment variables override single files (docs/Install.md).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_SUPPORT_PATHS_H
#define ANVIL_SUPPORT_PATHS_H

#include <string>

namespace anvil::paths {

/// The directory above the running executable's: the installation's (or
/// build tree's) root.
std::string installRoot();

/// $ANVIL_TARGETS_DIR, else ROOT/share/anvil/targets.
std::string targetsDirectory();

/// $ANVIL_HOST_KERNELS, else ROOT/lib/anvil/libanvil_host_kernels.a: the
/// kernels every host artifact links.
std::string hostKernelsArchive();

/// $ANVIL_COMPILER_RUNTIME, else ROOT/lib/anvil/libanvil_builtins.a: the
/// compiler runtime (CPU dispatch, f16 conversions) artifacts link.
std::string compilerRuntimeArchive();

/// $ANVIL_LINKER, else ROOT/lib/anvil/anvil-ld: LLD, as Anvil's own
/// program.
std::string linker();

} // namespace anvil::paths

#endif // ANVIL_SUPPORT_PATHS_H
