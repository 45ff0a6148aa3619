// RUN: anvil-opt %s --split-input-file --anvil-host-gemm-kernels -verify-diagnostics | FileCheck %s
// RUN: not anvil-opt %s --split-input-file --anvil-host-gemm-kernels=tiling=search 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// The host's thread blocks are the tiling policy's decision for the host
// description the module carries, recorded on each kernel call as
// anvil.thread_blocks; the same attribute on the op is carried out instead.

// UNKNOWN: error: unknown tiling policy 'search' (tiling: fixed-tiles, roller)

// Two AVX-512 cores: at most 8 blocks of at least 16 kernel tiles of 6
// rows; 200 rows make 2 blocks of 102 (a multiple of 6), and the 96 columns
// one block of 96 (a multiple of the kernel's 32).
// CHECK-LABEL: func.func @decided
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to (%c2, %c1)
// CHECK: call @anvil_sgemm_fused({{.*}}) {anvil.thread_blocks = array<i64: 102, 96>}
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [{\22level\22: 1, \22capacity_bytes\22: 32768, \22line_bytes\22: 64}], \22dram_bytes\22: 1073741824}"} {
func.func @decided(%a: memref<200x64xf32>, %b: memref<64x96xf32>, %c: memref<200x96xf32>) {
  linalg.matmul ins(%a, %b : memref<200x64xf32>, memref<64x96xf32>) outs(%c : memref<200x96xf32>)
  return
}
}

// -----

// A decision written on the op replays: blocks of 50 rows, 4 of them.
// CHECK-LABEL: func.func @replayed
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to (%c4{{[_0-9]*}}, %c1)
// CHECK: call @anvil_sgemm_fused({{.*}}) {anvil.thread_blocks = array<i64: 50, 96>}
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [{\22level\22: 1, \22capacity_bytes\22: 32768, \22line_bytes\22: 64}], \22dram_bytes\22: 1073741824}"} {
func.func @replayed(%a: memref<200x64xf32>, %b: memref<64x96xf32>, %c: memref<200x96xf32>) {
  linalg.matmul {anvil.thread_blocks = array<i64: 50, 96>} ins(%a, %b : memref<200x64xf32>, memref<64x96xf32>) outs(%c : memref<200x96xf32>)
  return
}
}

// -----

// Depthwise convolutions are cut into blocks of channels: 96 channels make
// at most 8 blocks on 2 cores, of 12 channels.
// CHECK-LABEL: func.func @depthwise
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to (%c8, %c1{{[_0-9]*}})
// CHECK: call @anvil_sdwconv2d({{.*}}) {anvil.thread_blocks = array<i64: 12>}
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [], \22dram_bytes\22: 1073741824}"} {
func.func @depthwise(%x: memref<1x96x16x16xf32>, %w: memref<96x3x3xf32>, %y: memref<1x96x14x14xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x96x16x16xf32>, memref<96x3x3xf32>) outs(%y : memref<1x96x14x14xf32>)
  return
}
}

// -----

// A decision the kernel cannot carry out is an error naming the op.
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [], \22dram_bytes\22: 1073741824}"} {
func.func @broken(%a: memref<200x64xf32>, %b: memref<64x96xf32>, %c: memref<200x96xf32>) {
  // expected-error @below {{anvil.thread_blocks must hold 2 positive sizes (rows, cols) for this op}}
  linalg.matmul {anvil.thread_blocks = array<i64: 0, 96>} ins(%a, %b : memref<200x64xf32>, memref<64x96xf32>) outs(%c : memref<200x96xf32>)
  return
}
}
