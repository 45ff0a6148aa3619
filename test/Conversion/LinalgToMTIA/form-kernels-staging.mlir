// RUN: anvil-opt %s -split-input-file --anvil-mtia-fusion --anvil-mtia-form-kernels --canonicalize | FileCheck %s
// RUN: anvil-opt %s -split-input-file --anvil-mtia-fusion --anvil-mtia-form-kernels=sram-staging=false | FileCheck %s --check-prefix=OFF
// RUN: anvil-opt %s -split-input-file --anvil-mtia-fusion --anvil-mtia-form-kernels=dpe-type=i8 --canonicalize | FileCheck %s --check-prefix=I8
// A product's operand that several C tiles read is copied into SRAM by all
// the kernel's PEs first, converted once to the DPE's type on the way (the
// SE converts in local memory, so an f32 copy goes through it on both
// machines); the tiles then read the f16 copy and convert nothing.

// 70 x 90 is 2 x 2 tiles of 64: each row of A and column of B is read
// twice. PE p copies steps p, p + 4, ... (4 PEs, 18 rows of A at a time),
// through the kernel's local arena, which the products do not use yet.
// CHECK-LABEL: func.func @both(
// CHECK-SAME: %[[A:[^:]*]]: memref<70x100xf32>, %[[B:[^:]*]]: memref<100x90xf32>
// CHECK: mtia.launch "matmul_0" pes(4)
// CHECK: %[[ARENA:.*]] = memref.alloca() : memref<49152xi8, #mtia.memory_space<local>>
// CHECK: %[[SA:.*]] = memref.alloca() : memref<70x100xf16, #mtia.memory_space<sram>>
// CHECK: scf.if
// CHECK: memref.subview %[[A]]
// CHECK: memref.view %[[ARENA]][%{{.*}}][] : memref<49152xi8, #mtia.memory_space<local>> to memref<40x100xf32, #mtia.memory_space<local>>
// CHECK: %[[FIRST:.*]] = mtia.dma %{{.*}}, %{{.*}} : memref<?x?xf32, strided<[100, 1], offset: ?>>, memref<?x?xf32, strided<[100, 1], offset: ?>, #mtia.memory_space<local>>
// CHECK: scf.for {{.*}} iter_args(%[[IN:.*]] = %[[FIRST]], %{{.*}} = %[[FIRST]]) -> (!mtia.token, !mtia.token)
// CHECK: mtia.wait %[[IN]]
// The next step's load is in flight while this one converts.
// CHECK: scf.if
// CHECK: mtia.dma
// CHECK: %[[CONVERTED:.*]] = mtia.se_convert %{{.*}}, %{{.*}} : memref<18x100xf32, strided<[100, 1]>, #mtia.memory_space<local>>, memref<18x100xf16, strided<[100, 1]>, #mtia.memory_space<local>>
// CHECK: mtia.wait %[[CONVERTED]]
// CHECK: mtia.dma %{{.*}}, %{{.*}} : memref<?x?xf16, strided<[100, 1], offset: ?>, #mtia.memory_space<local>>, memref<?x?xf16, strided<[100, 1], offset: ?>, #mtia.memory_space<sram>>
// CHECK: %[[SB:.*]] = memref.alloca() : memref<100x90xf16, #mtia.memory_space<sram>>
// CHECK: mtia.barrier
// CHECK: memref.subview %[[SA]]
// CHECK: memref.subview %[[SB]]
// CHECK-NOT: mtia.se_convert
// CHECK: mtia.dma %{{.*}}, %{{.*}} : memref<?x?xf16, strided<[100, 1], offset: ?>, #mtia.memory_space<sram>>, memref<?x?xf16, strided<[64, 1], offset: ?>, #mtia.memory_space<local>>
// CHECK-NOT: mtia.se_convert
// CHECK: mtia.dpe_matmul

