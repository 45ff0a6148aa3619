// One product of two inputs: measured alone, it is the whole model.
func.func @main_graph(%a: tensor<70x100xf32> {anvil.name = "a"},
                      %b: tensor<100x90xf32> {anvil.name = "b"})
    -> (tensor<70x90xf32> {anvil.name = "y"}) {
  %0 = nn.matmul %a, %b : tensor<70x100xf32>, tensor<100x90xf32> -> tensor<70x90xf32> loc("MatMul_1")
  return %0 : tensor<70x90xf32>
}
