// RUN: anvil-opt %s -split-input-file --anvil-mtia-form-kernels -verify-diagnostics | FileCheck %s
// RUN: not anvil-opt %s -split-input-file --anvil-mtia-form-kernels=tiling=search 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// A tiling decision written on a linalg op replays: the kernel carries it
// out instead of asking the tiling policy, and records it on its launch as
// the policy's own would be. A decision the kernel cannot carry out is an
// error on the op.

// UNKNOWN: error: unknown tiling policy 'search' (tiling: fixed-tiles, roller)

// The first policy (fixed-tiles) would cut this product into 64 x 64 x 64
// tiles on one PE; the decision's 32 x 32 x 32 tiles make 4 tasks.
// CHECK-LABEL: func.func @product_tiles
// CHECK: mtia.launch "matmul_0" pes(4)
// CHECK: anvil.product_tiles = array<i64: 32, 32, 32>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @product_tiles(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul {anvil.product_tiles = array<i64: 32, 32, 32>}
    ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}
}

// -----

// A staging decision replays with its tiles: here B alone is staged in
// SRAM (its f16 copy, then the barrier), where the first policy stages
// both; and so does a buffer count: three slices of each operand.
// CHECK-LABEL: func.func @product_staging
// CHECK: mtia.launch "matmul_0" pes(4)
// CHECK: memref.alloca() : memref<64x64xf16, #mtia.memory_space<sram>>
// CHECK-NOT: memref.alloca() : memref<64x64xf16, #mtia.memory_space<sram>>
// CHECK: mtia.barrier
// CHECK: anvil.product_buffers = 3 : i64
// CHECK-SAME: anvil.product_staging = array<i1: false, true>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @product_staging(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul {anvil.product_tiles = array<i64: 32, 32, 32>,
                 anvil.product_staging = array<i1: false, true>,
                 anvil.product_buffers = 3}
    ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @staging_without_tiles(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  // expected-error @below {{has a product staging decision without product tiles}}
  linalg.matmul {anvil.product_staging = array<i1: false, true>}
    ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}
}

// -----

// The policy would give each of 64 PEs one of the 64 rows; the decision
// cuts both loops into 16 x 32 boxes: 8 tasks on 8 PEs.
// CHECK-LABEL: func.func @task_tiles
// CHECK: mtia.launch "generic_0" pes(8)
// CHECK: anvil.task_tiles = array<i64: 16, 32>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @task_tiles(%x: memref<64x64xf32>, %y: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<64x64xf32>) outs(%y : memref<64x64xf32>) attrs = {anvil.task_tiles = array<i64: 16, 32>} {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @reduction_cut(%x: memref<64x64xf32>, %y: memref<64xf32>) {
  // expected-error @below {{cuts loop 1, whose tiles would not write disjoint outputs}}
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<64x64xf32>) outs(%y : memref<64xf32>) attrs = {anvil.task_tiles = array<i64: 1, 8>} {
  ^bb0(%in: f32, %out: f32):
    %r = arith.addf %in, %out : f32
    linalg.yield %r : f32
  }
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @too_big(%a: memref<512x512xf32>, %b: memref<512x512xf32>, %c: memref<512x512xf32>) {
  // expected-error @below {{has product tiles 256x256x256 whose buffers take 1835008 bytes; a PE has 131072 bytes of local memory}}
  linalg.matmul {anvil.product_tiles = array<i64: 256, 256, 256>}
    ins(%a, %b : memref<512x512xf32>, memref<512x512xf32>) outs(%c : memref<512x512xf32>)
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @one_buffer(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  // expected-error @below {{has product buffers 1; a product needs at least 2}}
  linalg.matmul {anvil.product_tiles = array<i64: 32, 32, 32>, anvil.product_buffers = 1}
    ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}
}
