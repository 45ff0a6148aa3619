// RUN: anvil-opt %s --anvil-mtia-plan-sram=policy=welder | FileCheck %s
// RUN: anvil-opt %s --anvil-mtia-plan-sram | FileCheck %s --check-prefix=FIRST
// Welder stages in SRAM a graph argument whose kernels move more of it
// than staging costs (its traffic at SRAM's rate and the copies, each a
// launch and its bytes at both rates, against the traffic at DRAM's):
// the kernels use a buffer of the graph's own, which the plan places like
// an intermediate, filled by a copy before the first of them where that
// one reads the argument, and written back after the last where they
// write it. An argument read once stays where it is; the first policy
// stages nothing.

// FIRST-NOT: memory_space<sram>

#id = affine_map<(d0, d1) -> (d0, d1)>

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {

// Four branches read an input whole: one copy reads it from DRAM, and
// the branches read the copy in SRAM.
// CHECK-LABEL: func.func @input_read_by_branches
// CHECK: %[[S:.*]] = memref.alloc() {alignment = 64 : i64, anvil.sram.offset = {{[0-9]+}} : i64} : memref<1024x1024xf32, #mtia.memory_space<sram>>
// CHECK: memref.copy %arg0, %[[S]] : memref<1024x1024xf32> to memref<1024x1024xf32, #mtia.memory_space<sram>>
// CHECK-COUNT-4: linalg.generic {{.*}} ins(%[[S]] :
// CHECK-NOT: memref.copy
// CHECK: memref.dealloc %[[S]]
func.func @input_read_by_branches(%x: memref<1024x1024xf32>, %y: memref<4x1024x1024xf32>) {
  %y0 = memref.subview %y[0, 0, 0] [1, 1024, 1024] [1, 1, 1] : memref<4x1024x1024xf32> to memref<1024x1024xf32, strided<[1024, 1], offset: 0>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<1024x1024xf32>) outs(%y0 : memref<1024x1024xf32, strided<[1024, 1], offset: 0>>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  %y1 = memref.subview %y[1, 0, 0] [1, 1024, 1024] [1, 1, 1] : memref<4x1024x1024xf32> to memref<1024x1024xf32, strided<[1024, 1], offset: 1048576>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<1024x1024xf32>) outs(%y1 : memref<1024x1024xf32, strided<[1024, 1], offset: 1048576>>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  %y2 = memref.subview %y[2, 0, 0] [1, 1024, 1024] [1, 1, 1] : memref<4x1024x1024xf32> to memref<1024x1024xf32, strided<[1024, 1], offset: 2097152>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<1024x1024xf32>) outs(%y2 : memref<1024x1024xf32, strided<[1024, 1], offset: 2097152>>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  %y3 = memref.subview %y[3, 0, 0] [1, 1024, 1024] [1, 1, 1] : memref<4x1024x1024xf32> to memref<1024x1024xf32, strided<[1024, 1], offset: 3145728>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<1024x1024xf32>) outs(%y3 : memref<1024x1024xf32, strided<[1024, 1], offset: 3145728>>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  return
}

// Read once: staging would only add a copy.
// CHECK-LABEL: func.func @input_read_once
// CHECK-NOT: memref.copy
// CHECK: linalg.generic {{.*}} ins(%arg0 :
func.func @input_read_once(%x: memref<1024x1024xf32>, %y: memref<1024x1024xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<1024x1024xf32>) outs(%y : memref<1024x1024xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  return
}

// An output that holds intermediates (bufferization reuses it in place
// for the steps before its last): the steps use the SRAM buffer, which
// nothing reads first, and one copy writes the result back.
// CHECK-LABEL: func.func @output_holds_intermediates
// CHECK: %[[T:.*]] = memref.alloc() {alignment = 64 : i64, anvil.sram.offset = {{[0-9]+}} : i64} : memref<1024x1024xf32, #mtia.memory_space<sram>>
// CHECK-NOT: memref.copy %arg1
// CHECK: linalg.generic {{.*}} ins(%arg0 : memref<1024x1024xf32>) outs(%[[T]] :
// CHECK-COUNT-3: linalg.generic {{.*}} ins(%[[T]] : {{.*}}) outs(%[[T]] :
// CHECK-NEXT: ^bb0
// CHECK: memref.copy %[[T]], %arg1 : memref<1024x1024xf32, #mtia.memory_space<sram>> to memref<1024x1024xf32>
// CHECK-NEXT: memref.dealloc %[[T]]
func.func @output_holds_intermediates(%x: memref<1024x1024xf32>, %out: memref<1024x1024xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<1024x1024xf32>) outs(%out : memref<1024x1024xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%out : memref<1024x1024xf32>) outs(%out : memref<1024x1024xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%out : memref<1024x1024xf32>) outs(%out : memref<1024x1024xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%out : memref<1024x1024xf32>) outs(%out : memref<1024x1024xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = math.exp %in : f32
    linalg.yield %r : f32
  }
  return
}
}
