//===- Memory.cpp - Buffers reused from one model run to the next ---------===//
//
// A model run allocates the same intermediate buffers every time. Returned
// to malloc, large ones go back to the kernel and every run pays their page
// faults again (a tenth of ResNet-50's time). Host artifacts allocate
// through MLIR's generic allocation functions instead, implemented here:
// freed blocks wait, per thread and per exact size, for the next request of
// that size. Like ONNX Runtime's arena, this keeps a model's peak memory for
// the life of the thread, up to kMaxCachedBytes per thread. A thread's
// blocks are freed when it exits, and every thread's when the runtime
// unloads the artifact (anvil_release_buffers, from anvilModelFree).
//
//===----------------------------------------------------------------------===//

#include "Common.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

constexpr size_t kMaxCachedBytes = size_t(4) << 30;
constexpr int kBins = 256;

/// Precedes every block handed out: where the malloc'd block starts and its
/// size (the bin key); blocks of a guarded run (Run.cpp) are also on the
/// thread's list of them, for a run that stops to free. A multiple of 16
/// bytes, so unaligned requests stay 16-aligned.
struct alignas(16) Header {
  void *raw;
  size_t size;
  Header *prev, *next;
  bool tracked;
};
static_assert(sizeof(Header) % 16 == 0, "blocks must stay 16-aligned");

/// The live blocks this thread's guarded run has allocated.
thread_local Header *runBlocks = nullptr;

struct FreeBlock {
  FreeBlock *next;
};

struct Bin {
  size_t size;
  FreeBlock *head;
};

/// One thread's cached blocks. Plain data: no destructors, so the artifact
/// needs no C++ runtime; its ThreadRecord frees the blocks when the thread
/// exits or the artifact is released.
struct Cache {
  anvil::kernels::ThreadRecord record;
  Bin bins[kBins];
  size_t cachedBytes;
};

anvil::kernels::ExitKey cacheExitKey;

void freeBlocks(anvil::kernels::ThreadRecord *record) {
  auto *c = reinterpret_cast<Cache *>(record);
  for (Bin &bin : c->bins) {
    while (bin.head) {
      FreeBlock *block = bin.head;
      bin.head = block->next;
      std::free(block);
    }
    bin.size = 0;
  }
  c->cachedBytes = 0;
}

thread_local Cache cache = {
    {freeBlocks, nullptr, nullptr, &cacheExitKey, false}, {}, 0};

Bin *binFor(size_t size, bool create) {
  size_t start = (size / 64) % kBins;
  for (int probe = 0; probe < kBins; ++probe) {
    Bin &bin = cache.bins[(start + probe) % kBins];
    if (bin.size == size)
      return &bin;
    if (bin.size == 0) {
      if (!create)
        return nullptr;
      bin.size = size;
      return &bin;
    }
  }
  return nullptr;
}

void *takeBlock(size_t size) {
  Bin *bin = binFor(size, /*create=*/false);
  if (!bin || !bin->head)
    return std::malloc(size);
  FreeBlock *block = bin->head;
  bin->head = block->next;
  cache.cachedBytes -= size;
  return block;
}

/// A block of `size` bytes whose user part, after its header, is aligned
/// to `alignment`; `padding` is what the alignment may cost. Never null:
/// a failed allocation stops the run.
void *handOut(size_t size, size_t padding, size_t alignment) {
  size_t total = size + sizeof(Header) + padding;
  if (total < size)
    anvil::kernels::outOfMemory(size);
  void *raw = takeBlock(total);
  if (!raw)
    anvil::kernels::outOfMemory(total);
  uintptr_t start = reinterpret_cast<uintptr_t>(raw) + sizeof(Header);
  uintptr_t aligned = (start + alignment - 1) / alignment * alignment;
  Header *header = reinterpret_cast<Header *>(aligned) - 1;
  *header = {raw, total, nullptr, nullptr, anvil::kernels::inGuardedRun()};
  if (header->tracked) {
    header->next = runBlocks;
    if (runBlocks)
      runBlocks->prev = header;
    runBlocks = header;
  }
  return reinterpret_cast<void *>(aligned);
}

void untrack(Header *header) {
  if (!header->tracked)
    return;
  (header->prev ? header->prev->next : runBlocks) = header->next;
  if (header->next)
    header->next->prev = header->prev;
  header->tracked = false;
}

} // namespace

void anvil::kernels::freeRunBlocks() {
  while (Header *header = runBlocks) {
    untrack(header);
    std::free(header->raw);
  }
}

extern "C" void *_mlir_memref_to_llvm_alloc(size_t size) {
  return handOut(size, 0, alignof(Header));
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                     size_t size) {
  if (alignment < alignof(Header))
    alignment = alignof(Header);
  return handOut(size, alignment, alignment);
}

extern "C" void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  untrack(static_cast<Header *>(ptr) - 1);
  Header header = *(static_cast<Header *>(ptr) - 1);
  Bin *bin = cache.cachedBytes + header.size <= kMaxCachedBytes &&
                     (cache.record.listed ||
                      anvil::kernels::listThreadRecord(cache.record))
                 ? binFor(header.size, /*create=*/true)
                 : nullptr;
  if (!bin) {
    std::free(header.raw);
    return;
  }
  auto *block = static_cast<FreeBlock *>(header.raw);
  block->next = bin->head;
  bin->head = block;
  cache.cachedBytes += header.size;
}

/// Frees every thread's cached blocks and scratch buffers and forgets
/// their exit keys, so that the artifact can be unloaded; no run of it may
/// be in progress.
extern "C" void anvil_release_buffers(void) {
  anvil::kernels::releaseThreadRecords();
}
