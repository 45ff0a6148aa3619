// RUN: anvil-opt %s --anvil-split-products=scheduler=rammer --canonicalize | FileCheck %s
// RUN: anvil-opt %s --anvil-split-products=scheduler=rammer-serial --canonicalize | FileCheck %s --check-prefix=KEEP
// RUN: anvil-opt %s --anvil-split-products | FileCheck %s --check-prefix=KEEP
// RUN: not anvil-opt %s --anvil-split-products=scheduler=nnfusion 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// A recurrent layer's input projection over the states of the layer
// below: one product of the concatenated states. Under Rammer's waves it
// becomes one product per state, and the slices that took each step's rows
// of the whole product fold to that step's product: each step's projection
// now waits for its own state only.
// CHECK-LABEL: func.func @projection
// CHECK-SAME: (%[[H0:.*]]: tensor<1x4x8xf32>, %[[H1:.*]]: tensor<1x4x8xf32>, %[[W:.*]]: tensor<16x8xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK-DAG: %[[A0:.*]] = nn.reshape %[[H0]] {shape = array<i64: 4, 8>}
// CHECK-DAG: %[[A1:.*]] = nn.reshape %[[H1]] {shape = array<i64: 4, 8>}
// CHECK-DAG: %[[P0:.*]] = nn.gemm %[[A0]], %[[W]], %[[B]] {trans_b = true} : tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32> -> tensor<4x16xf32>
// CHECK-DAG: %[[P1:.*]] = nn.gemm %[[A1]], %[[W]], %[[B]] {trans_b = true} : tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32> -> tensor<4x16xf32>
// CHECK-NOT: nn.concat
// CHECK: return %[[P0]], %[[P1]]
// Other schedulers keep the one product.
// KEEP-LABEL: func.func @projection
// KEEP: nn.concat
// KEEP: nn.gemm {{.*}} -> tensor<8x16xf32>
// KEEP-NOT: nn.gemm
// KEEP-LABEL: func.func @kept
// UNKNOWN: error: unknown scheduler 'nnfusion' (scheduler: in-order, rammer-serial, rammer)
func.func @projection(%h0: tensor<1x4x8xf32>, %h1: tensor<1x4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %all = nn.concat %h0, %h1 {axis = 0} : tensor<1x4x8xf32>, tensor<1x4x8xf32> -> tensor<2x4x8xf32>
  %rows = nn.reshape %all {shape = array<i64: 8, 8>} : tensor<2x4x8xf32> -> tensor<8x8xf32>
  %p = nn.gemm %rows, %w, %b {trans_b = true} : tensor<8x8xf32>, tensor<16x8xf32>, tensor<16xf32> -> tensor<8x16xf32>
  %steps = nn.reshape %p {shape = array<i64: 2, 4, 16>} : tensor<8x16xf32> -> tensor<2x4x16xf32>
  %s0 = nn.slice %steps {starts = array<i64: 0, 0, 0>, sizes = array<i64: 1, 4, 16>, steps = array<i64: 1, 1, 1>} : tensor<2x4x16xf32> -> tensor<1x4x16xf32>
  %s1 = nn.slice %steps {starts = array<i64: 1, 0, 0>, sizes = array<i64: 1, 4, 16>, steps = array<i64: 1, 1, 1>} : tensor<2x4x16xf32> -> tensor<1x4x16xf32>
  %r0 = nn.reshape %s0 {shape = array<i64: 4, 16>} : tensor<1x4x16xf32> -> tensor<4x16xf32>
  %r1 = nn.reshape %s1 {shape = array<i64: 4, 16>} : tensor<1x4x16xf32> -> tensor<4x16xf32>
  return %r0, %r1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// A bias per row, or rows that transpose A, stay one product.
// CHECK-LABEL: func.func @kept
// CHECK: nn.concat
// CHECK: nn.gemm {{.*}} -> tensor<8x16xf32>
// CHECK-NOT: nn.gemm
func.func @kept(%h0: tensor<1x4x8xf32>, %h1: tensor<1x4x8xf32>, %w: tensor<16x8xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %all = nn.concat %h0, %h1 {axis = 0} : tensor<1x4x8xf32>, tensor<1x4x8xf32> -> tensor<2x4x8xf32>
  %rows = nn.reshape %all {shape = array<i64: 8, 8>} : tensor<2x4x8xf32> -> tensor<8x8xf32>
  %p = nn.gemm %rows, %w, %c {trans_b = true} : tensor<8x8xf32>, tensor<16x8xf32>, tensor<8x16xf32> -> tensor<8x16xf32>
  return %p : tensor<8x16xf32>
}
