// RUN: anvil-opt %s | anvil-opt | FileCheck %s
// RUN: anvil-opt %s --canonicalize | FileCheck %s --check-prefix=FOLD
// Each op family prints in the form it parses (round trip through text).

// CHECK-LABEL: func.func @families
func.func @families(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>,
                    %i: tensor<2xi64>) -> tensor<1x4x2xf32> {
  // CHECK: nn.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64} : tensor<1x3x8x8xf32>
  %0 = nn.leaky_relu %x {alpha = 0.1 : f64} : tensor<1x3x8x8xf32>
  // CHECK: nn.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %1 = nn.conv %0, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x4x4xf32>
  // CHECK: nn.reduce max %{{.*}} {axes = array<i64: 3>, keepdims = false}
  %2 = nn.reduce max %1 {axes = array<i64: 3>, keepdims = false} : tensor<1x4x4x4xf32> -> tensor<1x4x4xf32>
  // CHECK: nn.gather %{{.*}}, %{{.*}} {axis = 2 : i64} : tensor<1x4x4xf32>, tensor<2xi64> -> tensor<1x4x2xf32>
  %3 = nn.gather %2, %i {axis = 2} : tensor<1x4x4xf32>, tensor<2xi64> -> tensor<1x4x2xf32>
  return %3 : tensor<1x4x2xf32>
}

// Reshape of a reshape folds to one reshape of the original input.
// FOLD-LABEL: func.func @fold_reshapes
// FOLD-SAME: (%[[X:.*]]: tensor<2x6xf32>)
// FOLD-NEXT: %[[R:.*]] = nn.reshape %[[X]] {shape = array<i64: 3, 4>}
// FOLD-NEXT: return %[[R]]
func.func @fold_reshapes(%x: tensor<2x6xf32>) -> tensor<3x4xf32> {
  %0 = nn.reshape %x {shape = array<i64: 12>} : tensor<2x6xf32> -> tensor<12xf32>
  %1 = nn.reshape %0 {shape = array<i64: 3, 4>} : tensor<12xf32> -> tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}
