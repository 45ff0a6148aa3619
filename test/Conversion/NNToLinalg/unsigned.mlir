// RUN: anvil-opt %s --convert-nn-unsigned-to-signless --split-input-file | FileCheck %s --check-prefix=SIGNLESS
// RUN: anvil-opt %s --convert-nn-unsigned-to-signless --convert-nn-to-linalg --split-input-file | FileCheck %s
// Unsigned tensors become signless ones; the ops that used them remember
// which operands were unsigned and lower to the unsigned arith forms.

// SIGNLESS-LABEL: func.func @unsigned_ops
// SIGNLESS-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi1>, tensor<4xf32>, tensor<4xi8>)
// SIGNLESS: nn.constant {nn.unsigned_results = array<i64: 0>} dense<[1, 2, -1, 0]> : tensor<4xi8>
// SIGNLESS: nn.div {{.*}}nn.unsigned_operands = array<i64: 0, 1>
// SIGNLESS: nn.cast {{.*}}nn.unsigned_operands = array<i64: 0>
// SIGNLESS: nn.cast {{.*}}nn.unsigned_results = array<i64: 0>
// CHECK-LABEL: func.func @unsigned_ops
// CHECK: arith.divui
// CHECK: arith.maxui
// CHECK: arith.cmpi ult
// CHECK: arith.uitofp
// CHECK: arith.fptoui
// CHECK: arith.shrui
func.func @unsigned_ops(%x: tensor<4xui8>, %y: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xi1>, tensor<4xf32>, tensor<4xui8>) {
  %c = nn.constant dense<[1, 2, 255, 0]> : tensor<4xui8>
  %0 = nn.div %x, %y : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  %1 = nn.max %0, %c : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  %2 = nn.less %1, %y : tensor<4xui8>, tensor<4xui8> -> tensor<4xi1>
  %3 = nn.cast %1 {to = f32} : tensor<4xui8> -> tensor<4xf32>
  %4 = nn.cast %3 {to = ui8} : tensor<4xf32> -> tensor<4xui8>
  %5 = nn.shift_right %4, %y : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  return %5, %2, %3, %4 : tensor<4xui8>, tensor<4xi1>, tensor<4xf32>, tensor<4xui8>
}

// -----

// Unsigned max pooling uses an unsigned comparison and pads with 0.
// CHECK-LABEL: func.func @max_pool_u8
// CHECK: arith.constant 0 : i8
// CHECK: tensor.pad
// CHECK: arith.maxui
func.func @max_pool_u8(%x: tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xui8> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xui8> -> tensor<1x1x2x2xui8>
  return %0 : tensor<1x1x2x2xui8>
}
