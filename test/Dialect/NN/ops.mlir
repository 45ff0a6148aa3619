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

// A shape computation on constants folds away: gather a dimension, add one,
// concatenate with another, cast.
// FOLD-LABEL: func.func @fold_shape_math
// FOLD-NEXT: %[[C:.*]] = nn.constant dense<[6, 7]> : tensor<2xi32>
// FOLD-NEXT: return %[[C]]
func.func @fold_shape_math() -> tensor<2xi32> {
  %shape = nn.constant dense<[2, 4, 6]> : tensor<3xi64>
  %idx = nn.constant dense<[2]> : tensor<1xi64>
  %dim = nn.gather %shape, %idx {axis = 0} : tensor<3xi64>, tensor<1xi64> -> tensor<1xi64>
  %one = nn.constant dense<[1]> : tensor<1xi64>
  %next = nn.add %dim, %one : tensor<1xi64>, tensor<1xi64> -> tensor<1xi64>
  %head = nn.slice %shape {starts = array<i64: 0>, sizes = array<i64: 1>, steps = array<i64: 1>} : tensor<3xi64> -> tensor<1xi64>
  %four = nn.constant dense<[4]> : tensor<1xi64>
  %sum = nn.add %head, %four : tensor<1xi64>, tensor<1xi64> -> tensor<1xi64>
  %both = nn.concat %sum, %next {axis = 0} : tensor<1xi64>, tensor<1xi64> -> tensor<2xi64>
  %cast = nn.cast %both {to = i32} : tensor<2xi64> -> tensor<2xi32>
  return %cast : tensor<2xi32>
}

// Integer division by a constant zero is left to run time.
// FOLD-LABEL: func.func @no_fold_div_by_zero
// FOLD: nn.div
func.func @no_fold_div_by_zero() -> tensor<1xi64> {
  %a = nn.constant dense<[3]> : tensor<1xi64>
  %z = nn.constant dense<[0]> : tensor<1xi64>
  %0 = nn.div %a, %z : tensor<1xi64>, tensor<1xi64> -> tensor<1xi64>
  return %0 : tensor<1xi64>
}

// Large constants (weights) never fold into inline attributes.
// FOLD-LABEL: func.func @no_fold_large
// FOLD: nn.mul
func.func @no_fold_large() -> tensor<8192xf32> {
  %a = nn.constant dense<2.0> : tensor<8192xf32>
  %0 = nn.mul %a, %a : tensor<8192xf32>, tensor<8192xf32> -> tensor<8192xf32>
  return %0 : tensor<8192xf32>
}

// CHECK-LABEL: func.func @control_flow
// CHECK: %[[R:.*]] = nn.if %{{.*}} : tensor<i1> -> tensor<3xf32> {
// CHECK:   nn.yield %{{.*}} : tensor<3xf32>
// CHECK: } else {
// CHECK:   nn.yield %{{.*}} : tensor<3xf32>
// CHECK: }
func.func @control_flow(%c: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %r = nn.if %c : tensor<i1> -> tensor<3xf32> {
    %a = nn.relu %x : tensor<3xf32>
    nn.yield %a : tensor<3xf32>
  } else {
    %b = nn.tanh %x : tensor<3xf32>
    nn.yield %b : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// CHECK-LABEL: func.func @loop
// CHECK: %{{.*}}:2 = nn.loop %{{.*}}, %{{.*}} : tensor<i64>, tensor<i1> carry(%{{.*}} : tensor<2xf32>) -> tensor<2xf32>, tensor<3x2xf32> {
// CHECK: ^bb0(%{{.*}}: tensor<i64>, %{{.*}}: tensor<i1>, %{{.*}}: tensor<2xf32>):
// CHECK:   nn.yield %{{.*}}, %{{.*}}, %{{.*}} : tensor<i1>, tensor<2xf32>, tensor<2xf32>
// CHECK: }
func.func @loop(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  %r:2 = nn.loop %n, %c : tensor<i64>, tensor<i1> carry(%x : tensor<2xf32>) -> tensor<2xf32>, tensor<3x2xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<2xf32>):
    %next = nn.tanh %acc : tensor<2xf32>
    nn.yield %cond, %next, %next : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }
  return %r#0, %r#1 : tensor<2xf32>, tensor<3x2xf32>
}

// CHECK-LABEL: func @gather_and_scatter
// CHECK: nn.gather_elements %{{.*}} {axis = 1 : i64} : tensor<2x3xf32>, tensor<2x2xi64> -> tensor<2x2xf32>
// CHECK: nn.scatter_elements %{{.*}} {axis = 0 : i64, reduction = #nn<scatter_reduction add>}
// CHECK: nn.scatter_nd %{{.*}} {reduction = #nn<scatter_reduction none>}
func.func @gather_and_scatter(%x: tensor<2x3xf32>, %i: tensor<2x2xi64>,
                              %u: tensor<2x2xf32>, %r: tensor<2x1xi64>,
                              %rows: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %g = nn.gather_elements %x, %i {axis = 1 : i64} : tensor<2x3xf32>, tensor<2x2xi64> -> tensor<2x2xf32>
  %s = nn.scatter_elements %x, %i, %g {axis = 0 : i64, reduction = #nn<scatter_reduction add>} : tensor<2x3xf32>, tensor<2x2xi64>, tensor<2x2xf32>
  %n = nn.scatter_nd %s, %r, %rows {reduction = #nn<scatter_reduction none>} : tensor<2x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>
  return %n : tensor<2x3xf32>
}
