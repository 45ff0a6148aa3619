// C + A B in f16 with C an input: the DPE kernel loads each C tile,
// converts it to f32 and adds the products to it (f16_products.py).
func.func @main_graph(%a: tensor<70x300xf16>, %b: tensor<300x90xf16>,
                      %c: tensor<70x90xf16>) -> tensor<70x90xf16> {
  %0 = linalg.matmul ins(%a, %b : tensor<70x300xf16>, tensor<300x90xf16>)
                     outs(%c : tensor<70x90xf16>) -> tensor<70x90xf16>
  return %0 : tensor<70x90xf16>
}
