// RUN: anvil-opt %s --anvil-connect-elementwise --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s
// RUN: not anvil-opt %S/Inputs/unmergeable-connection.mlir --anvil-connect-elementwise 2>&1 | FileCheck %s --check-prefix=ERROR
// A connection written by hand is carried out as the policy's would be:
// the merged op's location names both ops' nodes. One that cannot be is
// an error on its producer.
// ERROR: error: 'linalg.generic' op is marked to connect to its reader, but is not an elementwise op read by one elementwise op alone that it can merge into

// CHECK-LABEL: func.func @replayed
// CHECK: linalg.generic
// CHECK-NOT: anvil.fusion.connect
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: } -> tensor<8x4xf32> loc(fused["Add_1", "Relu_2"])
#id = affine_map<(i, j) -> (i, j)>
func.func @replayed(%x: tensor<8x4xf32>, %y: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
    ins(%x, %y : tensor<8x4xf32>, tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) attrs = {anvil.fusion.connect = "local"} {
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

