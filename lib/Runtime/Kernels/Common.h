//===- Common.h - What the host kernels share -------------------*- C++ -*-===//
//
// Instruction-set choice and per-thread scratch buffers for the kernels of
// anvil-c/Kernels.h. Plain C++ without its runtime: artifacts link these
// kernels and nothing else.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_LIB_RUNTIME_KERNELS_COMMON_H
#define ANVIL_LIB_RUNTIME_KERNELS_COMMON_H

#include <cstddef>

namespace anvil::kernels {

enum class Isa { Generic, Avx2, Avx512 };

/// The widest vector instructions of this CPU, detected once.
/// ANVIL_GEMM_ISA=avx2|generic pins a narrower path (for testing them on a
/// wider CPU).
Isa hostIsa();

/// Scratch buffers, one per slot, kept for the thread's life and grown on
/// demand; 64-byte aligned. Each kernel owns its slots. Never null: a
/// buffer that cannot be allocated stops the run (outOfMemory).
enum ScratchSlot {
  kGemmPanelA,
  kGemmPanelB,
  kGemmPackedA,
  kDepthwisePhases,
  kDepthwisePaddedRow,
  kDepthwiseRows,
  kDepthwiseTaps,
  kWinogradRows,
  kNumScratchSlots
};
float *scratch(ScratchSlot slot, size_t floats);

/// Stops the model run on this thread for want of `bytes`: back to its
/// anvil_run_guarded, which returns ANVIL_RUN_OUT_OF_MEMORY, or, where that
/// cannot be reached (no guarded run, or inside an OpenMP parallel region,
/// whose team cannot be unwound), a message and abort.
[[noreturn]] void outOfMemory(size_t bytes);

/// Whether this thread is in a guarded run outside any parallel region:
/// its allocations are then the run's to free if it stops.
bool inGuardedRun();

/// Frees the blocks the stopped run had allocated and not freed (Memory.cpp).
void freeRunBlocks();

/// What a thread keeps for reuse (scratch buffers, cached blocks), on a
/// list of every thread's. `release` frees it when the thread exits, or for
/// all threads at once in releaseThreadRecords, so that an artifact can be
/// unloaded without leaving them behind. Plain data, so that a
/// thread_local record needs no C++ runtime.
struct ThreadRecord {
  void (*release)(ThreadRecord *);
  ThreadRecord *prev, *next;
  /// The key whose destructor releases it at thread exit (one per kind).
  struct ExitKey *exitKey;
  bool listed;
};

/// A pthread key per kind of record, made on first use.
struct ExitKey {
  unsigned long key; // pthread_key_t
  bool made;
};

/// Puts the calling thread's `record` on the list; false where pthreads
/// refuse (the caller then keeps nothing).
bool listThreadRecord(ThreadRecord &record);
/// Releases every thread's records and forgets the exit keys; no kernel
/// may be running.
void releaseThreadRecords();

} // namespace anvil::kernels

#endif // ANVIL_LIB_RUNTIME_KERNELS_COMMON_H
