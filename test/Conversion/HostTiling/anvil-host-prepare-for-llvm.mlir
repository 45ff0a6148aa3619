// RUN: anvil-opt %s --anvil-host-prepare-for-llvm | FileCheck %s

// Only an outer prefix of the parallel dimensions stays parallel (64+
// iterations to share); the innermost stays a plain loop LLVM vectorizes.
// CHECK-LABEL: func.func @outer_parallel
// CHECK: scf.parallel ({{.*}}) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1)
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c1
// CHECK-NOT: scf.parallel
func.func @outer_parallel(%x: memref<8x16x32xf32>, %y: memref<8x16x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : memref<8x16x32xf32>) outs(%y : memref<8x16x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}

// A strided copy becomes loops, not a call into MLIR's runner library.
// CHECK-LABEL: func.func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: scf.parallel
// CHECK: memref.load
// CHECK: memref.store
func.func @strided_copy(%x: memref<4x4xf32>, %y: memref<4x4xf32, strided<[8, 1]>>) {
  memref.copy %x, %y : memref<4x4xf32> to memref<4x4xf32, strided<[8, 1]>>
  return
}

// Contractions lower to outer products (vector FMAs).
// CHECK-LABEL: func.func @contract
// CHECK-NOT: vector.contract
// CHECK: vector.fma
func.func @contract(%a: vector<2x4xf32>, %b: vector<4x8xf32>, %c: vector<2x8xf32>) -> vector<2x8xf32> {
  %0 = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %c : vector<2x4xf32>, vector<4x8xf32> into vector<2x8xf32>
  return %0 : vector<2x8xf32>
}

// A zero-element argument of the entry point becomes a plain pointer (the
// bare-pointer convention has no type for it); a zero-element stack buffer
// stands in for it inside. Private functions keep their signature.
// CHECK-LABEL: func.func @empty_input(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: memref<2xf32>)
// CHECK: %[[STANDIN:.*]] = memref.alloca() : memref<3x0x5xf32>
// CHECK: memref.load %[[STANDIN]]
func.func @empty_input(%x: memref<3x0x5xf32>, %y: memref<2xf32>) {
  %e = memref.alloc() : memref<3x0x5xf32>
  memref.copy %x, %e : memref<3x0x5xf32> to memref<3x0x5xf32>
  return
}
// CHECK-LABEL: func.func private @empty_private(
// CHECK-SAME: memref<3x0x5xf32>
func.func private @empty_private(%x: memref<3x0x5xf32>) {
  return
}
