//===- Run.cpp - A model run that stops when memory runs out --------------===//
//
// Generated code uses every buffer it allocates without checking it. The
// allocation functions (Memory.cpp) and the kernels' scratch buffers call
// outOfMemory instead of returning null; it returns to the run's entry with
// longjmp, which skips only generated code and these kernels: none of them
// holds a resource that a destructor would release.
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include "anvil-c/Kernels.h"

#include <csetjmp>
#include <cstdio>
#include <cstdlib>

// The OpenMP runtime's nesting level, where the artifact links one.
extern "C" int omp_get_level(void) __attribute__((weak));

namespace {

struct RunGuard {
  std::jmp_buf stop;
};

thread_local RunGuard *activeGuard = nullptr;

bool inParallelRegion() { return omp_get_level && omp_get_level() > 0; }

} // namespace

namespace anvil::kernels {

bool inGuardedRun() { return activeGuard && !inParallelRegion(); }

void outOfMemory(size_t bytes) {
  if (inGuardedRun())
    std::longjmp(activeGuard->stop, 1);
  std::fprintf(stderr,
               "anvil: out of memory: %zu bytes for a model run%s\n", bytes,
               activeGuard ? " inside a parallel region" : "");
  std::abort();
}

} // namespace anvil::kernels

extern "C" int anvil_run_guarded(void (*body)(void **), void **buffers) {
  RunGuard guard;
  RunGuard *outer = activeGuard;
  activeGuard = &guard;
  if (setjmp(guard.stop)) {
    activeGuard = outer;
    anvil::kernels::freeRunBlocks();
    return ANVIL_RUN_OUT_OF_MEMORY;
  }
  body(buffers);
  activeGuard = outer;
  return 0;
}
