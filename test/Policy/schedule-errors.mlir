// RUN: anvil-opt %s -split-input-file --anvil-mtia-to-calls -verify-diagnostics
// Decisions of the scheduling and control-flow seams that the lowering
// does not carry out yet are errors on the kernel or loop they name.

// Two kernels in one wave: side by side, which the lowering does not do.
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @side_by_side() {
  mtia.launch "a_0" pes(4) {
  ^bb0(%pe: index):
  } {anvil.schedule.wave = 0 : i64, anvil.schedule.pes = array<i64: 0, 4>}
  // expected-error @below {{is scheduled in wave 0, beside or before the kernel before it}}
  mtia.launch "b_1" pes(4) {
  ^bb0(%pe: index):
  } {anvil.schedule.wave = 0 : i64, anvil.schedule.pes = array<i64: 4, 4>}
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @on_device() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  // expected-error @below {{is placed on the device: control flow that launches kernels runs on the host only yet}}
  scf.for %i = %c0 to %c3 step %c1 {
    mtia.launch "b_0" pes(64) {
    ^bb0(%pe: index):
    }
  } {anvil.control.place = "device"}
  return
}
}
