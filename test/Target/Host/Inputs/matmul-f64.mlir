func.func @main_graph(%a: tensor<8x32xf64> {anvil.name = "a"}, %b: tensor<32x64xf64> {anvil.name = "b"}) -> (tensor<8x64xf64> {anvil.name = "y"}) {
  %0 = nn.matmul %a, %b : tensor<8x32xf64>, tensor<32x64xf64> -> tensor<8x64xf64>
  return %0 : tensor<8x64xf64>
}
