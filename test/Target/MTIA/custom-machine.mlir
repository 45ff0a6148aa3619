// A user's machine description reaches every pass: anvil-compile stores
// its JSON on the module (anvil.machine_description), so IR written at any
// stage replays on that machine. Here mtia-v1 with a 4 x 4 PE grid: the
// vector-core kernel spreads over its 16 PEs, in anvil-compile and in
// anvil-opt's replay alike.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import json; d = json.load(open('%S/../../../targets/mtia-v1.json')); d['name'] = 'small'; d['pe_grid'] = {'rows': 4, 'cols': 4}; json.dump(d, open('%t/small.json', 'w'))"
// RUN: anvil-compile %s --target=%t/small.json --emit=linalg -o %t/add.linalg.mlir
// RUN: FileCheck %s --check-prefix=ATTR < %t/add.linalg.mlir
// RUN: anvil-opt %t/add.linalg.mlir --anvil-mtia-pipeline | FileCheck %s --check-prefix=REPLAY
// RUN: anvil-compile %s --target=%t/small.json --emit=llvm | FileCheck %s --check-prefix=LL
// A module that carries no description of its own and whose #mtia.target
// disagrees with the description it names is refused.
// RUN: sed -e 's/anvil.machine_description = "[^"]*", //' -e 's/name = "small"/name = "mtia-v1"/' %t/add.linalg.mlir > %t/renamed.mlir
// RUN: not anvil-opt %t/renamed.mlir --anvil-mtia-pipeline 2>&1 | FileCheck %s --check-prefix=MISMATCH

// ATTR: module attributes {anvil.machine_description = "{{.*}}\22small\22{{.*}}", mtia.target = #mtia.target<name = "small", num_pes = 16,

// REPLAY: %[[N:.*]] = llvm.mlir.constant(16 : i64) : i64
// REPLAY: llvm.call @anvil_mtia_job_run(%[[N]],

// LL: call void @anvil_mtia_job_run(i64 16, ptr @main_graph_generic_0_entry

// MISMATCH: error: anvil-mtia-{{[a-z-]+}} needs the machine description: the module's mtia.target differs from the machine description 'mtia-v1' it names; attach the description itself as 'anvil.machine_description'

func.func @main_graph(%a: tensor<64x100xf32> {anvil.name = "a"})
    -> (tensor<64x100xf32> {anvil.name = "y"}) {
  %c = nn.constant dense<0.5> : tensor<64x100xf32>
  %0 = nn.add %a, %c : tensor<64x100xf32>, tensor<64x100xf32> -> tensor<64x100xf32>
  return %0 : tensor<64x100xf32>
}
