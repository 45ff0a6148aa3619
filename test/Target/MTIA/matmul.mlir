// A MatMul with a bias compiled for mtia-v1 and run on its simulator: the
// kernels the pipeline forms, the LLVM IR's calls of the PE operations,
// the result against NumPy, the report, the trace, and the errors of a
// wrong device and of a broken machine description.
// RUN: rm -rf %t && mkdir -p %t
// RUN: anvil-compile %s --target=mtia-v1 --emit=llvm -o %t/mm.ll
// RUN: FileCheck %s --check-prefix=LLVM < %t/mm.ll
// RUN: anvil-compile %s --target=mtia-v1 --emit=llvm --disable=welder,rammer -o %t/apart.ll
// RUN: FileCheck %s --check-prefix=APART < %t/apart.ll
// RUN: FileCheck %s --check-prefix=META < %t/mm.ll
// RUN: anvil-compile %s --target=mtia-v1 -o %t/mm.so
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); a = r.standard_normal((70, 100), dtype=np.float32); b = r.standard_normal((100, 90), dtype=np.float32); np.save('%t/a.npy', a); np.save('%t/b.npy', b); np.save('%t/ref.npy', a @ b + 0.5)"
// RUN: anvil-run %t/mm.so --input=%t/a.npy --input=%t/b.npy --expected=%t/ref.npy --rtol=1e-2 --atol=1e-2 --trace=%t/trace.json | FileCheck %s --check-prefix=SIM
// RUN: %python -c "import json; t = json.load(open('%t/trace.json')); names = {e['name'] for e in t['traceEvents'] if e['ph'] == 'X'}; assert {'dma', 'dpe.matmul', 'se.convert'} <= names, names"
// RUN: anvil-run %t/mm.so --input=%t/a.npy --input=%t/b.npy --report=json > %t/report.json
// RUN: FileCheck %s --check-prefix=JSON < %t/report.json
// RUN: %python %S/../../Tools/Inputs/validate_json.py %S/../../../docs/schemas/run-report.schema.json %t/report.json
// RUN: %python -c "import json; t = json.load(open('%t/trace.json')); jobs = {(e['args']['job'], e['args']['nodes']) for e in t['traceEvents'] if e['ph'] == 'X'}; assert jobs == {('matmul_0', 'MatMul_7,Add_8')}, jobs"
// RUN: not anvil-run %t/mm.so --input=%t/a.npy --input=%t/b.npy --device=host 2>&1 | FileCheck %s --check-prefix=DEVICE
// RUN: printf '{"name": "broken"}' > %t/broken.json
// RUN: not anvil-compile %s --target=%t/broken.json 2>&1 | FileCheck %s --check-prefix=BROKEN
// RUN: not anvil-compile %s --target=mtia-v1 --dpe-type=bf16 2>&1 | FileCheck %s --check-prefix=PRECISION

// Each kernel's PE program is a function of the PE index and the kernel's
// buffers; an entry loads the buffers from the array the launch fills, and
// the graph runs each kernel as a job of anvil_mtia_job_run.
// LLVM: define internal void @main_graph_matmul_0(i64 %{{.*}}, ptr
// LLVM: call i64 @anvil_mtia_dma(
// LLVM: call i64 @anvil_mtia_se_convert(
// LLVM: call i64 @anvil_mtia_dpe_matmul(
// LLVM: define internal void @main_graph_matmul_0_entry(i64 %{{.*}}, ptr
// LLVM: call void @main_graph_matmul_0(
// Roller cuts the 70 x 90 product into 32 x 32 C tiles, 3 x 3 tasks, one
// a PE (the first policy's 64 x 64 tiles left it 4).
// LLVM: call void @anvil_mtia_job_run(i64 9, ptr @main_graph_matmul_0_entry, ptr
// Welder folds the bias add into the product's kernel (each C tile adds
// its tile of the bias before it is stored): one job.
// LLVM-NOT: call void @anvil_mtia_job_run(
// META: @anvil_model_metadata = {{.*}}machine_description
// With --disable=welder the bias add is a kernel of its own (and with
// --disable=rammer a job of its own): its 70 rows
// run as 70 tasks over all 64 PEs: 35 tasks of 2 rows would make one
// wave, faster by a DRAM latency, but leave PEs idle, and the first
// tiling policy gives every PE a task where there are enough rows.
// APART: call void @anvil_mtia_job_run(i64 9, ptr @main_graph_matmul_0_entry, ptr
// APART: call void @anvil_mtia_job_run(i64 64, ptr @main_graph_generic_1_entry, ptr

// SIM: simulated on mtia-v1: {{[0-9]+}} cycles
// SIM: bytes moved: dram {{[0-9]+}}
// SIM: slowest jobs and waves:
// SIM: cycles ({{.*}}%) matmul_0 on 9 PEs
// SIM: output 0 'y': {{.*}} 0 of 6300 elements beyond tolerance: ok

// The run report is the only thing on stdout; the simulator's report in it
// (its "simulation") names each job's kernel and
// the model node it came from, and carries the cost model's prediction.
// JSON: {
// JSON: "job_list": [
// JSON: "name": "matmul_0",
// JSON-NEXT: "nodes": [
// JSON-NEXT: "MatMul_7",
// JSON-NEXT: "Add_8"
// JSON: "pes": 9,
// JSON-NEXT: "predicted_cycles": {{[1-9][0-9]*}},
// JSON-DAG: "roofline": {
// JSON-DAG: "target": "mtia-v1"

// DEVICE: error: the artifact was compiled for an accelerator target; it runs on the simulator (--device=sim)

// BROKEN: error: {{.*}}broken.json: invalid machine description: missing value at {{.*}}broken.json.clock_mhz

// PRECISION: error: --dpe-type=bf16: the DPE of mtia-v1 takes i8, f16 for f32 products
// PRECISION-NOT: compiler bug

func.func @main_graph(%a: tensor<70x100xf32> {anvil.name = "a"},
                      %b: tensor<100x90xf32> {anvil.name = "b"})
    -> (tensor<70x90xf32> {anvil.name = "y"}) {
  %0 = nn.matmul %a, %b : tensor<70x100xf32>, tensor<100x90xf32> -> tensor<70x90xf32> loc("MatMul_7")
  %c = nn.constant dense<0.5> : tensor<70x90xf32>
  %1 = nn.add %0, %c : tensor<70x90xf32>, tensor<70x90xf32> -> tensor<70x90xf32> loc("Add_8")
  return %1 : tensor<70x90xf32>
}
