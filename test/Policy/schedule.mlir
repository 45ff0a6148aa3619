// RUN: anvil-opt %s -split-input-file --anvil-mtia-schedule --anvil-mtia-place-control | FileCheck %s
// RUN: not anvil-opt %s -split-input-file --anvil-mtia-schedule=scheduler=rammer 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not anvil-opt %s -split-input-file --anvil-mtia-place-control=placement=grinder 2>&1 | FileCheck %s --check-prefix=UNKNOWN-PLACE
// The scheduling and control-flow seams record their decisions on the
// launches and the loops around them: the first scheduler runs every
// kernel in a wave of its own, in program order, on PEs 0 .. n-1; the
// first placement leaves every loop that launches kernels on the host.
// anvil-mtia-to-calls carries those out and names any other decision as
// one it cannot carry out yet (schedule-errors.mlir).

// UNKNOWN: error: unknown scheduler 'rammer' (scheduler: in-order)
// UNKNOWN-PLACE: error: unknown control-flow placement 'grinder' (placement: host-driven)

// CHECK-LABEL: func.func @graph
// CHECK: mtia.launch "a_0" pes(4)
// CHECK: } {anvil.schedule.pes = array<i64: 0, 4>, anvil.schedule.wave = 0 : i64}
// CHECK: scf.for
// CHECK: mtia.launch "b_1" pes(64)
// CHECK: } {anvil.schedule.pes = array<i64: 0, 64>, anvil.schedule.wave = 1 : i64}
// CHECK: } {anvil.control.place = "host"}
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @graph() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  mtia.launch "a_0" pes(4) {
  ^bb0(%pe: index):
  }
  scf.for %i = %c0 to %c3 step %c1 {
    mtia.launch "b_1" pes(64) {
    ^bb0(%pe: index):
    }
  }
  return
}
}
