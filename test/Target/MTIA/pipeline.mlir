// The MTIA pipeline replays in anvil-opt from what anvil-compile writes at
// --emit=linalg (which carries the machine as #mtia.target), with the same
// options as anvil-compile's flags: staging through SRAM meets at a barrier,
// which --sram-staging=false / sram-staging=false leaves out. The first
// tiling policy (the pipeline's default; anvil-compile's with
// --disable=roller) stages every operand that several C tiles read; Roller
// stages only where the cost model finds it faster, which for this small
// product it does not.
// RUN: rm -rf %t && mkdir -p %t
// RUN: anvil-compile %s --target=mtia-v1 --emit=linalg -o %t/mm.linalg.mlir
// RUN: anvil-opt %t/mm.linalg.mlir --anvil-mtia-pipeline | FileCheck %s --check-prefix=STAGED
// RUN: anvil-opt %t/mm.linalg.mlir --anvil-mtia-pipeline='sram-staging=false' | FileCheck %s --check-prefix=DIRECT
// RUN: anvil-compile %s --target=mtia-v1 --disable=roller --emit=llvm | FileCheck %s --check-prefix=STAGED-LL
// RUN: anvil-compile %s --target=mtia-v1 --disable=roller --sram-staging=false --emit=llvm | FileCheck %s --check-prefix=DIRECT-LL
// RUN: not anvil-opt %t/mm.linalg.mlir --anvil-mtia-pipeline='dpe-type=bf16' 2>&1 | FileCheck %s --check-prefix=PRECISION

// STAGED: llvm.func internal @main_graph_matmul_0(
// STAGED: llvm.call @anvil_mtia_barrier()
// STAGED: llvm.call @anvil_mtia_job_run(

// DIRECT: llvm.func internal @main_graph_matmul_0(
// DIRECT-NOT: @anvil_mtia_barrier()
// DIRECT: llvm.call @anvil_mtia_job_run(

// STAGED-LL: call void @anvil_mtia_barrier()
// DIRECT-LL-NOT: call void @anvil_mtia_barrier()

// PRECISION: error: the DPE of mtia-v1 does not take 'bf16'

func.func @main_graph(%a: tensor<70x100xf32> {anvil.name = "a"},
                      %b: tensor<100x90xf32> {anvil.name = "b"})
    -> (tensor<70x90xf32> {anvil.name = "y"}) {
  %0 = nn.matmul %a, %b : tensor<70x100xf32>, tensor<100x90xf32> -> tensor<70x90xf32>
  return %0 : tensor<70x90xf32>
}
