//===- Memory.cpp - Buffers reused from one model run to the next ---------===//
//
// A model run allocates the same intermediate buffers every time. Returned
// to malloc, large ones go back to the kernel and every run pays their page
// faults again (a tenth of ResNet-50's time). Host artifacts allocate
// through MLIR's generic allocation functions instead, implemented here:
// freed blocks wait, per thread and per exact size, for the next request of
// that size. Like ONNX Runtime's arena, this keeps a model's peak memory for
// the life of the thread, up to kMaxCachedBytes per thread.
//
//===----------------------------------------------------------------------===//

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

constexpr size_t kMaxCachedBytes = size_t(4) << 30;
constexpr int kBins = 256;

/// Precedes every block handed out: where the malloc'd block starts and its
/// size (the bin key). 16 bytes, so unaligned requests stay 16-aligned.
struct Header {
  void *raw;
  size_t size;
};

struct FreeBlock {
  FreeBlock *next;
};

struct Bin {
  size_t size;
  FreeBlock *head;
};

// Plain arrays: no destructors, so the artifact needs no C++ runtime.
thread_local Bin bins[kBins];
thread_local size_t cachedBytes;

Bin *binFor(size_t size, bool create) {
  size_t start = (size / 64) % kBins;
  for (int probe = 0; probe < kBins; ++probe) {
    Bin &bin = bins[(start + probe) % kBins];
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
  cachedBytes -= size;
  return block;
}

void *handOut(void *raw, size_t size, size_t alignment) {
  if (!raw)
    return nullptr;
  uintptr_t start = reinterpret_cast<uintptr_t>(raw) + sizeof(Header);
  uintptr_t aligned = (start + alignment - 1) / alignment * alignment;
  Header *header = reinterpret_cast<Header *>(aligned) - 1;
  header->raw = raw;
  header->size = size;
  return reinterpret_cast<void *>(aligned);
}

} // namespace

extern "C" void *_mlir_memref_to_llvm_alloc(size_t size) {
  size_t total = size + sizeof(Header);
  return handOut(takeBlock(total), total, alignof(Header));
}

extern "C" void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment,
                                                     size_t size) {
  if (alignment < alignof(Header))
    alignment = alignof(Header);
  size_t total = size + sizeof(Header) + alignment;
  return handOut(takeBlock(total), total, alignment);
}

extern "C" void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  Header header = *(static_cast<Header *>(ptr) - 1);
  Bin *bin = cachedBytes + header.size <= kMaxCachedBytes
                 ? binFor(header.size, /*create=*/true)
                 : nullptr;
  if (!bin) {
    std::free(header.raw);
    return;
  }
  auto *block = static_cast<FreeBlock *>(header.raw);
  block->next = bin->head;
  bin->head = block;
  cachedBytes += header.size;
}
