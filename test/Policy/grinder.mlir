// RUN: anvil-opt %s --anvil-mtia-place-control=placement=grinder | FileCheck %s --check-prefix=PLACE
// RUN: anvil-opt %s --anvil-mtia-place-control --anvil-mtia-predicate-branches | FileCheck %s --check-prefix=HOST
// RUN: anvil-opt %s --anvil-mtia-place-control=placement=grinder --anvil-mtia-predicate-branches --anvil-mtia-schedule=scheduler=rammer | FileCheck %s --check-prefix=DEVICE
// RUN: anvil-opt %s --anvil-mtia-place-control=placement=grinder --anvil-mtia-predicate-branches --anvil-mtia-schedule=scheduler=rammer --anvil-mtia-to-calls | FileCheck %s --check-prefix=JOB
// Grinder's placement and what the lowering makes of it. A branch whose
// predicate a kernel writes, a counted loop of one kernel, and a loop
// whose body reads a buffer on the host and a branch without an else that
// does (which stay on the host).
//
// PLACE: scf.if
// PLACE: } {anvil.control.place = "device"}
// PLACE: scf.for
// PLACE: } {anvil.control.place = "device"}
// PLACE: scf.for
// PLACE: memref.load
// PLACE: } {anvil.control.blocker = "its body runs 'memref.load' on the host", anvil.control.place = "host"}
// PLACE: } {anvil.control.blocker = "a branch runs 'memref.load' on the host", anvil.control.place = "host"}
//
// Host-driven placement leaves the branch to the host.
// HOST: scf.if
// HOST: } {anvil.control.place = "host"}
//
// On the device, the branch's kernels join the segment around it, each
// PE reading the predicate and running a kernel only where its branch is
// taken; the two buffers the branches yield are one. The scheduler joins
// the loop with the programs beside it.
// DEVICE-NOT: scf.if %{{.*}} -> (memref
// DEVICE: mtia.launch "then_1" pes(4)
// DEVICE: %[[P:.*]] = memref.load %[[FLAG:.*]][] : memref<i1>
// DEVICE: scf.if %[[P]] {
// DEVICE: mtia.launch "else_2" pes(8)
// DEVICE: %[[Q:.*]] = memref.load %[[FLAG]][] : memref<i1>
// DEVICE: %[[NOT:.*]] = arith.xori %[[Q]], %true
// DEVICE: scf.if %[[NOT]] {
// DEVICE: anvil.schedule.program = 0
// DEVICE: mtia.launch "after_3" pes(64)
// DEVICE: anvil.schedule.program = 0
// DEVICE: scf.for
// DEVICE: } {anvil.control.place = "device", anvil.schedule.joins = array<i64: 0, 1>}
//
// One job before the loop on the host: the branch's kernels, the loop
// with PE 0 writing the iteration number and a barrier closing each
// iteration, and the kernel after it.
// JOB: func.func private @graph_program0(
// JOB: scf.for
// JOB: scf.if
// JOB: memref.store
// JOB: call @anvil_mtia_barrier()
// JOB: call @anvil_mtia_barrier()
// JOB: func.func @graph(
// JOB: call @anvil_mtia_job__graph_program0(
// JOB-NOT: call @anvil_mtia_job__
// JOB: scf.for
// JOB: call @anvil_mtia_job__

!dram = memref<64xf32>
!local = memref<64xf32, #mtia.memory_space<local>>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @graph(%x: !dram, %y: !dram, %flags: memref<3xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %flag = memref.alloc() : memref<i1>
  mtia.launch "test_0" pes(1) {
  ^bb0(%pe: index):
    %v = memref.load %x[%c0] : !dram
    %zero = arith.constant 0.0 : f32
    %gt = arith.cmpf ogt, %v, %zero : f32
    memref.store %gt, %flag[] : memref<i1>
  } {anvil.predicted_cycles = 16500 : i64}
  %taken = memref.load %flag[] : memref<i1>
  %r = scf.if %taken -> (!dram) {
    %a = memref.alloc() : !dram
    mtia.launch "then_1" pes(4) {
    ^bb0(%pe: index):
      %l = memref.alloca() : !local
      %t = mtia.dma %x, %l : !dram, !local
      mtia.wait %t
      %u = mtia.dma %l, %a : !local, !dram
      mtia.wait %u
    } {anvil.predicted_cycles = 20100 : i64}
    scf.yield %a : !dram
  } else {
    %b = memref.alloc() : !dram
    mtia.launch "else_2" pes(8) {
    ^bb0(%pe: index):
      %l = memref.alloca() : !local
      %t = mtia.dma %x, %l : !dram, !local
      mtia.wait %t
      %u = mtia.dma %l, %b : !local, !dram
      mtia.wait %u
    } {anvil.predicted_cycles = 22100 : i64}
    scf.yield %b : !dram
  }
  mtia.launch "after_3" pes(64) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !local
    %t = mtia.dma %r, %l : !dram, !local
    mtia.wait %t
    %u = mtia.dma %l, %y : !local, !dram
    mtia.wait %u
  } {anvil.predicted_cycles = 20100 : i64}
  scf.for %i = %c0 to %c3 step %c1 {
    %n = memref.alloc() : memref<index>
    memref.store %i, %n[] : memref<index>
    mtia.launch "body_4" pes(64) {
    ^bb0(%pe: index):
      %k = memref.load %n[] : memref<index>
      %l = memref.alloca() : !local
      %t = mtia.dma %y, %l : !dram, !local
      mtia.wait %t
      %u = mtia.dma %l, %y : !local, !dram
      mtia.wait %u
    } {anvil.predicted_cycles = 20100 : i64}
    memref.dealloc %n : memref<index>
  }
  mtia.launch "last_5" pes(64) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !local
    %t = mtia.dma %y, %l : !dram, !local
    mtia.wait %t
  } {anvil.predicted_cycles = 20100 : i64}
  scf.for %i = %c0 to %c3 step %c1 {
    %f = memref.load %flags[%i] : memref<3xi1>
    mtia.launch "host_6" pes(64) {
    ^bb0(%pe: index):
      %l = memref.alloca() : !local
      %t = mtia.dma %y, %l : !dram, !local
      mtia.wait %t
    } {anvil.predicted_cycles = 20100 : i64}
  }
  %again = memref.load %flag[] : memref<i1>
  scf.if %again {
    %f = memref.load %flags[%c0] : memref<3xi1>
    mtia.launch "one_sided_7" pes(64) {
    ^bb0(%pe: index):
      %l = memref.alloca() : !local
      %t = mtia.dma %y, %l : !dram, !local
      mtia.wait %t
    } {anvil.predicted_cycles = 20100 : i64}
  }
  memref.dealloc %r : !dram
  memref.dealloc %flag : memref<i1>
  return
}
}
