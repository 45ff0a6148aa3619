// RUN: anvil-opt %s --split-input-file --anvil-host-gemm-kernels=tiling=roller -verify-diagnostics | FileCheck %s
// RUN: anvil-opt %s --split-input-file --anvil-host-gemm-kernels -verify-diagnostics | FileCheck %s --check-prefix=FIXED
// How a host convolution is computed is the tiling policy's decision,
// recorded as anvil.conv_algorithm on the Winograd calls; written on the
// convolution it is carried out instead. The first policy (fixed-tiles)
// gathers patches for every convolution; Roller weighs im2col against
// Winograd's F(4x4, 3x3) with the host's GEMM tile (6 x 32 on AVX-512).

// ResNet's first stage (64 channels, 56 x 56 at 58 x 58 padded): 36
// products of 64 x 196 x 64 (7 column tiles) against one of 64 x 3136 x
// 576; Winograd. The filters become a constant of 36 x 64 x 64 elements,
// computed by the compiler; each image is transformed in blocks of
// channels, multiplied in one parallel loop over the 36 points and the
// products' blocks, and transformed back with the bias and ReLU.
// CHECK-LABEL: memref.global "private" constant @w3x3_winograd : memref<147456xf32>
// CHECK-LABEL: func.func @stage1
// CHECK: %[[V:.*]] = memref.alloc() {alignment = 64 : i64} : memref<451584xf32>
// CHECK: %[[M:.*]] = memref.alloc() {alignment = 64 : i64} : memref<451584xf32>
// CHECK: memref.get_global @w3x3_winograd
// CHECK: scf.for
// CHECK: call @anvil_swinograd_input({{.*}}, %c58_i64, %c58_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}}, %c14_i64, %c14_i64{{[_0-9]*}}, %{{.*}}, %c12544_i64) {anvil.conv_algorithm = "winograd", anvil.thread_blocks = array<i64: 8>}
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to (%c36, %c1{{[_0-9]*}}, %c1{{[_0-9]*}})
// CHECK: call @anvil_sgemm_blocked({{.*}}, %c0_i32, {{.*}}) {anvil.cache_blocks = array<i64: 0, 64, 0>, anvil.thread_blocks = array<i64: 66, 208>}
// CHECK: call @anvil_swinograd_output({{.*}}, %c12544_i64{{[_0-9]*}}, %c14_i64{{[_0-9]*}}, %c14_i64{{[_0-9]*}}, %{{.*}}, %c56_i64{{[_0-9]*}}, %c56_i64{{[_0-9]*}}, %c1_i32, %{{.*}}, %cst{{[_0-9]*}}, %cst{{[_0-9]*}}) {anvil.conv_algorithm = "winograd", anvil.thread_blocks = array<i64: 8>}
// CHECK: memref.dealloc %[[V]]
// CHECK: memref.dealloc %[[M]]
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// FIXED-LABEL: func.func @stage1
// FIXED-NOT: anvil_swinograd
// FIXED: call @anvil_sgemm_blocked
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [{\22level\22: 1, \22capacity_bytes\22: 32768, \22line_bytes\22: 64}], \22dram_bytes\22: 1073741824}"} {
memref.global "private" constant @w3x3 : memref<36864xf32> = dense<0.5>
func.func @stage1(%x: memref<1x64x58x58xf32>, %y: memref<1x64x56x56xf32>) {
  %0 = memref.get_global @w3x3 : memref<36864xf32>
  %w = memref.expand_shape %0 [[0, 1, 2, 3]] output_shape [64, 64, 3, 3] : memref<36864xf32> into memref<64x64x3x3xf32>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x64x58x58xf32>, memref<64x64x3x3xf32>) outs(%y : memref<1x64x56x56xf32>)
  return
}
}

// -----

