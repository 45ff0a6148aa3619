// RUN: anvil-opt %s --split-input-file --anvil-mtia-fusion=policy=welder | FileCheck %s
// RUN: anvil-opt %s --split-input-file --anvil-mtia-fusion | FileCheck %s --check-prefix=FIRST
// RUN: anvil-opt %s --split-input-file --anvil-mtia-fusion=policy=welder-sram | FileCheck %s --check-prefix=FIRST
// Welder connects a product's output in local memory to the elementwise
// op after it, where the product's DPE kernel can apply that op to each C
// tile before storing it (a residual add and the ReLU after it): the op
// is folded as an "elementwise_epilogue" and forms no kernel of its own.
// The first policy, and Welder connecting no deeper than SRAM, leave it a
// kernel of its own.

// CHECK-LABEL: func.func @residual
// CHECK: linalg.matmul {anvil.fusion.kernel = 0 : i64}
// CHECK: linalg.generic
// CHECK-SAME: anvil.fusion.into = 0 : i64, anvil.fusion.role = "elementwise_epilogue"
// FIRST-LABEL: func.func @residual
// FIRST: linalg.matmul {anvil.fusion.kernel = 0 : i64}
// FIRST: linalg.generic
// FIRST-SAME: anvil.fusion.kernel = 1 : i64
#id = affine_map<(d0, d1) -> (d0, d1)>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @residual(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %r: memref<8x4xf32>, %y: memref<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloc() : memref<8x4xf32>
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  %out = memref.alloc() : memref<8x4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %r : memref<8x4xf32>, memref<8x4xf32>) outs(%y : memref<8x4xf32>) {
  ^bb0(%x: f32, %s: f32, %o: f32):
    %sum = arith.addf %x, %s : f32
    %relu = arith.maximumf %sum, %zero : f32
    linalg.yield %relu : f32
  }
  memref.dealloc %c : memref<8x4xf32>
  return
}
}

// -----

// A bias along a matmul's columns, read through a reshape of the output
// (BERT's linear layers): each C tile loads its columns of the bias.
// CHECK-LABEL: func.func @bias
// CHECK: linalg.generic
// CHECK-SAME: anvil.fusion.into = 0 : i64, anvil.fusion.role = "elementwise_epilogue"
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#last = affine_map<(d0, d1, d2) -> (d2)>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @bias(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %bias: memref<4xf32>, %y: memref<8x1x4xf32>) {
  %c = memref.alloc() : memref<8x4xf32>
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  %v = memref.expand_shape %c [[0, 1], [2]] output_shape [8, 1, 4] : memref<8x4xf32> into memref<8x1x4xf32>
  linalg.generic {indexing_maps = [#id3, #last, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%v, %bias : memref<8x1x4xf32>, memref<4xf32>) outs(%y : memref<8x1x4xf32>) {
  ^bb0(%x: f32, %s: f32, %o: f32):
    %sum = arith.addf %x, %s : f32
    linalg.yield %sum : f32
  }
  return
}
}

// -----

// Not where the product's output is read after the op (it would never be
// written), where the op writes a buffer the product reads (another PE's
// tile could overwrite what it has still to read), or where the op
// broadcasts an operand along C's rows (a tile loads no part of it yet).
// CHECK-LABEL: func.func @kept_apart
// CHECK-NOT: elementwise_epilogue
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d0)>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @kept_apart(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %bias: memref<4xf32>,
                      %y: memref<4x4xf32>, %z: memref<4x4xf32>) {
  %c = memref.alloc() : memref<4x4xf32>
  linalg.matmul ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x4xf32>) outs(%y : memref<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %d = arith.addf %x, %x : f32
    linalg.yield %d : f32
  }
  linalg.copy ins(%c : memref<4x4xf32>) outs(%z : memref<4x4xf32>)
  %c2 = memref.alloc() : memref<4x4xf32>
  linalg.matmul ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%c2 : memref<4x4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c2 : memref<4x4xf32>) outs(%a : memref<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %d = arith.addf %x, %x : f32
    linalg.yield %d : f32
  }
  %c3 = memref.alloc() : memref<4x4xf32>
  linalg.matmul ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%c3 : memref<4x4xf32>)
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c3, %bias : memref<4x4xf32>, memref<4xf32>) outs(%c3 : memref<4x4xf32>) {
  ^bb0(%x: f32, %s: f32, %o: f32):
    %d = arith.addf %x, %s : f32
    linalg.yield %d : f32
  }
  return
}
}
