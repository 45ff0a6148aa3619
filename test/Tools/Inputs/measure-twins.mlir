// Two products of one shape and type with different weights (measured
// once), and a third of another shape.
func.func @main_graph(%x: tensor<64x128xf32> {anvil.name = "x"})
    -> (tensor<64x96xf32> {anvil.name = "y"}) {
  %w1 = nn.constant dense<0.01> : tensor<128x128xf32>
  %w2 = nn.constant dense<0.02> : tensor<128x128xf32>
  %w3 = nn.constant dense<0.03> : tensor<128x96xf32>
  %0 = nn.matmul %x, %w1 : tensor<64x128xf32>, tensor<128x128xf32> -> tensor<64x128xf32> loc("MatMul_1")
  %1 = nn.matmul %0, %w2 : tensor<64x128xf32>, tensor<128x128xf32> -> tensor<64x128xf32> loc("MatMul_2")
  %2 = nn.matmul %1, %w3 : tensor<64x128xf32>, tensor<128x96xf32> -> tensor<64x96xf32> loc("MatMul_3")
  return %2 : tensor<64x96xf32>
}
