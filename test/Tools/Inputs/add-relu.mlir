// A residual add and the ReLU after it.
func.func @main_graph(%x: tensor<4x64x28x28xf32> {anvil.name = "x"},
                      %y: tensor<4x64x28x28xf32> {anvil.name = "y"})
    -> (tensor<4x64x28x28xf32> {anvil.name = "z"}) {
  %0 = nn.add %x, %y : tensor<4x64x28x28xf32>, tensor<4x64x28x28xf32> -> tensor<4x64x28x28xf32> loc("Add_1")
  %1 = nn.relu %0 : tensor<4x64x28x28xf32> loc("Relu_2")
  return %1 : tensor<4x64x28x28xf32>
}
