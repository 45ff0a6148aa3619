// A convolution's bias and the ReLU after it are folded into its DPE
// kernel: each C tile starts from its rows' bias (loaded once into local
// memory) and is clamped before it is stored, so the convolution runs as
// its im2col and its products, without a bias broadcast and a ReLU of
// their own, each a job reading and writing the output through DRAM.
// Welder folds the add after them too (an elementwise epilogue).
// Against NumPy; only the f16 DPE's rounding differs. The kernels run
// as jobs of their own (--disable=rammer), so that the report lists them.
// RUN: rm -rf %t && mkdir -p %t
// RUN: anvil-compile %s --target=mtia-v1 --disable=rammer -o %t/c.so
// RUN: %python -c "import numpy as np; r = np.random.default_rng(1); x = r.standard_normal((1, 8, 10, 10), dtype=np.float32); w = r.standard_normal((16, 8, 3, 3), dtype=np.float32); b = r.standard_normal(16, dtype=np.float32); np.save('%t/x.npy', x); np.save('%t/w.npy', w); np.save('%t/b.npy', b); p = np.lib.stride_tricks.sliding_window_view(x[0], (3, 3), axis=(1, 2)); y = np.einsum('chwij,fcij->fhw', p, w)[None] + b[None, :, None, None]; np.save('%t/ref.npy', np.maximum(y, 0) + 0.5)"
// RUN: anvil-run %t/c.so --input=%t/x.npy --input=%t/w.npy --input=%t/b.npy --expected=%t/ref.npy --rtol=1e-2 --atol=5e-2 | FileCheck %s
// RUN: anvil-run %t/c.so --input=%t/x.npy --input=%t/w.npy --input=%t/b.npy --report=json > %t/report.json
// The same on mtia-2i, and under the i8 policy, whose kernel adds the
// rescaled products to the bias it starts from: within the quantization
// bound of the product (conv_i8_check.py).
// RUN: anvil-compile %s --target=mtia-2i --disable=rammer -o %t/c2i.so
// RUN: anvil-run %t/c2i.so --input=%t/x.npy --input=%t/w.npy --input=%t/b.npy --expected=%t/ref.npy --rtol=1e-2 --atol=5e-2 | FileCheck %s --check-prefix=SIM2I
// RUN: anvil-compile %s --target=mtia-v1 --dpe-type=i8 -o %t/i8.so
// RUN: anvil-run %t/i8.so --input=%t/x.npy --input=%t/w.npy --input=%t/b.npy --output-dir=%t/i8
// RUN: %python %S/conv_i8_check.py %t/x.npy %t/w.npy %t/b.npy %t/i8/output0.npy 0.5
// RUN: %python -c "import json; jobs = [(j['name'], j['nodes']) for j in json.load(open('%t/report.json'))['simulation']['job_list']]; assert jobs == [('im2col_0', ['Conv_1', 'Relu_2', 'Add_3']), ('conv_1', ['Conv_1', 'Relu_2', 'Add_3'])], jobs"

// CHECK: simulated on mtia-v1: {{[0-9]+}} cycles, {{.*}} (2 jobs)
// CHECK: output 0 'y': {{.*}} 0 of 1024 elements beyond tolerance: ok
// SIM2I: simulated on mtia-2i: {{[0-9]+}} cycles, {{.*}} (2 jobs)
// SIM2I: output 0 'y': {{.*}} 0 of 1024 elements beyond tolerance: ok

func.func @main_graph(%x: tensor<1x8x10x10xf32> {anvil.name = "x"},
                      %w: tensor<16x8x3x3xf32> {anvil.name = "w"},
                      %b: tensor<16xf32> {anvil.name = "b"})
    -> (tensor<1x16x8x8xf32> {anvil.name = "y"}) {
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x8x10x10xf32>, tensor<16x8x3x3xf32>, tensor<16xf32> -> tensor<1x16x8x8xf32> loc("Conv_1")
  %1 = nn.relu %0 : tensor<1x16x8x8xf32> loc("Relu_2")
  %c = nn.constant dense<0.5> : tensor<1x16x8x8xf32>
  %2 = nn.add %1, %c : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32> loc("Add_3")
  return %2 : tensor<1x16x8x8xf32>
}
