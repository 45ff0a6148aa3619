// RUN: anvil-opt %s --convert-nn-to-linalg --split-input-file | FileCheck %s
// Which upstream op each nn op becomes; numerics are tested end to end
// (ONNX conformance, torchvision models).

// A plain convolution pads its input, starts from the broadcast bias and
// uses the named NCHW convolution.
// CHECK-LABEL: func.func @conv_bias_pad
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @conv_bias_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// One group per channel is a depthwise convolution.
// CHECK-LABEL: func.func @depthwise
// CHECK: linalg.depthwise_conv_2d_nchw_chw
func.func @depthwise(%x: tensor<1x8x6x6xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 8} : tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32> -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// Other groupings split channels and filters into an explicit group dim.
// CHECK-LABEL: func.func @grouped
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK-SAME: tensor<1x2x2x6x6xf32>, tensor<2x3x2x3x3xf32>
func.func @grouped(%x: tensor<1x4x6x6xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2} : tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32> -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// Batch dimensions fold into the rows when the rhs is a matrix.
// CHECK-LABEL: func.func @matmul_fold_batch
// CHECK: tensor.collapse_shape {{.*}} into tensor<24xf32>
// CHECK: linalg.matmul ins({{.*}} : tensor<6x4xf32>, tensor<4x5xf32>)
func.func @matmul_fold_batch(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.matmul %a, %b : tensor<2x3x4xf32>, tensor<4x5xf32> -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Broadcast batch dimensions become a batch_matmul over the broadcast batch.
// CHECK-LABEL: func.func @matmul_broadcast_batch
// CHECK: linalg.batch_matmul ins({{.*}} : tensor<2x3x4xf32>, tensor<2x4x5xf32>)
func.func @matmul_broadcast_batch(%a: tensor<2x3x4xf32>, %b: tensor<1x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.matmul %a, %b : tensor<2x3x4xf32>, tensor<1x4x5xf32> -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Ceil-mode max pooling pads the end with -inf so the last window fits.
// CHECK-LABEL: func.func @max_pool_ceil
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad {{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEG]]
// CHECK: linalg.pooling_nchw_max
func.func @max_pool_ceil(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Softmax subtracts the row maximum before exponentiating.
// CHECK-LABEL: func.func @softmax
// CHECK: linalg.reduce {{.*}} dimensions = [1]
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.reduce
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = nn.softmax %x {axis = 1} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Negative indices wrap and stay inside the gathered dimension.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic
// CHECK: arith.select
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract
func.func @gather(%x: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = nn.gather %x, %i {axis = 0} : tensor<5x3xf32>, tensor<2xi64> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// nn.if runs on the host as scf.if on the condition's one element; the
// regions' nn ops are converted in place.
// CHECK-LABEL: func.func @if_to_scf
// CHECK: %[[FLAG:.*]] = tensor.extract %{{.*}}[] : tensor<i1>
// CHECK: scf.if %[[FLAG]] -> (tensor<3xf32>) {
// CHECK:   linalg.generic
// CHECK:   scf.yield
// CHECK: } else {
// CHECK:   scf.yield %{{.*}} : tensor<3xf32>
func.func @if_to_scf(%c: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %r = nn.if %c : tensor<i1> -> tensor<3xf32> {
    %a = nn.relu %x : tensor<3xf32>
    nn.yield %a : tensor<3xf32>
  } else {
    nn.yield %x : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// -----

// A loop that only its count ends is an scf.for, run no times when the
// condition is false at the start; the iteration number reaches the body
// as a tensor and each scan value becomes a row of a zero-filled result.
// CHECK-LABEL: func.func @counted_loop_to_for
// CHECK: %[[C:.*]] = tensor.extract %{{.*}}[] : tensor<i1>
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<3x2xf32>
// CHECK: %[[N:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: %[[BOUND:.*]] = arith.minsi %[[N]], %{{.*}} : i64
// CHECK: %[[LIMIT:.*]] = arith.select %[[C]], %[[BOUND]], %{{.*}} : i64
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}, %[[ROWS:.*]] = %[[ZERO]])
// CHECK:   %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK:   tensor.from_elements %[[I64]] : tensor<i64>
// CHECK:   %[[NEXT:.*]] = linalg.generic
// CHECK:   tensor.insert_slice %[[NEXT]] into %[[ROWS]][%{{.*}}, 0] [1, 2] [1, 1] : tensor<2xf32> into tensor<3x2xf32>
// CHECK:   scf.yield
func.func @counted_loop_to_for(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  %r:2 = nn.loop %n, %c : tensor<i64>, tensor<i1> carry(%x : tensor<2xf32>) -> tensor<2xf32>, tensor<3x2xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<2xf32>):
    %next = nn.add %acc, %acc : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
    nn.yield %cond, %next, %next : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }
  return %r#0, %r#1 : tensor<2xf32>, tensor<3x2xf32>
}

// -----

// A loop whose body computes its condition is an scf.while that tests the
// condition and the count before every iteration.
// CHECK-LABEL: func.func @conditional_loop_to_while
// CHECK: scf.while (%[[I:.*]] = %{{.*}}, %[[C:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}}) : (i64, i1, tensor<2xf32>)
// CHECK:   %[[BELOW:.*]] = arith.cmpi slt, %[[I]], %{{.*}} : i64
// CHECK:   %[[GO:.*]] = arith.andi %[[C]], %[[BELOW]] : i1
// CHECK:   scf.condition(%[[GO]])
// CHECK: } do {
// CHECK:   linalg.generic
// CHECK:   %[[NEXTC:.*]] = tensor.extract %{{.*}}[] : tensor<i1>
// CHECK:   scf.yield %{{.*}}, %[[NEXTC]], %{{.*}} : i64, i1, tensor<2xf32>
func.func @conditional_loop_to_while(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>, %limit: tensor<f32>) -> tensor<2xf32> {
  %r = nn.loop %n, %c : tensor<i64>, tensor<i1> carry(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<2xf32>):
    %next = nn.add %acc, %acc : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
    %first = nn.slice %next {starts = array<i64: 0>, sizes = array<i64: 1>, steps = array<i64: 1>} : tensor<2xf32> -> tensor<1xf32>
    %flat = nn.reshape %first {shape = array<i64>} : tensor<1xf32> -> tensor<f32>
    %go = nn.less %flat, %limit : tensor<f32>, tensor<f32> -> tensor<i1>
    nn.yield %go, %next : tensor<i1>, tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

// A constant operand is transposed while compiling, not on every run;
// a computed one gets a linalg.transpose.
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul
func.func @gemm_trans_b(%a: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = nn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = nn.gemm %a, %w {trans_b = true} : tensor<4x3xf32>, tensor<2x3xf32> -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_3d
// CHECK: arith.constant dense<{{\[\[}}[0, 3]], {{\[\[}}1, 4]], {{\[\[}}2, 5]]]> : tensor<3x1x2xi32>
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3xf32>)
func.func @transpose_3d(%x: tensor<2x3xf32>) -> (tensor<3x1x2xi32>, tensor<3x2xf32>) {
  %c = nn.constant dense<[[[0, 1, 2]], [[3, 4, 5]]]> : tensor<2x1x3xi32>
  %0 = nn.transpose %c {perm = array<i64: 2, 1, 0>} : tensor<2x1x3xi32> -> tensor<3x1x2xi32>
  %1 = nn.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0, %1 : tensor<3x1x2xi32>, tensor<3x2xf32>
}

// -----

// Weights held as resources stay resources, transposed.
// CHECK-LABEL: func.func @gemm_resource
// CHECK: arith.constant dense_resource<w_transposed> : tensor<3x2xf32>
// CHECK-NOT: linalg.transpose
// CHECK: w_transposed: "0x080000000000803F00008040000000400000A040000040400000C040"
func.func @gemm_resource(%a: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = nn.constant dense_resource<w> : tensor<2x3xf32>
  %0 = nn.gemm %a, %w {trans_b = true} : tensor<4x3xf32>, tensor<2x3xf32> -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}
