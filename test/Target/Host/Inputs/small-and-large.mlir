// A small MatMul (8 x 16 by 16 x 32: 3.6 KiB of buffers) and a large
// residual add (4 x 64 x 28 x 28: 2.4 MiB).
func.func @main_graph(%a: tensor<8x16xf32> {anvil.name = "a"},
                      %b: tensor<16x32xf32> {anvil.name = "b"},
                      %x: tensor<4x64x28x28xf32> {anvil.name = "x"},
                      %y: tensor<4x64x28x28xf32> {anvil.name = "y"})
    -> (tensor<8x32xf32> {anvil.name = "c"},
        tensor<4x64x28x28xf32> {anvil.name = "z"}) {
  %c = nn.matmul %a, %b : tensor<8x16xf32>, tensor<16x32xf32> -> tensor<8x32xf32> loc("MatMul_1")
  %t = nn.tanh %c : tensor<8x32xf32> loc("Tanh_2")
  %z = nn.add %x, %y : tensor<4x64x28x28xf32>, tensor<4x64x28x28xf32> -> tensor<4x64x28x28xf32> loc("Add_3")
  return %t, %z : tensor<8x32xf32>, tensor<4x64x28x28xf32>
}
