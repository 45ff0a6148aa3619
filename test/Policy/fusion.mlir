// RUN: anvil-opt %s --split-input-file --anvil-host-fusion | FileCheck %s --check-prefix=DECIDE
// RUN: anvil-opt %s --split-input-file --anvil-host-gemm-kernels | FileCheck %s --check-prefix=REPLAY
// RUN: anvil-opt %s --split-input-file --anvil-mtia-fusion | FileCheck %s --check-prefix=MTIA
// RUN: not anvil-opt %s --split-input-file --anvil-host-fusion=policy=greedy 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// The fusion seam's decision is on the IR: the first policy
// (one-op-per-kernel) marks each kernel and folds into it every op its
// mechanism can take; the mechanism folds exactly what is marked, so a
// decision written by hand replays.

// UNKNOWN: error: unknown fusion policy 'greedy' (policy: one-op-per-kernel, welder, welder-sram, welder-dram)

// The host's GEMM call takes the zero fill before the product as its
// init and the ReLU after it as its epilogue.
// DECIDE-LABEL: func.func @product_relu
// DECIDE: linalg.fill {anvil.fusion.into = 0 : i64, anvil.fusion.role = "init"}
// DECIDE: linalg.matmul {anvil.fusion.kernel = 0 : i64}
// DECIDE: linalg.generic
// DECIDE-SAME: anvil.fusion.into = 0 : i64, anvil.fusion.role = "epilogue"
// On the MTIA-like target the DPE kernel takes the zero fill (it writes
// its first sums in place) and the ReLU (it clamps each C tile before
// storing it).
// MTIA-LABEL: func.func @product_relu
// MTIA: linalg.fill {anvil.fusion.into = 0 : i64, anvil.fusion.role = "init"}
// MTIA: linalg.matmul {anvil.fusion.kernel = 0 : i64}
// MTIA: linalg.generic
// MTIA-SAME: anvil.fusion.into = 0 : i64, anvil.fusion.role = "epilogue"
// Without a decision, the GEMM call folds nothing: the fill and the ReLU
// stay, and the call accumulates into the filled output.
// REPLAY-LABEL: func.func @product_relu
// REPLAY: linalg.fill
// REPLAY: call @anvil_sgemm_blocked({{.*}}, %c1_i32{{.*}})
// REPLAY: linalg.generic
#id = affine_map<(i, j) -> (i, j)>
func.func @product_relu(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<8x4xf32>)
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%c : memref<8x4xf32>) outs(%c : memref<8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A decision written by hand: the init folds, the ReLU does not (it is
// left unmarked). The call writes its first sums in place of the fill and
// does not clamp; the ReLU stays an op of its own.
// REPLAY-LABEL: func.func @replayed
// REPLAY-NOT: linalg.fill
// REPLAY: call @anvil_sgemm_blocked({{.*}}, %c0_i32{{.*}}, %{{.*}}, %cst{{[_0-9]*}}, %cst{{[_0-9]*}}, %{{.*}})
// REPLAY: linalg.generic
// REPLAY: arith.maximumf
#id = affine_map<(i, j) -> (i, j)>
func.func @replayed(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill {anvil.fusion.into = 7 : i64, anvil.fusion.role = "init"} ins(%zero : f32) outs(%c : memref<8x4xf32>)
  linalg.matmul {anvil.fusion.kernel = 7 : i64} ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%c : memref<8x4xf32>) outs(%c : memref<8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// On the MTIA-like target a convolution's DPE kernel takes the bias
// broadcast before it (each C tile starts from the bias) and the ReLU6
// after it.
// MTIA-LABEL: func.func @conv_bias_relu6
// MTIA: linalg.generic
// MTIA-SAME: anvil.fusion.into = 0 : i64, anvil.fusion.role = "init"
// MTIA: linalg.conv_2d_nchw_fchw
// MTIA-SAME: anvil.fusion.kernel = 0 : i64
// MTIA: linalg.generic
// MTIA-SAME: anvil.fusion.into = 0 : i64, anvil.fusion.role = "epilogue"
#chan = affine_map<(n, c, h, w) -> (c)>
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
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