// ResNet's last stage (512 channels, 7 x 7): 2 x 2 tiles fill 4 of the
// kernel's 32 columns, and 36 such products cost more than one of
// 512 x 49 x 4608: im2col.
// CHECK-LABEL: func.func @stage4
// CHECK-NOT: anvil_swinograd
// CHECK: call @anvil_sgemm_blocked
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [{\22level\22: 1, \22capacity_bytes\22: 32768, \22line_bytes\22: 64}], \22dram_bytes\22: 1073741824}"} {
memref.global "private" constant @w512 : memref<2359296xf32> = dense<0.5>
func.func @stage4(%x: memref<1x512x9x9xf32>, %y: memref<1x512x7x7xf32>) {
  %0 = memref.get_global @w512 : memref<2359296xf32>
  %w = memref.expand_shape %0 [[0, 1, 2, 3]] output_shape [512, 512, 3, 3] : memref<2359296xf32> into memref<512x512x3x3xf32>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x512x9x9xf32>, memref<512x512x3x3xf32>) outs(%y : memref<1x512x7x7xf32>)
  return
}
}

// -----

// Filters that are not constants (an argument here) cannot be transformed
// ahead of time: im2col.
// CHECK-LABEL: func.func @computed_filters
// CHECK-NOT: anvil_swinograd
// CHECK: call @anvil_sgemm_blocked
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [{\22level\22: 1, \22capacity_bytes\22: 32768, \22line_bytes\22: 64}], \22dram_bytes\22: 1073741824}"} {
func.func @computed_filters(%x: memref<1x64x58x58xf32>, %w: memref<64x64x3x3xf32>, %y: memref<1x64x56x56xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x64x58x58xf32>, memref<64x64x3x3xf32>) outs(%y : memref<1x64x56x56xf32>)
  return
}
}

// -----

// A decision written on the convolution is carried out: im2col where
// Roller would pick Winograd, Winograd under the first policy.
// CHECK-LABEL: func.func @pinned
// CHECK-NOT: anvil_swinograd
// CHECK: call @anvil_sgemm_blocked
// CHECK: call @anvil_swinograd_input
// FIXED-LABEL: func.func @pinned
// FIXED-NOT: anvil_swinograd
// FIXED: call @anvil_sgemm_blocked
// FIXED: call @anvil_swinograd_input
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [{\22level\22: 1, \22capacity_bytes\22: 32768, \22line_bytes\22: 64}], \22dram_bytes\22: 1073741824}"} {
memref.global "private" constant @w3x3 : memref<36864xf32> = dense<0.5>
func.func @pinned(%x: memref<1x64x58x58xf32>, %y: memref<1x64x56x56xf32>) {
  %0 = memref.get_global @w3x3 : memref<36864xf32>
  %w = memref.expand_shape %0 [[0, 1, 2, 3]] output_shape [64, 64, 3, 3] : memref<36864xf32> into memref<64x64x3x3xf32>
  linalg.conv_2d_nchw_fchw {anvil.conv_algorithm = "im2col", dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x64x58x58xf32>, memref<64x64x3x3xf32>) outs(%y : memref<1x64x56x56xf32>)
  linalg.conv_2d_nchw_fchw {anvil.conv_algorithm = "winograd", dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x64x58x58xf32>, memref<64x64x3x3xf32>) outs(%y : memref<1x64x56x56xf32>)
  return
}
}

// -----

// A decision the mechanism cannot carry out is an error naming the op.
module attributes {anvil.machine_description = "{\22name\22: \22avx512\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 16, \22registers\22: 32}, \22caches\22: [{\22level\22: 1, \22capacity_bytes\22: 32768, \22line_bytes\22: 64}], \22dram_bytes\22: 1073741824}"} {
func.func @strided(%x: memref<1x4x9x9xf32>, %w: memref<8x4x3x3xf32>, %y: memref<1x8x4x4xf32>) {
  // expected-error @+1 {{anvil.conv_algorithm = "winograd" does not apply}}
  linalg.conv_2d_nchw_fchw {anvil.conv_algorithm = "winograd", dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
    ins(%x, %w : memref<1x4x9x9xf32>, memref<8x4x3x3xf32>) outs(%y : memref<1x8x4x4xf32>)
  return
}
func.func @unknown(%x: memref<1x4x9x9xf32>, %w: memref<8x4x3x3xf32>, %y: memref<1x8x7x7xf32>) {
  // expected-error @+1 {{anvil.conv_algorithm must be "im2col" or "winograd"}}
  linalg.conv_2d_nchw_fchw {anvil.conv_algorithm = "fft", dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x4x9x9xf32>, memref<8x4x3x3xf32>) outs(%y : memref<1x8x7x7xf32>)
  return
}
}
