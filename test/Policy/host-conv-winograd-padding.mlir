// RUN: anvil-opt %s --anvil-host-fusion=tiling=roller --anvil-host-gemm-kernels=tiling=roller | FileCheck %s
// RUN: anvil-opt %s --anvil-host-fusion | FileCheck %s --check-prefix=DECIDED
// The fusion pass writes each convolution's algorithm first (the tiling
// policy's), since what a call can fold depends on it: Winograd's input
// transform pads its planes as it reads them, so the zero-padded copy made
// for the convolution alone (an alloc filled with zeros, the image copied
// into a window of it) folds into the call, which reads the image with
// one row and one column of zeros around it (pads 1, 1).
// DECIDED: linalg.conv_2d_nchw_fchw {anvil.conv_algorithm = "im2col"
// CHECK-LABEL: func.func @padded
// CHECK-NOT: linalg.map
// CHECK-NOT: memref.copy
// CHECK: call @anvil_swinograd_input(%{{.*}}, %{{.*}}, %c56_i64, %c56_i64{{[_0-9]*}}, %c1_i64, %c1_i64{{[_0-9]*}}, %c14_i64, %c14_i64{{[_0-9]*}}, %{{.*}}, %c12544_i64)
// CHECK-NOT: linalg.conv_2d_nchw_fchw
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [{\22level\22: 1, \22capacity_bytes\22: 32768, \22line_bytes\22: 64}], \22dram_bytes\22: 1073741824}"} {
memref.global "private" constant @w3x3 : memref<36864xf32> = dense<0.5>
func.func @padded(%x: memref<1x64x56x56xf32>, %y: memref<1x64x56x56xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = memref.get_global @w3x3 : memref<36864xf32>
  %w = memref.expand_shape %0 [[0, 1, 2, 3]] output_shape [64, 64, 3, 3] : memref<36864xf32> into memref<64x64x3x3xf32>
  %alloc = memref.alloc() {alignment = 64 : i64} : memref<1x64x58x58xf32>
  linalg.map outs(%alloc : memref<1x64x58x58xf32>)
    (%init: f32) {
      linalg.yield %cst : f32
    }
  %window = memref.subview %alloc[0, 0, 1, 1] [1, 64, 56, 56] [1, 1, 1, 1] : memref<1x64x58x58xf32> to memref<1x64x56x56xf32, strided<[215296, 3364, 58, 1], offset: 59>>
  memref.copy %x, %window : memref<1x64x56x56xf32> to memref<1x64x56x56xf32, strided<[215296, 3364, 58, 1], offset: 59>>
  linalg.fill ins(%cst : f32) outs(%y : memref<1x64x56x56xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%alloc, %w : memref<1x64x58x58xf32>, memref<64x64x3x3xf32>) outs(%y : memref<1x64x56x56xf32>)
  memref.dealloc %alloc : memref<1x64x58x58xf32>
  return
}
}
