// RUN: anvil-opt %s --anvil-host-tile-vectorize="vector-width=8 row-tile=4 reduction-tile=16" | FileCheck %s

// Parallel dimensions tile into one scf.forall, the reduction into scf.for
// inside it, and the tile becomes a vector.contract. Tiles divide the
// extents (8 rows -> 4, 48 columns -> 16, 32 reduction -> 16).
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall ({{.*}}) = (0, 0) to (8, 48) step (4, 16)
// CHECK: scf.for {{.*}} = %c0 to %c32 step %c16
// CHECK: vector.contract
// CHECK-SAME: vector<4x16xf32>, vector<16x16xf32> into vector<4x16xf32>
func.func @matmul(%a: tensor<8x32xf32>, %b: tensor<32x48xf32>, %c: tensor<8x48xf32>) -> tensor<8x48xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<8x32xf32>, tensor<32x48xf32>) outs(%c : tensor<8x48xf32>) -> tensor<8x48xf32>
  return %0 : tensor<8x48xf32>
}

// A 2-D convolution tiles to one output row and one kernel row, which
// decomposes into a vectorized 1-D convolution.
// CHECK-LABEL: func.func @conv
// CHECK: scf.forall
// CHECK: scf.for
// CHECK-NOT: linalg.conv
// CHECK: vector.contract
func.func @conv(%x: tensor<1x8x10x10xf32>, %w: tensor<8x8x3x3xf32>, %o: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x8x10x10xf32>, tensor<8x8x3x3xf32>) outs(%o : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// Ops other than contractions and convolutions are left to later passes.
// CHECK-LABEL: func.func @elementwise
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
func.func @elementwise(%x: tensor<64xf32>) -> tensor<64xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<64xf32>) outs(%x : tensor<64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.addf %in, %in : f32
    linalg.yield %1 : f32
  } -> tensor<64xf32>
  return %0 : tensor<64xf32>
}

// RUN: anvil-opt %s --anvil-host-tile-vectorize="vector-width=8 row-tile=4 reduction-tile=16 leave-gemm-ops=true" | FileCheck %s --check-prefix=GEMM

// A convolution the GEMM kernel takes is left whole, also one with a unit
// window on a 1x1 image (a squeeze-and-excitation block's), which the 1-D
// decomposition would otherwise turn into a contraction unrolled into a
// scalar FMA per input and output channel.
// GEMM-LABEL: func.func @squeeze
// GEMM: linalg.conv_2d_nchw_fchw
// GEMM-NOT: vector.contract
// GEMM-NOT: linalg.conv_1d
func.func @squeeze(%x: tensor<1x96x1x1xf32>, %w: tensor<24x96x1x1xf32>, %o: tensor<1x24x1x1xf32>) -> tensor<1x24x1x1xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x96x1x1xf32>, tensor<24x96x1x1xf32>) outs(%o : tensor<1x24x1x1xf32>) -> tensor<1x24x1x1xf32>
  return %0 : tensor<1x24x1x1xf32>
}
