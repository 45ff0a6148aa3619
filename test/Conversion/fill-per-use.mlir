// RUN: anvil-opt %s --anvil-fill-per-use | FileCheck %s
// A zero fill that two products write into (CSE merges their inits) gives
// way to a clone of itself and of its empty tensor just before each of
// them, so that bufferization fills each product's output in place rather
// than copying one shared zero buffer into each, and each product finds
// its fill next to it. A fill of a value that is not a constant is left
// as it is.

// CHECK-LABEL: func.func @shared
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant
// CHECK-NEXT: tensor.empty
// CHECK-NEXT: %[[F1:.*]] = linalg.fill ins(%[[ZERO]]
// CHECK-NEXT: linalg.matmul {{.*}} outs(%[[F1]]
// CHECK-NEXT: tensor.empty
// CHECK-NEXT: %[[F2:.*]] = linalg.fill ins(%[[ZERO]]
// CHECK-NEXT: linalg.matmul {{.*}} outs(%[[F2]]
// CHECK-NEXT: return
func.func @shared(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = linalg.matmul ins(%b, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0, %1 : tensor<4x4xf32>, tensor<4x4xf32>
}

// CHECK-LABEL: func.func @not_constant
// CHECK-COUNT-1: linalg.fill
// CHECK-NOT: linalg.fill
func.func @not_constant(%a: tensor<4x4xf32>, %v: f32) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.fill ins(%v : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %0 = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0, %1 : tensor<4x4xf32>, tensor<4x4xf32>
}

// A constant bias broadcast that two products accumulate into (equal
// biases merged by CSE) gets a clone before each of them too; an op that
// only reads it keeps the shared one, which is one kernel, not one per
// reader.
// CHECK-LABEL: func.func @shared_bias
// CHECK: %[[SHARED:.*]] = linalg.broadcast ins(%[[BIAS:[a-z0-9_]+]] :
// CHECK: %[[B1:.*]] = linalg.broadcast ins(%[[BIAS]] :
// CHECK-NEXT: linalg.matmul {{.*}} outs(%[[B1]]
// CHECK: %[[B2:.*]] = linalg.broadcast ins(%[[BIAS]] :
// CHECK-NEXT: linalg.matmul {{.*}} outs(%[[B2]]
// CHECK: linalg.add ins(%[[SHARED]], %a
// CHECK-NOT: linalg.broadcast
func.func @shared_bias(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %bias = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.broadcast ins(%bias : tensor<4xf32>) outs(%e : tensor<4x4xf32>) dimensions = [0]
  %0 = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %1 = linalg.matmul ins(%b, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %e2 = tensor.empty() : tensor<4x4xf32>
  %2 = linalg.add ins(%f, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%e2 : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0, %1, %2 : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
