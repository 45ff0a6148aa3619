// A ReLU, ReLU6 or Clip right after a product is folded into the
// product's DPE kernel: each C tile is clamped in local memory before it
// is stored, instead of a vector-core kernel of its own reading C back
// from DRAM and writing it again. Against NumPy: the clamp is exact on the
// f32 sums, so only the f16 DPE's rounding differs.
// RUN: rm -rf %t && mkdir -p %t
// RUN: anvil-compile %s --target=mtia-v1 -o %t/c.so
// RUN: anvil-compile %s --target=mtia-v1 --emit=llvm -o %t/c.ll
// RUN: FileCheck %s --check-prefix=LLVM < %t/c.ll
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); a = r.standard_normal((70, 100), dtype=np.float32); b = 3 * r.standard_normal((100, 90), dtype=np.float32); np.save('%t/a.npy', a); np.save('%t/b.npy', b); np.save('%t/ref.npy', np.clip(a @ b, 0, 6) + 0.5)"
// RUN: anvil-run %t/c.so --input=%t/a.npy --input=%t/b.npy --expected=%t/ref.npy --rtol=1e-2 --atol=5e-2 | FileCheck %s --check-prefix=SIM
// RUN: anvil-run %t/c.so --input=%t/a.npy --input=%t/b.npy --report=json > %t/report.json
// RUN: %python -c "import json; jobs = [(j['name'], j['nodes']) for j in json.load(open('%t/report.json'))['simulation']['job_list']]; assert jobs == [('matmul_0', ['MatMul_1', 'Clip_2', 'Add_3'])], jobs"
// The first fusion policy folds the clamp too, not the add after it (two
// jobs with --disable=rammer).
// RUN: anvil-compile %s --target=mtia-v1 --disable=welder,rammer -o %t/apart.so
// RUN: anvil-run %t/apart.so --input=%t/a.npy --input=%t/b.npy --expected=%t/ref.npy --rtol=1e-2 --atol=5e-2 | FileCheck %s --check-prefix=APART

// The matmul's PE program clamps (a maximum with 0, a minimum with 6) and
// charges its vector core, then, Welder folding the add after the clamp
// as an elementwise epilogue, adds the tile of the constant; one job
// runs, not three.
// LLVM: define internal void @main_graph_matmul_0(
// LLVM: call i64 @anvil_mtia_dpe_matmul(
// LLVM: call float @llvm.maximum.f32(float %{{.*}}, float 0.000000e+00)
// LLVM: call float @llvm.minimum.f32(float %{{.*}}, float 6.000000e+00)
// LLVM: fadd float
// LLVM: call void @anvil_mtia_job_run(i64 9, ptr @main_graph_matmul_0_entry
// LLVM-NOT: anvil_mtia_job_run

// SIM: simulated on mtia-v1: {{[0-9]+}} cycles, {{.*}} (1 jobs)
// APART: simulated on mtia-v1: {{[0-9]+}} cycles, {{.*}} (2 jobs)
// APART: output 0 'y': {{.*}} 0 of 6300 elements beyond tolerance: ok
// SIM: output 0 'y': {{.*}} 0 of 6300 elements beyond tolerance: ok

func.func @main_graph(%a: tensor<70x100xf32> {anvil.name = "a"},
                      %b: tensor<100x90xf32> {anvil.name = "b"})
    -> (tensor<70x90xf32> {anvil.name = "y"}) {
  %0 = nn.matmul %a, %b : tensor<70x100xf32>, tensor<100x90xf32> -> tensor<70x90xf32> loc("MatMul_1")
  %1 = nn.clip %0 {min = 0.0 : f64, max = 6.0 : f64} : tensor<70x90xf32> loc("Clip_2")
  %c = nn.constant dense<0.5> : tensor<70x90xf32>
  %2 = nn.add %1, %c : tensor<70x90xf32>, tensor<70x90xf32> -> tensor<70x90xf32> loc("Add_3")
  return %2 : tensor<70x90xf32>
}
