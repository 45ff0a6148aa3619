// RUN: anvil-opt %s --anvil-mtia-plan-sram=policy=welder | FileCheck %s
// RUN: anvil-opt %s --anvil-mtia-plan-sram=policy=welder-sram | FileCheck %s
// RUN: anvil-opt %s --anvil-mtia-plan-sram | FileCheck %s --check-prefix=DRAM
// RUN: anvil-opt %s --anvil-mtia-plan-sram=policy=welder-dram | FileCheck %s --check-prefix=DRAM
// RUN: not anvil-opt %s --anvil-mtia-plan-sram=policy=greedy 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// Welder keeps the intermediates between kernels in SRAM, packed by
// lifetime: %a (ops 1-2) and %b (2-3) are live together and take
// disjoint bytes; %c (3-4) starts after %a's last reader and takes its
// bytes again. The buffer and its views get the SRAM memory space, so
// that the kernels formed next move it at SRAM's rate; the module holds
// the plan's size, which the kernels' staging does not use. The first
// policy, and Welder connecting only at DRAM (--welder-levels=dram),
// keep every intermediate in DRAM.

// UNKNOWN: error: unknown fusion policy 'greedy'

// CHECK: module attributes {anvil.sram.plan_bytes = 2048 : i64
// CHECK-LABEL: func.func @chain
// CHECK: %[[A:.*]] = memref.alloc() {anvil.sram.offset = 0 : i64} : memref<256xf32, #mtia.memory_space<sram>>
// CHECK: %[[B:.*]] = memref.alloc() {anvil.sram.offset = 1024 : i64} : memref<256xf32, #mtia.memory_space<sram>>
// CHECK: %[[C:.*]] = memref.alloc() {anvil.sram.offset = 0 : i64} : memref<16x16xf32, #mtia.memory_space<sram>>
// CHECK: memref.expand_shape %[[B]] {{.*}} into memref<16x16xf32, #mtia.memory_space<sram>>
// DRAM-NOT: anvil.sram
// DRAM-NOT: memory_space<sram>

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @chain(%x: memref<256xf32>, %out: memref<16x16xf32>) {
  %a = memref.alloc() : memref<256xf32>
  linalg.copy ins(%x : memref<256xf32>) outs(%a : memref<256xf32>)
  %b = memref.alloc() : memref<256xf32>
  linalg.copy ins(%a : memref<256xf32>) outs(%b : memref<256xf32>)
  %c = memref.alloc() : memref<16x16xf32>
  %bv = memref.expand_shape %b [[0, 1]] output_shape [16, 16] : memref<256xf32> into memref<16x16xf32>
  linalg.copy ins(%bv : memref<16x16xf32>) outs(%c : memref<16x16xf32>)
  linalg.copy ins(%c : memref<16x16xf32>) outs(%out : memref<16x16xf32>)
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<256xf32>
  memref.dealloc %c : memref<16x16xf32>
  return
}

// What only kernels use: a buffer the host reads (a scalar for control
// flow on the host), or that a function returns, stays in DRAM, as does
// the padded copy a convolution's kernel folds (it is never written);
// the padded copy's source is read by that kernel, so it lives until
// the convolution, whose sums then take other bytes.
// CHECK-LABEL: func.func @kept_in_dram
// CHECK: memref.alloc() : memref<4xf32>
// CHECK: memref.alloc() {anvil.sram.offset = 0 : i64} : memref<1x1x4x4xf32, #mtia.memory_space<sram>>
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<1x1x6x6xf32>
// CHECK: memref.alloc() {anvil.sram.offset = 64 : i64} : memref<1x1x4x4xf32, #mtia.memory_space<sram>>
// CHECK: memref.alloc() : memref<4xf32>
func.func @kept_in_dram(%x: memref<4xf32>, %image: memref<1x1x4x4xf32>,
                        %w: memref<1x1x3x3xf32>, %y: memref<1x1x4x4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %scalar = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%scalar : memref<4xf32>)
  %v = memref.load %scalar[%c0] : memref<4xf32>
  %source = memref.alloc() : memref<1x1x4x4xf32>
  linalg.copy ins(%image : memref<1x1x4x4xf32>) outs(%source : memref<1x1x4x4xf32>)
  %padded = memref.alloc() {alignment = 64 : i64} : memref<1x1x6x6xf32>
  linalg.fill {anvil.fusion.kernel = 0 : i64} ins(%zero : f32) outs(%padded : memref<1x1x6x6xf32>)
  %inner = memref.subview %padded[0, 0, 1, 1] [1, 1, 4, 4] [1, 1, 1, 1] : memref<1x1x6x6xf32> to memref<1x1x4x4xf32, strided<[36, 36, 6, 1], offset: 7>>
  memref.copy %source, %inner {anvil.fusion.into = 1 : i64, anvil.fusion.role = "padded_input"} : memref<1x1x4x4xf32> to memref<1x1x4x4xf32, strided<[36, 36, 6, 1], offset: 7>>
  %sums = memref.alloc() : memref<1x1x4x4xf32>
  linalg.conv_2d_nchw_fchw {anvil.fusion.kernel = 1 : i64} ins(%padded, %w : memref<1x1x6x6xf32>, memref<1x1x3x3xf32>) outs(%sums : memref<1x1x4x4xf32>)
  linalg.copy ins(%sums : memref<1x1x4x4xf32>) outs(%y : memref<1x1x4x4xf32>)
  %result = memref.alloc() : memref<4xf32>
  linalg.fill ins(%v : f32) outs(%result : memref<4xf32>)
  return %result : memref<4xf32>
}
}
