// RUN: anvil-opt %s --anvil-mtia-schedule --anvil-mtia-place-control | FileCheck %s --check-prefix=INORDER
// RUN: anvil-opt %s --anvil-mtia-schedule=scheduler=rammer-serial | FileCheck %s --check-prefix=SERIAL
// RUN: anvil-opt %s --anvil-mtia-schedule=scheduler=rammer | FileCheck %s --check-prefix=WAVES
// RUN: not anvil-opt %s --anvil-mtia-schedule=scheduler=nnfusion 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not anvil-opt %s --anvil-mtia-place-control=placement=cocktailer 2>&1 | FileCheck %s --check-prefix=UNKNOWN-PLACE
// The scheduling and control-flow seams record their decisions on the
// launches and the loops around them. The graph's first four kernels are
// one segment (only allocations and deallocations between them); the
// loop's kernel is another. a_0 and b_1 both read %x and write buffers of
// their own; c_2 reads both of theirs; d_3 writes what c_2 reads.
//
// The first scheduler makes every kernel a job (program) of its own on
// PEs 0 .. n-1; the first placement leaves the loop on the host.
// INORDER: mtia.launch "a_0" pes(4)
// INORDER: anvil.schedule.pes = array<i64: 0, 4>, anvil.schedule.program = 0 : i64, anvil.schedule.wave = 0 : i64}
// INORDER: mtia.launch "b_1" pes(8)
// INORDER: anvil.schedule.pes = array<i64: 0, 8>, anvil.schedule.program = 1 : i64, anvil.schedule.wave = 0 : i64}
// INORDER: mtia.launch "c_2" pes(64)
// INORDER: anvil.schedule.program = 2 : i64
// INORDER: mtia.launch "d_3" pes(4)
// INORDER: anvil.schedule.program = 3 : i64
// INORDER: mtia.launch "e_4" pes(64)
// INORDER: anvil.schedule.program = 4 : i64
// INORDER: } {anvil.control.place = "host"}
// INORDER-NOT: program_cycles
//
// rammer-serial: the segment is one program, a kernel per wave; the
// program's predicted cycles are one launch (16000 on mtia-v1) and each
// kernel's cycles without its own launch and barrier, plus a barrier
// after each: 16000 + (4000 + 6000 + 8000 + 2000) + 4 x 100.
// SERIAL: mtia.launch "a_0" pes(4)
// SERIAL: } {anvil.predicted_cycles = 20100 : i64, anvil.schedule.pes = array<i64: 0, 4>, anvil.schedule.program = 0 : i64, anvil.schedule.program_cycles = 36400 : i64, anvil.schedule.wave = 0 : i64}
// SERIAL: mtia.launch "b_1" pes(8)
// SERIAL: anvil.schedule.pes = array<i64: 0, 8>, anvil.schedule.program = 0 : i64, anvil.schedule.program_cycles = 36400 : i64, anvil.schedule.wave = 1 : i64}
// SERIAL: mtia.launch "c_2" pes(64)
// SERIAL: anvil.schedule.program = 0 : i64, anvil.schedule.program_cycles = 36400 : i64, anvil.schedule.wave = 2 : i64}
// SERIAL: mtia.launch "d_3" pes(4)
// SERIAL: anvil.schedule.program = 0 : i64, anvil.schedule.program_cycles = 36400 : i64, anvil.schedule.wave = 3 : i64}
// SERIAL: mtia.launch "e_4" pes(64)
// SERIAL: anvil.schedule.program = 1 : i64, anvil.schedule.wave = 0 : i64}
//
// rammer: a_0 and b_1 share wave 0 on PEs 0-3 and 4-11; c_2 follows both;
// d_3 writes what c_2 reads, so it follows c_2. 16000 + (6000 + 8000 +
// 2000) + 3 x 100.
// WAVES: mtia.launch "a_0" pes(4)
// WAVES: anvil.schedule.pes = array<i64: 0, 4>, anvil.schedule.program = 0 : i64, anvil.schedule.program_cycles = 32300 : i64, anvil.schedule.wave = 0 : i64}
// WAVES: mtia.launch "b_1" pes(8)
// WAVES: anvil.schedule.pes = array<i64: 4, 8>, anvil.schedule.program = 0 : i64, anvil.schedule.program_cycles = 32300 : i64, anvil.schedule.wave = 0 : i64}
// WAVES: mtia.launch "c_2" pes(64)
// WAVES: anvil.schedule.pes = array<i64: 0, 64>, anvil.schedule.program = 0 : i64, anvil.schedule.program_cycles = 32300 : i64, anvil.schedule.wave = 1 : i64}
// WAVES: mtia.launch "d_3" pes(4)
// WAVES: anvil.schedule.pes = array<i64: 0, 4>, anvil.schedule.program = 0 : i64, anvil.schedule.program_cycles = 32300 : i64, anvil.schedule.wave = 2 : i64}
// WAVES: mtia.launch "e_4" pes(64)
// WAVES: anvil.schedule.program = 1 : i64, anvil.schedule.wave = 0 : i64}

// UNKNOWN: error: unknown scheduler 'nnfusion' (scheduler: in-order, rammer-serial, rammer)
// UNKNOWN-PLACE: error: unknown control-flow placement 'cocktailer' (placement: host-driven, grinder)

!dram = memref<64xf32>
!local = memref<64xf32, #mtia.memory_space<local>>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @graph(%x: !dram, %y: !dram) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %a = memref.alloc() : !dram
  mtia.launch "a_0" pes(4) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !local
    %t = mtia.dma %x, %l : !dram, !local
    mtia.wait %t
    %u = mtia.dma %l, %a : !local, !dram
    mtia.wait %u
  } {anvil.predicted_cycles = 20100 : i64}
  %b = memref.alloc() : !dram
  mtia.launch "b_1" pes(8) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !local
    %t = mtia.dma %x, %l : !dram, !local
    mtia.wait %t
    %u = mtia.dma %l, %b : !local, !dram
    mtia.wait %u
  } {anvil.predicted_cycles = 22100 : i64}
  mtia.launch "c_2" pes(64) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !local
    %t = mtia.dma %a, %l : !dram, !local
    mtia.wait %t
    %v = mtia.dma %b, %l : !dram, !local
    mtia.wait %v
    %u = mtia.dma %l, %y : !local, !dram
    mtia.wait %u
  } {anvil.predicted_cycles = 24100 : i64}
  memref.dealloc %b : !dram
  mtia.launch "d_3" pes(4) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !local
    %t = mtia.dma %x, %l : !dram, !local
    mtia.wait %t
    %u = mtia.dma %l, %a : !local, !dram
    mtia.wait %u
  } {anvil.predicted_cycles = 18100 : i64}
  memref.dealloc %a : !dram
  scf.for %i = %c0 to %c3 step %c1 {
    mtia.launch "e_4" pes(64) {
    ^bb0(%pe: index):
    }
  }
  return
}
}
