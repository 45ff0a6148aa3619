// Two convolutions, their ReLUs and a residual add, as in a ResNet block.
func.func @main_graph(%x: tensor<1x16x14x14xf32> {anvil.name = "x"})
    -> (tensor<1x16x14x14xf32> {anvil.name = "z"}) {
  %w = arith.constant dense<0.01> : tensor<16x16x3x3xf32>
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<1x16x14x14xf32>, tensor<16x16x3x3xf32> -> tensor<1x16x14x14xf32> loc("Conv_1")
  %1 = nn.relu %0 : tensor<1x16x14x14xf32> loc("Relu_2")
  %2 = nn.conv %1, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<1x16x14x14xf32>, tensor<16x16x3x3xf32> -> tensor<1x16x14x14xf32> loc("Conv_3")
  %3 = nn.add %2, %x : tensor<1x16x14x14xf32>, tensor<1x16x14x14xf32> -> tensor<1x16x14x14xf32> loc("Add_4")
  %4 = nn.relu %3 : tensor<1x16x14x14xf32> loc("Relu_5")
  return %4 : tensor<1x16x14x14xf32>
}
