// RUN: anvil-opt %s --split-input-file --anvil-decide-connections=policy=welder | FileCheck %s --check-prefix=WELDER
// RUN: anvil-opt %s --split-input-file --anvil-decide-connections | FileCheck %s --check-prefix=FIRST
// RUN: anvil-opt %s --split-input-file --anvil-decide-connections=policy=welder --anvil-connect-elementwise | FileCheck %s --check-prefix=MERGED
// RUN: not anvil-opt %s --split-input-file --anvil-decide-connections=policy=greedy 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// The fusion seam on tensors: which edges between elementwise ops connect
// inside one kernel. Welder connects every edge from an elementwise op
// read by one elementwise op alone (anvil.fusion.connect = "local" on the
// producer); the first policy, one-op-per-kernel, connects none;
// anvil-connect-elementwise merges exactly the marked edges.

// UNKNOWN: error: unknown fusion policy 'greedy' (policy: one-op-per-kernel, welder, welder-sram, welder-dram)

// A residual add and the ReLU after it: one kernel, whose location names
// both nodes.
// WELDER-LABEL: func.func @add_relu
// WELDER: linalg.generic
// WELDER-SAME: anvil.fusion.connect = "local"
// WELDER: arith.addf
// WELDER: linalg.generic
// WELDER-NOT: anvil.fusion.connect
// WELDER: arith.maximumf
// FIRST-LABEL: func.func @add_relu
// FIRST-NOT: anvil.fusion.connect
// MERGED-LABEL: func.func @add_relu
// MERGED: linalg.generic
// MERGED: arith.addf
// MERGED: arith.maximumf
// MERGED-NOT: linalg.generic
// MERGED: return
#id = affine_map<(i, j) -> (i, j)>
func.func @add_relu(%x: tensor<8x4xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%x, %y : tensor<8x4xf32>, tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32> loc("Add_1")
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%sum : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8x4xf32> loc("Relu_2")
  return %r : tensor<8x4xf32>
}

// -----

// A chain of three merges whole. The clamp right after the product is no
// candidate: the product's kernel takes it as its epilogue.
// WELDER-LABEL: func.func @product_clamp_chain
// WELDER: linalg.matmul
// WELDER: linalg.generic
// WELDER-NOT: anvil.fusion.connect
// WELDER: arith.minimumf
// WELDER: linalg.generic
// WELDER-SAME: anvil.fusion.connect = "local"
// WELDER: arith.addf
// WELDER: linalg.generic
// WELDER-SAME: anvil.fusion.connect = "local"
// WELDER: arith.mulf
// WELDER: linalg.generic
// WELDER: math.tanh
// MERGED-LABEL: func.func @product_clamp_chain
// MERGED: linalg.matmul
// MERGED: linalg.generic
// MERGED: arith.minimumf
// MERGED: linalg.generic
// MERGED: arith.addf
// MERGED: arith.mulf
// MERGED: math.tanh
// MERGED-NOT: linalg.generic
// MERGED: return
#id = affine_map<(i, j) -> (i, j)>
func.func @product_clamp_chain(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %p = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x4xf32>) outs(%f : tensor<8x4xf32>) -> tensor<8x4xf32>
  %c = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%p : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %lo = arith.maximumf %v, %zero : f32
    %hi = arith.minimumf %lo, %six : f32
    linalg.yield %hi : f32
  } -> tensor<8x4xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%c, %y : tensor<8x4xf32>, tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %t = arith.addf %v, %w : f32
    linalg.yield %t : f32
  } -> tensor<8x4xf32>
  %m = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%s : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = arith.mulf %v, %v : f32
    linalg.yield %t : f32
  } -> tensor<8x4xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%m : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %h = math.tanh %v : f32
    linalg.yield %h : f32
  } -> tensor<8x4xf32>
  return %t : tensor<8x4xf32>
}

// -----

// An op read twice is no candidate: merging it would compute it twice.
// WELDER-LABEL: func.func @read_twice
// WELDER-NOT: anvil.fusion.connect
// WELDER: return
#id = affine_map<(i, j) -> (i, j)>
func.func @read_twice(%x: tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
  %e = tensor.empty() : tensor<8x4xf32>
  %d = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%x : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = arith.addf %v, %v : f32
    linalg.yield %t : f32
  } -> tensor<8x4xf32>
  %n = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%d : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %t = arith.negf %v : f32
    linalg.yield %t : f32
  } -> tensor<8x4xf32>
  return %d, %n : tensor<8x4xf32>, tensor<8x4xf32>
}

// -----

// An op its reader broadcasts is a candidate too, and Welder connects it:
// merged, its ops run again for every element of the reader (here eight
// times each), for a launch and a pass over memory fewer.
// WELDER-LABEL: func.func @broadcast_read
// WELDER: linalg.generic
// WELDER-SAME: anvil.fusion.connect = "local"
// WELDER: math.rsqrt
// MERGED-LABEL: func.func @broadcast_read
// MERGED: linalg.generic
// MERGED: math.rsqrt
// MERGED: arith.mulf
// MERGED-NOT: linalg.generic
// MERGED: return
#row = affine_map<(i, j) -> (j)>
#id = affine_map<(i, j) -> (i, j)>
#one = affine_map<(j) -> (j)>
func.func @broadcast_read(%x: tensor<8x4xf32>, %v: tensor<4xf32>) -> tensor<8x4xf32> {
  %e1 = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<8x4xf32>
  %s = linalg.generic {indexing_maps = [#one, #one], iterator_types = ["parallel"]}
    ins(%v : tensor<4xf32>) outs(%e1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.rsqrt %a : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  %n = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
    ins(%x, %s : tensor<8x4xf32>, tensor<4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.mulf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<8x4xf32>
  return %n : tensor<8x4xf32>
}
