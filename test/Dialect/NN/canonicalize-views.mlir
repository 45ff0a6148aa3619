// RUN: anvil-opt %s --canonicalize | FileCheck %s
// A transpose that moves only dimensions of size 1 keeps the data in
// order: it becomes a reshape, and folds into the reshapes around it. One
// that reorders larger dimensions stays. A slice of all of its input is
// its input.

// CHECK-LABEL: func.func @unit_transpose
// CHECK-NEXT: %[[R:.*]] = nn.reshape %arg0 {shape = array<i64: 24, 64>} : tensor<12x2x64xf32> -> tensor<24x64xf32>
// CHECK-NEXT: return %[[R]]
func.func @unit_transpose(%x: tensor<12x2x64xf32>) -> tensor<24x64xf32> {
  %0 = nn.reshape %x {shape = array<i64: 12, 1, 2, 64>} : tensor<12x2x64xf32> -> tensor<12x1x2x64xf32>
  %1 = nn.transpose %0 {perm = array<i64: 0, 2, 1, 3>} : tensor<12x1x2x64xf32> -> tensor<12x2x1x64xf32>
  %2 = nn.reshape %1 {shape = array<i64: 24, 64>} : tensor<12x2x1x64xf32> -> tensor<24x64xf32>
  return %2 : tensor<24x64xf32>
}

// CHECK-LABEL: func.func @real_transpose
// CHECK-NEXT: nn.transpose %arg0 {perm = array<i64: 1, 0, 2>}
func.func @real_transpose(%x: tensor<12x2x64xf32>) -> tensor<2x12x64xf32> {
  %0 = nn.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<12x2x64xf32> -> tensor<2x12x64xf32>
  return %0 : tensor<2x12x64xf32>
}

// CHECK-LABEL: func.func @whole_slice
// CHECK-NEXT: return %arg0
func.func @whole_slice(%x: tensor<1x256x64xf32>) -> tensor<1x256x64xf32> {
  %0 = nn.slice %x {sizes = array<i64: 1, 256, 64>, starts = array<i64: 0, 0, 0>, steps = array<i64: 1, 1, 1>} : tensor<1x256x64xf32> -> tensor<1x256x64xf32>
  return %0 : tensor<1x256x64xf32>
}
