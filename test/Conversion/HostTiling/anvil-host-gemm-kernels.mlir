// RUN: anvil-opt %s --anvil-host-fusion --anvil-host-gemm-kernels --split-input-file | FileCheck %s
// f32 products on plain row-major buffers become anvil_sgemm calls.

// A large matmul is split into row blocks that threads share; C += A B.
// CHECK-LABEL: func.func private @anvil_sgemm_blocked(i64, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64, !llvm.ptr, i64, i32, !llvm.ptr, f32, f32, i64, i64, i64)
// CHECK-LABEL: func.func @matmul
// CHECK: scf.parallel
// CHECK: call @anvil_sgemm_blocked
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: memref<384x64xf32>, %b: memref<64x40xf32>, %c: memref<384x40xf32>) {
  linalg.matmul ins(%a, %b : memref<384x64xf32>, memref<64x40xf32>) outs(%c : memref<384x40xf32>)
  return
}

// -----

// A 1x1 stride-1 convolution reads the image in place: one call, no copy.
// CHECK-LABEL: func.func @conv1x1
// CHECK-NOT: memref.alloc
// CHECK: scf.for
// CHECK: call @anvil_sgemm_blocked
// CHECK-NOT: linalg.conv_2d_nchw_fchw
func.func @conv1x1(%x: memref<1x16x8x8xf32>, %w: memref<32x16x1x1xf32>, %y: memref<1x32x8x8xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x16x8x8xf32>, memref<32x16x1x1xf32>) outs(%y : memref<1x32x8x8xf32>)
  return
}

// -----

// Other kernels gather patches [C*KH*KW, OH*OW] first (stride 2 here).
// CHECK-LABEL: func.func @conv3x3
// CHECK: %[[P:.*]] = memref.alloc() {alignment = 64 : i64} : memref<36x16xf32>
// CHECK: scf.for
// CHECK: memref.expand_shape %[[P]]
// CHECK: linalg.generic
// CHECK: call @anvil_sgemm_blocked
// CHECK: memref.dealloc %[[P]]
func.func @conv3x3(%x: memref<1x4x9x9xf32>, %w: memref<8x4x3x3xf32>, %y: memref<1x8x4x4xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %w : memref<1x4x9x9xf32>, memref<8x4x3x3xf32>) outs(%y : memref<1x8x4x4xf32>)
  return
}

// -----

// Integer products and transposed views stay linalg.
// CHECK-LABEL: func.func @not_taken
// CHECK-NOT: anvil_sgemm
// CHECK: linalg.matmul
// CHECK: linalg.matmul
func.func @not_taken(%a: memref<4x4xi32>, %c: memref<4x4xi32>, %f: memref<4x4xf32, strided<[1, 4]>>, %g: memref<4x4xf32>) {
  linalg.matmul ins(%a, %a : memref<4x4xi32>, memref<4x4xi32>) outs(%c : memref<4x4xi32>)
  linalg.matmul ins(%f, %g : memref<4x4xf32, strided<[1, 4]>>, memref<4x4xf32>) outs(%g : memref<4x4xf32>)
  return
}

// -----

// Depthwise convolutions call anvil_sdwconv2d per image, channel blocks
// shared by threads: (count, in, ih, iw, pad_top, pad_left, pad_bottom,
// pad_right, w, kh, kw, sh, sw, dh, dw, out, oh, ow, accumulate, bias, lo,
// hi).
// CHECK-LABEL: func.func private @anvil_sdwconv2d(i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, i64, i64, i64, i64, !llvm.ptr, i64, i64, i32, !llvm.ptr, f32, f32)
// CHECK-LABEL: func.func @depthwise
// CHECK: scf.for
// CHECK: scf.parallel
// CHECK: call @anvil_sdwconv2d(%{{[^,]*}}, %{{[^,]*}}, %c9_i64{{[_0-9]*}}, %c9_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %{{[^,]*}}, %c3_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[^,]*}}, %c4_i64{{[_0-9]*}}, %c4_i64{{[_0-9]*}}, %c1_i32{{[_0-9]*}}, %{{[^,]*}}, %cst{{[_0-9]*}}, %cst{{[_0-9]*}})
// CHECK-NOT: linalg.depthwise_conv_2d_nchw_chw
func.func @depthwise(%x: memref<2x32x9x9xf32>, %w: memref<32x3x3xf32>, %y: memref<2x32x4x4xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %w : memref<2x32x9x9xf32>, memref<32x3x3xf32>) outs(%y : memref<2x32x4x4xf32>)
  return
}

