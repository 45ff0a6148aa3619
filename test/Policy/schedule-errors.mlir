// RUN: anvil-opt %s -split-input-file --anvil-mtia-to-calls -verify-diagnostics
// Decisions of the scheduling and control-flow seams that the lowering
// cannot carry out are errors on the kernel or loop they name.

!dram = memref<64xf32>
!local = memref<64xf32, #mtia.memory_space<local>>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @same_pes() {
  mtia.launch "a_0" pes(4) {
  ^bb0(%pe: index):
  } {anvil.schedule.program = 0 : i64, anvil.schedule.wave = 0 : i64, anvil.schedule.pes = array<i64: 0, 4>}
  // expected-error @below {{shares PEs with kernel 'a_0' in wave 0}}
  mtia.launch "b_1" pes(4) {
  ^bb0(%pe: index):
  } {anvil.schedule.program = 0 : i64, anvil.schedule.wave = 0 : i64, anvil.schedule.pes = array<i64: 2, 4>}
  return
}
}

// -----

// b_1 reads what a_0 writes: side by side, it would read it too early.
!dram = memref<64xf32>
!local = memref<64xf32, #mtia.memory_space<local>>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @too_early(%x: !dram) {
  %a = memref.alloc() : !dram
  mtia.launch "a_0" pes(4) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !local
    %t = mtia.dma %l, %a : !local, !dram
    mtia.wait %t
  } {anvil.schedule.program = 0 : i64, anvil.schedule.wave = 0 : i64, anvil.schedule.pes = array<i64: 0, 4>}
  // expected-error @below {{is scheduled in wave 0, not after kernel 'a_0' (wave 0), whose buffers it uses}}
  mtia.launch "b_1" pes(4) {
  ^bb0(%pe: index):
    %sub = memref.subview %a[8] [8] [1] : !dram to memref<8xf32, strided<[1], offset: 8>>
    %l = memref.alloca() : memref<8xf32, #mtia.memory_space<local>>
    %t = mtia.dma %sub, %l : memref<8xf32, strided<[1], offset: 8>>, memref<8xf32, #mtia.memory_space<local>>
    mtia.wait %t
  } {anvil.schedule.program = 0 : i64, anvil.schedule.wave = 0 : i64, anvil.schedule.pes = array<i64: 4, 4>}
  memref.dealloc %a : !dram
  return
}
}

// -----

// The host reads a_0's result before b_1 runs: they cannot share a job.
!dram = memref<64xf32>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @host_between(%x: !dram) -> f32 {
  %c0 = arith.constant 0 : index
  mtia.launch "a_0" pes(4) {
  ^bb0(%pe: index):
  } {anvil.schedule.program = 0 : i64, anvil.schedule.wave = 0 : i64, anvil.schedule.pes = array<i64: 0, 4>}
  %v = memref.load %x[%c0] : !dram
  // expected-error @below {{shares a program with kernel 'a_0', but the host has work between them}}
  mtia.launch "b_1" pes(4) {
  ^bb0(%pe: index):
  } {anvil.schedule.program = 0 : i64, anvil.schedule.wave = 1 : i64, anvil.schedule.pes = array<i64: 0, 4>}
  return %v : f32
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @other_pe_count() {
  // expected-error @below {{is scheduled on 8 PEs, but its tiling gives work to 4: not carried out}}
  mtia.launch "a_0" pes(4) {
  ^bb0(%pe: index):
  } {anvil.schedule.program = 0 : i64, anvil.schedule.wave = 0 : i64, anvil.schedule.pes = array<i64: 0, 8>}
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @beyond_the_machine() {
  // expected-error @below {{is scheduled on PEs 62 .. 65 of a machine of 64}}
  mtia.launch "a_0" pes(4) {
  ^bb0(%pe: index):
  } {anvil.schedule.program = 0 : i64, anvil.schedule.wave = 0 : i64, anvil.schedule.pes = array<i64: 62, 4>}
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @on_device(%flags: memref<3xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  // expected-error @below {{is placed on the device, but its body runs 'memref.load' on the host}}
  scf.for %i = %c0 to %c3 step %c1 {
    %flag = memref.load %flags[%i] : memref<3xi1>
    mtia.launch "b_0" pes(64) {
    ^bb0(%pe: index):
    }
  } {anvil.control.place = "device"}
  return
}
}