// With a single column of C tiles, A is read once: only B is staged.
// CHECK-LABEL: func.func @b_only(
// CHECK-NOT: memref<128x100xf32, #mtia.memory_space<sram>>
// CHECK: memref.alloca() : memref<100x32xf16, #mtia.memory_space<sram>>
// CHECK-NOT: memref<128x100xf32, #mtia.memory_space<sram>>
// CHECK: mtia.barrier
// CHECK: return

// OFF-LABEL: func.func @both(
// OFF-NOT: sram
// OFF-NOT: mtia.barrier
// OFF: mtia.dpe_matmul
// OFF-LABEL: func.func @b_only(
// OFF-NOT: sram
// OFF-NOT: mtia.barrier
// OFF: mtia.dpe_matmul

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @both(%a: memref<70x100xf32>, %b: memref<100x90xf32>, %c: memref<70x90xf32>) {
  linalg.matmul ins(%a, %b : memref<70x100xf32>, memref<100x90xf32>) outs(%c : memref<70x90xf32>)
  return
}
func.func @b_only(%a: memref<128x100xf32>, %b: memref<100x32xf32>, %c: memref<128x32xf32>) {
  linalg.matmul ins(%a, %b : memref<128x100xf32>, memref<100x32xf32>) outs(%c : memref<128x32xf32>)
  return
}
}

// -----

// mtia-2i prefetches DRAM into SRAM, but an f32 copy still goes through
// local memory, where the SE converts it.
// CHECK-LABEL: func.func @prefetch(
// CHECK-SAME: %[[A:[^:]*]]: memref<70x100xf32>
// CHECK: %[[SA:.*]] = memref.alloca() : memref<70x100xf16, #mtia.memory_space<sram>>
// CHECK: mtia.se_convert
// CHECK: mtia.dma %{{.*}}, %{{.*}} : memref<?x?xf16, strided<[100, 1], offset: ?>, #mtia.memory_space<local>>, memref<?x?xf16, strided<[100, 1], offset: ?>, #mtia.memory_space<sram>>
// CHECK: mtia.barrier
module attributes {mtia.target = #mtia.target<name = "mtia-2i", num_pes = 64,
    local_bytes = 393216, sram_bytes = 268435456, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16, bf16], broadcast = true, gather = true, dram_prefetch = true>} {
func.func @prefetch(%a: memref<70x100xf32>, %b: memref<100x90xf32>, %c: memref<70x90xf32>) {
  linalg.matmul ins(%a, %b : memref<70x100xf32>, memref<100x90xf32>) outs(%c : memref<70x90xf32>)
  return
}
}

// -----

// i8 operands, already quantized, need no conversion: on mtia-2i each
// staging step is one DMA from DRAM straight into SRAM (the first
// policy stages both: two tiles read each operand).
// I8-LABEL: func.func @prefetch_i8(
// I8: mtia.launch "matmul_1"
// I8: %[[SA:.*]] = memref.alloca() : memref<70x100xi8, #mtia.memory_space<sram>>
// I8-NOT: mtia.se_convert
// I8: mtia.dma %{{.*}}, %{{.*}} : memref<?x?xi8, strided<[100, 1], offset: ?>>, memref<?x?xi8, strided<[100, 1], offset: ?>, #mtia.memory_space<sram>>
// I8: mtia.barrier
module attributes {mtia.target = #mtia.target<name = "mtia-2i", num_pes = 64,
    local_bytes = 393216, sram_bytes = 268435456, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16, bf16], broadcast = true, gather = true, dram_prefetch = true>} {
func.func @prefetch_i8(%a: memref<70x100xf32>, %b: memref<100x90xf32>, %c: memref<70x90xf32>) {
  linalg.matmul {anvil.product_tiles = array<i64: 64, 64, 128>}
    ins(%a, %b : memref<70x100xf32>, memref<100x90xf32>) outs(%c : memref<70x90xf32>)
  return
}
}