// -----

// A depthwise convolution on a strided view stays linalg.
// CHECK-LABEL: func.func @depthwise_view
// CHECK-NOT: anvil_sdwconv2d
// CHECK: linalg.depthwise_conv_2d_nchw_chw
func.func @depthwise_view(%x: memref<1x4x9x9xf32, strided<[400, 100, 10, 1]>>, %w: memref<4x3x3xf32>, %y: memref<1x4x7x7xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x4x9x9xf32, strided<[400, 100, 10, 1]>>, memref<4x3x3xf32>) outs(%y : memref<1x4x7x7xf32>)
  return
}

// -----

// A zero-padded copy made only for the convolution (tensor.pad once
// bufferized) goes: the kernel reads the copy's source and pads as it
// reads (rows 1 above, 2 below; columns 0 left, 1 right). The bias
// broadcast and the ReLU6 fold although views and constants sit between
// them and the convolution.
#chan = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
// CHECK-LABEL: func.func @depthwise_padded
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.map
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.generic
// CHECK: memref.extract_aligned_pointer_as_index %arg0
// CHECK: call @anvil_sdwconv2d(%{{[^,]*}}, %{{[^,]*}}, %c6_i64{{[_0-9]*}}, %c7_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c2_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[^,]*}}, %c3_i64{{[_0-9]*}}, %c3_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %c1_i64{{[_0-9]*}}, %{{[^,]*}}, %c7_i64{{[_0-9]*}}, %c6_i64{{[_0-9]*}}, %c0_i32{{[_0-9]*}}, %{{[^,]*}}, %cst{{[_0-9]*}}, %cst{{[_0-9]*}})
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @depthwise_padded(%x: memref<1x8x6x7xf32>, %w: memref<8x1x3x3xf32>, %y: memref<1x8x7x6xf32>, %bias: memref<8xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %padded = memref.alloc() {alignment = 64 : i64} : memref<1x8x9x8xf32>
  linalg.map outs(%padded : memref<1x8x9x8xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %window = memref.subview %padded[0, 0, 1, 0] [1, 8, 6, 7] [1, 1, 1, 1] : memref<1x8x9x8xf32> to memref<1x8x6x7xf32, strided<[576, 72, 8, 1], offset: 8>>
  memref.copy %x, %window : memref<1x8x6x7xf32> to memref<1x8x6x7xf32, strided<[576, 72, 8, 1], offset: 8>>
  linalg.generic {indexing_maps = [#chan, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%bias : memref<8xf32>) outs(%y : memref<1x8x7x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %filters = memref.collapse_shape %w [[0], [1, 2], [3]] : memref<8x1x3x3xf32> into memref<8x3x3xf32>
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%padded, %filters : memref<1x8x9x8xf32>, memref<8x3x3xf32>) outs(%y : memref<1x8x7x6xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%y : memref<1x8x7x6xf32>) outs(%y : memref<1x8x7x6xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    %1 = arith.minimumf %0, %six : f32
    linalg.yield %1 : f32
  }
  memref.dealloc %padded : memref<1x8x9x8xf32>
  return
}

// -----

// The padded copy stays when its source is written between the copy and
// the convolution, or when something else reads the copy.
// CHECK-LABEL: func.func @depthwise_padded_kept
// CHECK: linalg.map
// CHECK: memref.copy
// CHECK: linalg.fill
// CHECK: call @anvil_sdwconv2d(%{{[^,]*}}, %{{[^,]*}}, %c8_i64{{[_0-9]*}}, %c9_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}},
// CHECK: linalg.map
// CHECK: memref.copy
// CHECK: call @anvil_sdwconv2d(%{{[^,]*}}, %{{[^,]*}}, %c8_i64{{[_0-9]*}}, %c9_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}},
// CHECK: memref.copy %[[SECOND:.*]], %arg3
func.func @depthwise_padded_kept(%x: memref<1x8x6x7xf32>, %w: memref<8x3x3xf32>, %y: memref<1x8x6x7xf32>, %z: memref<1x8x8x9xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %padded = memref.alloc() : memref<1x8x8x9xf32>
  linalg.map outs(%padded : memref<1x8x8x9xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %window = memref.subview %padded[0, 0, 1, 1] [1, 8, 6, 7] [1, 1, 1, 1] : memref<1x8x8x9xf32> to memref<1x8x6x7xf32, strided<[576, 72, 9, 1], offset: 10>>
  memref.copy %x, %window : memref<1x8x6x7xf32> to memref<1x8x6x7xf32, strided<[576, 72, 9, 1], offset: 10>>
  linalg.fill ins(%one : f32) outs(%x : memref<1x8x6x7xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%padded, %w : memref<1x8x8x9xf32>, memref<8x3x3xf32>) outs(%y : memref<1x8x6x7xf32>)
  %second = memref.alloc() : memref<1x8x8x9xf32>
  linalg.map outs(%second : memref<1x8x8x9xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %window2 = memref.subview %second[0, 0, 1, 1] [1, 8, 6, 7] [1, 1, 1, 1] : memref<1x8x8x9xf32> to memref<1x8x6x7xf32, strided<[576, 72, 9, 1], offset: 10>>
  memref.copy %x, %window2 : memref<1x8x6x7xf32> to memref<1x8x6x7xf32, strided<[576, 72, 9, 1], offset: 10>>
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%second, %w : memref<1x8x8x9xf32>, memref<8x3x3xf32>) outs(%y : memref<1x8x6x7xf32>)
  memref.copy %second, %z : memref<1x8x8x9xf32> to memref<1x8x8x9xf32>
  return
}

// -----

// The bias broadcast before a convolution and the in-place ReLU6 after it
// become the kernel's epilogue: no accumulation, the bias's address, and
// the bounds [0, 6].
#chan = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
// CHECK-LABEL: func.func @conv_bias_relu6
// CHECK-NOT: linalg.generic
// CHECK: %[[NOACC:.*]] = arith.constant 0 : i32
// CHECK: memref.extract_aligned_pointer_as_index %arg3
// CHECK: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: call @anvil_sgemm_blocked(%{{.*}}, %[[NOACC]], %{{.*}}, %[[LO]], %[[HI]], %{{.*}})
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @conv_bias_relu6(%x: memref<1x16x8x8xf32>, %w: memref<32x16x1x1xf32>, %y: memref<1x32x8x8xf32>, %bias: memref<32xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  linalg.generic {indexing_maps = [#chan, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%bias : memref<32xf32>) outs(%y : memref<1x32x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x16x8x8xf32>, memref<32x16x1x1xf32>) outs(%y : memref<1x32x8x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%y : memref<1x32x8x8xf32>) outs(%y : memref<1x32x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    %1 = arith.minimumf %0, %six : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// A ReLU into another buffer, or anything but a clamp, is left alone; a
// zero fill before a matmul is folded (no accumulation).
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
// CHECK-LABEL: func.func @not_folded
// CHECK-NOT: linalg.fill
// CHECK: %[[NOACC:.*]] = arith.constant 0 : i32
// CHECK: call @anvil_sgemm_blocked(%{{.*}}, %[[NOACC]], %{{.*}})
// CHECK: %[[ACC:.*]] = arith.constant 1 : i32
// CHECK: call @anvil_sgemm_blocked(%{{.*}}, %[[ACC]], %{{.*}})
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK: %[[ACC2:.*]] = arith.constant 1 : i32
// CHECK: call @anvil_sgemm_blocked(%{{.*}}, %[[ACC2]], %{{.*}})
// CHECK: linalg.generic
// CHECK: math.exp
func.func @not_folded(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>,
                      %x: memref<1x8x4x4xf32>, %w: memref<8x8x1x1xf32>, %y: memref<1x8x4x4xf32>, %z: memref<1x8x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<8x8xf32>)
  linalg.matmul ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x8x4x4xf32>, memref<8x8x1x1xf32>) outs(%y : memref<1x8x4x4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%y : memref<1x8x4x4xf32>) outs(%z : memref<1x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    linalg.yield %0 : f32
  }
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x8x4x4xf32>, memref<8x8x1x1xf32>) outs(%y : memref<1x8x4x4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%y : memref<1x8x4x4xf32>) outs(%y : memref<1x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.exp %in : f32
    linalg.yield %0 : f32
  }
  return
}
