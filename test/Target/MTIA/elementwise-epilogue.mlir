// A linear layer with a bias, a residual add and a ReLU: Welder merges the
// three elementwise ops into one and folds it into the product's DPE
// kernel, which loads each C tile's columns of the bias and its tile of
// the residual beside it and stores the result: one job. With
// --disable=welder,rammer each op is a job of its own: four. Against NumPy;
// only the f16 DPE's rounding differs.
// RUN: rm -rf %t && mkdir -p %t
// RUN: anvil-compile %s --target=mtia-v1 -o %t/e.so
// RUN: anvil-compile %s --target=mtia-v1 --disable=welder,rammer -o %t/apart.so
// RUN: %python -c "import numpy as np; r = np.random.default_rng(2); a = r.standard_normal((70, 100), dtype=np.float32); b = r.standard_normal((100, 90), dtype=np.float32); c = r.standard_normal(90, dtype=np.float32); x = r.standard_normal((70, 90), dtype=np.float32); [np.save('%t/%%s.npy' %% n, v) for n, v in zip('abcx', (a, b, c, x))]; np.save('%t/ref.npy', np.maximum(a @ b + c + x, 0))"
// RUN: anvil-run %t/e.so --input=%t/a.npy --input=%t/b.npy --input=%t/c.npy --input=%t/x.npy --expected=%t/ref.npy --rtol=1e-2 --atol=5e-2 | FileCheck %s
// RUN: anvil-run %t/apart.so --input=%t/a.npy --input=%t/b.npy --input=%t/c.npy --input=%t/x.npy --expected=%t/ref.npy --rtol=1e-2 --atol=5e-2 | FileCheck %s --check-prefix=APART
// RUN: anvil-run %t/e.so --input=%t/a.npy --input=%t/b.npy --input=%t/c.npy --input=%t/x.npy --report=json > %t/report.json
// RUN: %python -c "import json; jobs = [(j['name'], j['nodes']) for j in json.load(open('%t/report.json'))['simulation']['job_list']]; assert jobs == [('matmul_0', ['MatMul_1', 'Add_2', 'Add_3', 'Relu_4'])], jobs"

// CHECK: simulated on mtia-v1: {{[0-9]+}} cycles, {{.*}} (1 jobs)
// CHECK: output 0 'y': {{.*}} 0 of 6300 elements beyond tolerance: ok
// APART: simulated on mtia-v1: {{[0-9]+}} cycles, {{.*}} (4 jobs)
// APART: output 0 'y': {{.*}} 0 of 6300 elements beyond tolerance: ok

func.func @main_graph(%a: tensor<70x100xf32> {anvil.name = "a"},
                      %b: tensor<100x90xf32> {anvil.name = "b"},
                      %c: tensor<90xf32> {anvil.name = "c"},
                      %x: tensor<70x90xf32> {anvil.name = "x"})
    -> (tensor<70x90xf32> {anvil.name = "y"}) {
  %0 = nn.matmul %a, %b : tensor<70x100xf32>, tensor<100x90xf32> -> tensor<70x90xf32> loc("MatMul_1")
  %1 = nn.add %0, %c : tensor<70x90xf32>, tensor<90xf32> -> tensor<70x90xf32> loc("Add_2")
  %2 = nn.add %1, %x : tensor<70x90xf32>, tensor<70x90xf32> -> tensor<70x90xf32> loc("Add_3")
  %3 = nn.relu %2 : tensor<70x90xf32> loc("Relu_4")
  return %3 : tensor<70x90xf32>
}
