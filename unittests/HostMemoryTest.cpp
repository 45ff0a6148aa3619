//===- HostMemoryTest.cpp - The artifacts' run-to-run buffer reuse --------===//
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <gtest/gtest.h>
#include <malloc.h>

#include "anvil-c/Kernels.h"

extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t size);
void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size);
void _mlir_memref_to_llvm_free(void *ptr);
}

namespace {

TEST(HostMemoryTest, FreedBlockServesTheNextRequestOfItsSize) {
  void *a = _mlir_memref_to_llvm_alloc(1 << 20);
  ASSERT_NE(a, nullptr);
  std::memset(a, 1, 1 << 20);
  _mlir_memref_to_llvm_free(a);
  void *b = _mlir_memref_to_llvm_alloc(1 << 20);
  EXPECT_EQ(a, b);
  // A different size gets a different block while b is in use.
  void *c = _mlir_memref_to_llvm_alloc((1 << 20) + 64);
  EXPECT_NE(b, c);
  _mlir_memref_to_llvm_free(b);
  _mlir_memref_to_llvm_free(c);
}

TEST(HostMemoryTest, AlignedBlocksAreAlignedAndReused) {
  for (size_t alignment : {16, 64, 128, 4096}) {
    void *a = _mlir_memref_to_llvm_aligned_alloc(alignment, 1000);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % alignment, 0u);
    std::memset(a, 2, 1000);
    _mlir_memref_to_llvm_free(a);
    void *b = _mlir_memref_to_llvm_aligned_alloc(alignment, 1000);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % alignment, 0u);
    _mlir_memref_to_llvm_free(b);
  }
  _mlir_memref_to_llvm_free(nullptr);
}

TEST(HostMemoryTest, PlainBlocksAre16ByteAligned) {
  for (size_t size : {1, 7, 100, 4097}) {
    void *p = _mlir_memref_to_llvm_alloc(size);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    _mlir_memref_to_llvm_free(p);
  }
}

/// Bytes malloc has handed out and not taken back (0 under ASan, whose
/// allocator mallinfo2 does not see; its leak check covers that build).
size_t mallocInUse() { return mallinfo2().uordblks; }

void *keptBlock = nullptr;

/// A run that takes two blocks, frees one, keeps the other and then asks
/// for more memory than there is.
void runOutOfMemory(void **) {
  void *freed = _mlir_memref_to_llvm_alloc(3 << 20);
  keptBlock = _mlir_memref_to_llvm_aligned_alloc(64, 5 << 20);
  std::memset(keptBlock, 3, 5 << 20);
  _mlir_memref_to_llvm_free(freed);
  _mlir_memref_to_llvm_alloc(SIZE_MAX - 64);
  ADD_FAILURE() << "the run went on without its memory";
}

void runNormally(void **buffers) {
  void *block = _mlir_memref_to_llvm_alloc(1 << 10);
  *static_cast<int *>(buffers[0]) = 7;
  _mlir_memref_to_llvm_free(block);
}

TEST(HostMemoryTest, ARunOutOfMemoryStopsWithAStatusAndFreesWhatItTook) {
  size_t before = mallocInUse();
  EXPECT_EQ(anvil_run_guarded(runOutOfMemory, nullptr),
            ANVIL_RUN_OUT_OF_MEMORY);
  EXPECT_NE(keptBlock, nullptr);
  // The kept 5 MB block went back to malloc; the freed 3 MB one waits in
  // the thread's cache, as between any two runs.
  EXPECT_LT(mallocInUse(), before + (4 << 20));
  // The next run on the thread is unaffected.
  int out = 0;
  void *buffers[] = {&out};
  EXPECT_EQ(anvil_run_guarded(runNormally, buffers), 0);
  EXPECT_EQ(out, 7);
}

TEST(HostMemoryTest, AnAllocationTooLargeOutsideARunAborts) {
  EXPECT_DEATH(_mlir_memref_to_llvm_alloc(SIZE_MAX - 64),
               "anvil: out of memory: [0-9]+ bytes for a model run");
}

} // namespace
