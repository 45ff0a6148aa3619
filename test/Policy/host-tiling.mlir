// RUN: anvil-opt %s --split-input-file --anvil-host-gemm-kernels -verify-diagnostics | FileCheck %s
// RUN: anvil-opt %s --split-input-file --anvil-host-gemm-kernels=tiling=roller -verify-diagnostics | FileCheck %s --check-prefix=ROLLER
// RUN: not anvil-opt %s --split-input-file --anvil-host-gemm-kernels=tiling=search 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// The host's thread blocks and each call's cache blocks are the tiling
// policy's decisions for the host description the module carries, recorded
// on each kernel call as anvil.thread_blocks and anvil.cache_blocks; the
// same attributes on the op are carried out instead.

// UNKNOWN: error: unknown tiling policy 'search' (tiling: fixed-tiles, roller)

// Two AVX-512 cores: at most 8 blocks of at least 16 kernel tiles of 6
// rows; 200 rows make 2 blocks of 102 (a multiple of 6), and the 96 columns
// one block of 96 (a multiple of the kernel's 32).
// CHECK-LABEL: func.func @decided
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to (%c2, %c1)
// The first policy leaves the cache blocks to the kernel (0).
// CHECK: call @anvil_sgemm_blocked({{.*}}) {anvil.cache_blocks = array<i64: 0, 0, 0>, anvil.thread_blocks = array<i64: 102, 96>}
// ROLLER-LABEL: func.func @decided
// Roller takes the thread blocks as they are and sizes the cache blocks
// from the description's caches, but it has only a first level here: kc
// is the largest that keeps a 32-column sliver of B and two 6-row slivers
// of A in 32 KiB (186), balanced over the depth of 64.
// ROLLER: call @anvil_sgemm_blocked({{.*}}) {anvil.cache_blocks = array<i64: 0, 64, 0>, anvil.thread_blocks = array<i64: 102, 96>}
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
// CHECK: call @anvil_sgemm_blocked({{.*}}) {anvil.cache_blocks = array<i64: 0, 0, 0>, anvil.thread_blocks = array<i64: 50, 96>}
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

// Roller's cache blocks on 8 cores with three levels (48 KiB, 1 MiB, and
// 32 MiB that the 8 share): kc at most 279 (B's 32-column sliver and two of A's
// 6-row slivers in 48 KiB), so a depth of 576 is 3 slices of 192; mc at
// most 678 rows of 192 in half the second level, so a block's 102 rows are
// one; nc at most 2720 columns in half of a core's 4 MiB of the third.
// ROLLER-LABEL: func.func @three_levels
// ROLLER: call @anvil_sgemm_blocked({{.*}}) {anvil.cache_blocks = array<i64: 102, 192, 96>, anvil.thread_blocks = array<i64: 102, 96>}
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 8, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [{\22level\22: 1, \22capacity_bytes\22: 49152, \22line_bytes\22: 64}, {\22level\22: 2, \22capacity_bytes\22: 1048576, \22line_bytes\22: 64}, {\22level\22: 3, \22capacity_bytes\22: 33554432, \22line_bytes\22: 64, \22shared_by_cores\22: 8}], \22dram_bytes\22: 1073741824}"} {
func.func @three_levels(%a: memref<200x576xf32>, %b: memref<576x96xf32>, %c: memref<200x96xf32>) {
  linalg.matmul ins(%a, %b : memref<200x576xf32>, memref<576x96xf32>) outs(%c : memref<200x96xf32>)
  return
}
}

// -----

// Cache blocks written on the op replay, under either policy.
// CHECK-LABEL: func.func @replayed_cache_blocks
// CHECK: call @anvil_sgemm_blocked({{.*}}) {anvil.cache_blocks = array<i64: 12, 40, 0>, anvil.thread_blocks = array<i64: 102, 96>}
// ROLLER-LABEL: func.func @replayed_cache_blocks
// ROLLER: call @anvil_sgemm_blocked({{.*}}) {anvil.cache_blocks = array<i64: 12, 40, 0>, anvil.thread_blocks = array<i64: 102, 96>}
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [], \22dram_bytes\22: 1073741824}"} {
func.func @replayed_cache_blocks(%a: memref<200x64xf32>, %b: memref<64x96xf32>, %c: memref<200x96xf32>) {
  linalg.matmul {anvil.cache_blocks = array<i64: 12, 40, 0>} ins(%a, %b : memref<200x64xf32>, memref<64x96xf32>) outs(%c : memref<200x96xf32>)
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

// -----

module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [], \22dram_bytes\22: 1073741824}"} {
func.func @broken_cache_blocks(%a: memref<200x64xf32>, %b: memref<64x96xf32>, %c: memref<200x96xf32>) {
  // expected-error @below {{anvil.cache_blocks must hold 3 sizes (mc, kc, nc), each 0 (the kernel's) or more}}
  linalg.matmul {anvil.cache_blocks = array<i64: 12, -1, 0>} ins(%a, %b : memref<200x64xf32>, memref<64x96xf32>) outs(%c : memref<200x96xf32>)
  return
}
}

// -----

module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [], \22dram_bytes\22: 1073741824}"} {
func.func @depthwise_cache_blocks(%x: memref<1x96x16x16xf32>, %w: memref<96x3x3xf32>, %y: memref<1x96x14x14xf32>) {
  // expected-error @below {{anvil.cache_blocks is for products; this op runs the depthwise kernel}}
  linalg.depthwise_conv_2d_nchw_chw {anvil.cache_blocks = array<i64: 6, 64, 32>, dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : memref<1x96x16x16xf32>, memref<96x3x3xf32>) outs(%y : memref<1x96x14x14xf32>)
  return
}
}
