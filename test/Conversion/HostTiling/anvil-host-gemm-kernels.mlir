// RUN: anvil-opt %s --anvil-host-gemm-kernels --split-input-file | FileCheck %s
// f32 products on plain row-major buffers become anvil_sgemm calls.

// A large matmul is split into row blocks that threads share; C += A B.
// CHECK-LABEL: func.func private @anvil_sgemm(i64, i64, i64, !llvm.ptr, i64, !llvm.ptr, i64, !llvm.ptr, i64, i32)
// CHECK-LABEL: func.func @matmul
// CHECK: scf.parallel
// CHECK: call @anvil_sgemm
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
// CHECK: call @anvil_sgemm
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
// CHECK: call @anvil_sgemm
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
