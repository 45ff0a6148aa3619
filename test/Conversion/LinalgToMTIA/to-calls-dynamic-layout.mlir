// RUN: anvil-opt %s --anvil-mtia-to-calls | FileCheck %s
// A buffer whose layout is only known at run time (the result of an
// scf.if whose branches yield different views) cannot cross the
// bare-pointer call: the graph passes its base, offset, sizes and strides,
// and the PE program rebuilds the view with what the type holds statically.

// CHECK-LABEL: func.func private @main_graph_copy_0(
// CHECK-SAME: %{{[^:]*}}: index, %{{[^:]*}}: memref<{{[0-9]+}}xi8>, %[[BASE:[^:]*]]: memref<f32>, %[[OFF:[^:]*]]: index, %{{[^:]*}}: index, %{{[^:]*}}: index, %[[S0:[^:]*]]: index, %[[S1:[^:]*]]: index
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [3, 16], strides: [%[[S0]], %[[S1]]] : memref<f32> to memref<3x16xf32, strided<[?, ?], offset: ?>>
// CHECK: linalg.copy ins(%{{.*}} : memref<3x16xf32, strided<[?, ?], offset: ?>>)

// CHECK-LABEL: func.func @main_graph(
// CHECK: %[[BUF:.*]], %[[O:.*]], %[[SZ:.*]]:2, %[[ST:.*]]:2 = memref.extract_strided_metadata %{{.*}} : memref<3x16xf32, strided<[?, ?], offset: ?>>
// CHECK: call @anvil_mtia_job__main_graph_copy_0(%{{.*}}, %{{.*}}, %[[BUF]], %[[O]], %[[SZ]]#0, %[[SZ]]#1, %[[ST]]#0, %[[ST]]#1)

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {

func.func @main_graph(%x: memref<3x16xf32, strided<[?, ?], offset: ?>>) {
  mtia.launch "copy_0" pes(1) {
  ^bb0(%pe: index):
    %l = memref.alloca() : memref<3x16xf32, #mtia.memory_space<local>>
    linalg.copy ins(%x : memref<3x16xf32, strided<[?, ?], offset: ?>>) outs(%l : memref<3x16xf32, #mtia.memory_space<local>>)
  }
  return
}

}
