// Two branches over one input: each branch's product takes a few PEs, so
// that Rammer can run them side by side.
func.func @main_graph(%x: tensor<70x100xf32> {anvil.name = "x"},
                      %w1: tensor<100x90xf32> {anvil.name = "w1"},
                      %w2: tensor<100x90xf32> {anvil.name = "w2"})
    -> (tensor<70x90xf32> {anvil.name = "y1"},
        tensor<70x90xf32> {anvil.name = "y2"}) {
  %a = nn.matmul %x, %w1 : tensor<70x100xf32>, tensor<100x90xf32> -> tensor<70x90xf32> loc("MatMul_1")
  %y1 = nn.relu %a : tensor<70x90xf32> loc("Relu_2")
  %b = nn.matmul %x, %w2 : tensor<70x100xf32>, tensor<100x90xf32> -> tensor<70x90xf32> loc("MatMul_3")
  %y2 = nn.tanh %b : tensor<70x90xf32> loc("Tanh_4")
  return %y1, %y2 : tensor<70x90xf32>, tensor<70x90xf32>
}
