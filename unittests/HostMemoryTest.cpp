//===- HostMemoryTest.cpp - The artifacts' run-to-run buffer reuse --------===//
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <gtest/gtest.h>

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

} // namespace
