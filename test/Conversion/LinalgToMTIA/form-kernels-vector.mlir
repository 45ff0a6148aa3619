// RUN: anvil-opt %s -split-input-file --anvil-mtia-fusion --anvil-mtia-form-kernels --canonicalize | FileCheck %s
// Ops other than products run on the vector cores, their parallel loops cut
// into tasks over the PEs: the tiling policy's task grid, chosen by the
// cost model and recorded as anvil.task_tiles beside the parallel
// iterations it had to share out. Reduction loops stay whole, window ops
// read their halo.

// At batch 1 the channels give the tasks: one channel a PE, no task loop.
// CHECK-LABEL: func.func @relu_batch1(
// CHECK-SAME: %[[X:[^:]*]]: memref<1x64x56x56xf32>
// CHECK: mtia.launch "generic_0" pes(64) {
// CHECK-NEXT: ^bb0(%[[PE:.*]]: index):
// CHECK-NOT: scf.for
// CHECK: memref.subview %[[X]][0, %[[PE]], 0, 0] [1, 1, 56, 56] [1, 1, 1, 1]
// CHECK: linalg.generic
// CHECK: mtia.core_cost
// CHECK: } {anvil.parallel_iterations = 200704 : i64, anvil.predicted_cycles = {{[0-9]+}} : i64, anvil.task_tiles = array<i64: 1, 1, 56, 56>}
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @relu_batch1(%x: memref<1x64x56x56xf32>, %y: memref<1x64x56x56xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(n, c, h, w) -> (n, c, h, w)>, affine_map<(n, c, h, w) -> (n, c, h, w)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x64x56x56xf32>) outs(%y : memref<1x64x56x56xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}
}

// -----

// A max pool of 8 channels: the output rows are cut into tiles of 7 (64
// tasks), and each task reads its 15 input rows (7 strided by 2, plus the
// window's overlap).
// CHECK-LABEL: func.func @pool_rows(
// CHECK-SAME: %[[IN:[^:]*]]: memref<1x8x113x113xf32>
// CHECK: mtia.launch "pooling_nchw_max_0" pes(64) {
// CHECK-NOT: scf.for
// CHECK: memref.subview %[[IN]][0, %{{.*}}, %{{.*}}, 0] [1, 1, 15, 113] [1, 1, 1, 1]
// CHECK: linalg.pooling_nchw_max
// CHECK: } {anvil.parallel_iterations = 25088 : i64, anvil.predicted_cycles = {{[0-9]+}} : i64, anvil.task_tiles = array<i64: 1, 1, 7, 56, 3, 3>}
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @pool_rows(%in: memref<1x8x113x113xf32>, %window: memref<3x3xf32>, %out: memref<1x8x56x56xf32>) {
  linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%in, %window : memref<1x8x113x113xf32>, memref<3x3xf32>) outs(%out : memref<1x8x56x56xf32>)
  return
}
}

// -----

// A sum over rows, 12 x 128 of them: the cost model weighs each task's
// DRAM latency against its waves, and tiles of 13 rows (120 tasks, two
// waves) beat tiles of 8 (192 tasks, three waves). PE p runs tasks p and
// p + 64; the last tile of each head is partial. The reduced loop stays
// whole.
// CHECK-LABEL: func.func @row_sum(
// CHECK: mtia.launch "generic_0" pes(64) {
// CHECK-NEXT: ^bb0(%[[PE:.*]]: index):
// CHECK: scf.for %{{.*}} = %[[PE]] to %c120 step %c64
// CHECK: memref.subview %{{.*}}[0, %{{.*}}, %{{.*}}, 0] [1, 1, %{{.*}}, 128] [1, 1, 1, 1]
// CHECK: } {anvil.parallel_iterations = 1536 : i64, anvil.predicted_cycles = {{[0-9]+}} : i64, anvil.task_tiles = array<i64: 1, 1, 13, 128>}
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @row_sum(%x: memref<1x12x128x128xf32>, %y: memref<1x12x128xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, h, r, c) -> (n, h, r, c)>, affine_map<(n, h, r, c) -> (n, h, r)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x : memref<1x12x128x128xf32>) outs(%y : memref<1x12x128xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}
}

// -----

// A full reduction has no parallel loop: one task on one PE.
// CHECK-LABEL: func.func @total(
// CHECK: mtia.launch "generic_0" pes(1) {
// CHECK-NOT: memref.subview
// CHECK: } {anvil.parallel_iterations = 1 : i64, anvil.predicted_cycles = {{[0-9]+}} : i64, anvil.task_tiles = array<i64: 1000>}
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @total(%x: memref<1000xf32>, %y: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%x : memref<1000xf32>) outs(%y : memref<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}
}

// -----

// A reversal reads through a falling map (-i + 9): upstream's slice of a
// tile of it would be wrong, so it runs whole, on one PE.
// CHECK-LABEL: func.func @reverse(
// CHECK: mtia.launch "generic_0" pes(1) {
// CHECK-NOT: memref.subview
// CHECK: } {anvil.parallel_iterations = 1000 : i64, anvil.predicted_cycles = {{[0-9]+}} : i64, anvil.task_tiles = array<i64: 1000>}
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @reverse(%x: memref<1000xf32>, %y: memref<1000xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i) -> (-i + 999)>, affine_map<(i) -> (i)>],
                  iterator_types = ["parallel"]}
      ins(%x : memref<1000xf32>) outs(%y : memref<1000xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
}
