// RUN: anvil-opt %s --anvil-mtia-job-entries --split-input-file --verify-diagnostics | FileCheck %s
// A launch left by anvil-mtia-to-calls becomes an array of the program's
// values and anvil_mtia_job_run(num_pes, entry, array, name, nodes,
// predicted); the entry loads them back, each with its own type, and calls
// the program for one PE; name and nodes are C strings of the program's
// anvil.kernel and anvil.nodes, predicted its anvil.predicted_cycles (-1
// where it has none).

// CHECK-DAG: llvm.mlir.global internal constant @k_name("conv_3\00")
// CHECK-DAG: llvm.mlir.global internal constant @k_nodes("Conv_12,Relu_13\00")
// CHECK-LABEL: llvm.func internal @k(
// CHECK-LABEL: llvm.func internal @k_entry(
// CHECK-SAME: %[[PE:.*]]: i64, %[[VALUES:.*]]: !llvm.ptr)
// CHECK: %[[S0:.*]] = llvm.getelementptr %[[VALUES]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK: %[[P:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr %[[VALUES]][1]
// CHECK: %[[X:.*]] = llvm.load %[[S1]] : !llvm.ptr -> f32
// CHECK: llvm.call @k(%[[PE]], %[[P]], %[[X]])
// CHECK-LABEL: llvm.func @graph(
// CHECK: %[[ARRAY:.*]] = llvm.alloca %{{.*}} x i64
// CHECK: llvm.store %{{.*}}, %{{.*}} : !llvm.ptr, !llvm.ptr
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
// CHECK: %[[ENTRY:.*]] = llvm.mlir.addressof @k_entry
// CHECK: %[[NAME:.*]] = llvm.mlir.addressof @k_name
// CHECK: %[[NODES:.*]] = llvm.mlir.addressof @k_nodes
// CHECK: %[[CYCLES:.*]] = llvm.mlir.constant(4242 : i64)
// CHECK: llvm.call @anvil_mtia_job_run(%{{.*}}, %[[ENTRY]], %[[ARRAY]], %{{.*}}, %{{.*}}, %[[CYCLES]])
// CHECK-NOT: anvil_mtia_job__
module {
  llvm.func @anvil_mtia_job__k(i64, !llvm.ptr, f32)
  llvm.func @k(%pe: i64, %p: !llvm.ptr, %x: f32) attributes {anvil.kernel = "conv_3", anvil.nodes = "Conv_12,Relu_13", anvil.predicted_cycles = 4242 : i64} {
    llvm.return
  }
  llvm.func @graph(%p: !llvm.ptr, %x: f32) {
    %n = llvm.mlir.constant(8 : i64) : i64
    llvm.call @anvil_mtia_job__k(%n, %p, %x) : (i64, !llvm.ptr, f32) -> ()
    llvm.return
  }
}

// -----

// CHECK-LABEL: llvm.func @unpriced(
// CHECK: %[[NONE:.*]] = llvm.mlir.constant(-1 : i64)
// CHECK: llvm.call @anvil_mtia_job_run(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[NONE]])
module {
  llvm.func @anvil_mtia_job__u(i64)
  llvm.func @u(%pe: i64) attributes {anvil.kernel = "u_0"} {
    llvm.return
  }
  llvm.func @unpriced() {
    %n = llvm.mlir.constant(2 : i64) : i64
    llvm.call @anvil_mtia_job__u(%n) : (i64) -> ()
    llvm.return
  }
}

// -----

module {
  llvm.func @anvil_mtia_job__missing(i64)
  llvm.func @graph() {
    %n = llvm.mlir.constant(8 : i64) : i64
    // expected-error @below {{launches PE program 'missing', which the module does not define}}
    llvm.call @anvil_mtia_job__missing(%n) : (i64) -> ()
    llvm.return
  }
}
