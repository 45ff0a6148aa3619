// RUN: anvil-opt %s --anvil-mtia-fusion --anvil-mtia-form-kernels --canonicalize | FileCheck %s
// A grouped convolution runs on the DPE as a product batched over its
// groups: one im2col of all channels (group g's patches are rows g * 72 ...
// of it), then one DPE kernel whose task for group g multiplies W[g]
// [16, 72] by those rows into Y[0, g] [16, 64].

// CHECK-LABEL: func.func @grouped(
// CHECK-SAME: %[[X:[^:]*]]: memref<1x4x8x10x10xf32>, %[[W:[^:]*]]: memref<4x16x8x3x3xf32>, %[[Y:[^:]*]]: memref<1x4x16x8x8xf32>
// CHECK: %[[NCHW:.*]] = memref.collapse_shape %[[X]] {{\[}}[0], [1, 2], [3], [4]] : memref<1x4x8x10x10xf32> into memref<1x32x10x10xf32>
// The patches are gathered in the DPE's type (f16), which the products read.
// CHECK: %[[PATCHES:.*]] = memref.alloc() {alignment = 64 : i64} : memref<288x64xf16>
// CHECK: mtia.launch "im2col_0" pes(
// CHECK: %[[GROUPS:.*]] = memref.expand_shape %[[PATCHES]] {{\[}}[0, 1], [2]] output_shape [4, 72, 64]
// CHECK: mtia.launch "grouped_conv_1" pes(4) {
// CHECK: scf.for %[[G:.*]] = %{{.*}} to %{{.*}} step
// CHECK-DAG: memref.subview %{{.*}}[%[[G]], 0, 0, 0] [1, 16, 8, 8]
// CHECK-DAG: memref.subview %[[W]][%[[G]], 0, 0, 0, 0] [1, 16, 8, 3, 3]
// CHECK-DAG: memref.subview %[[GROUPS]][%[[G]], 0, 0] [1, 72, 64]
// CHECK: mtia.dpe_matmul
// CHECK: } {anvil.predicted_cycles = [[CYCLES:[0-9]+]] : i64, anvil.product_buffers = 2 : i64, anvil.product_candidates = [array<i64: 64, 64, 64, 2, 0, 0, [[CYCLES]]>], anvil.product_staging = array<i1: false, false>, anvil.product_tiles = array<i64: 64, 64, 64>}
// CHECK: memref.dealloc %[[PATCHES]]
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @grouped(%x: memref<1x4x8x10x10xf32>, %w: memref<4x16x8x3x3xf32>, %y: memref<1x4x16x8x8xf32>) {
  linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x4x8x10x10xf32>, memref<4x16x8x3x3xf32>) outs(%y : memref<1x4x16x8x8xf32>)
  return
}
}
