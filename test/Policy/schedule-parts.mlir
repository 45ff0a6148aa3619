// RUN: anvil-opt %s --anvil-mtia-schedule=scheduler=rammer | FileCheck %s
// Dependences follow the part of a buffer a kernel uses: the view it
// captures where that view's offset, sizes and strides are static, else
// the whole buffer. a_0 writes the lower half of %buf; b_1 reads it and
// writes the upper half; c_2 reads the lower half only, so it runs beside
// b_1 (a whole-buffer rule would put it after b_1's write); d_3 writes
// the middle, which overlaps what all three use; e_4 writes through a view
// it makes itself at a PE-dependent offset: the whole buffer.
// CHECK: mtia.launch "a_0" pes(4)
// CHECK: anvil.schedule.pes = array<i64: 0, 4>, {{.*}} anvil.schedule.wave = 0 : i64}
// CHECK: mtia.launch "b_1" pes(4)
// CHECK: anvil.schedule.pes = array<i64: 0, 4>, {{.*}} anvil.schedule.wave = 1 : i64}
// CHECK: mtia.launch "c_2" pes(4)
// CHECK: anvil.schedule.pes = array<i64: 4, 4>, {{.*}} anvil.schedule.wave = 1 : i64}
// CHECK: mtia.launch "d_3" pes(4)
// CHECK: anvil.schedule.wave = 2 : i64}
// CHECK: mtia.launch "e_4" pes(4)
// CHECK: anvil.schedule.wave = 3 : i64}

!dram = memref<64xf32>
!part = memref<32xf32, #mtia.memory_space<local>>
!lo = memref<32xf32, strided<[1]>>
!hi = memref<32xf32, strided<[1], offset: 32>>
!mid = memref<32xf32, strided<[1], offset: 16>>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @graph(%x: memref<32xf32>, %y: memref<32xf32>) {
  %buf = memref.alloc() : !dram
  %lo = memref.subview %buf[0] [32] [1] : !dram to !lo
  %hi = memref.subview %buf[32] [32] [1] : !dram to !hi
  %mid = memref.subview %buf[16] [32] [1] : !dram to !mid
  mtia.launch "a_0" pes(4) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !part
    %t = mtia.dma %x, %l : memref<32xf32>, !part
    mtia.wait %t
    %u = mtia.dma %l, %lo : !part, !lo
    mtia.wait %u
  } {anvil.predicted_cycles = 20100 : i64}
  mtia.launch "b_1" pes(4) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !part
    %t = mtia.dma %lo, %l : !lo, !part
    mtia.wait %t
    %u = mtia.dma %l, %hi : !part, !hi
    mtia.wait %u
  } {anvil.predicted_cycles = 20100 : i64}
  mtia.launch "c_2" pes(4) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !part
    %t = mtia.dma %lo, %l : !lo, !part
    mtia.wait %t
    %u = mtia.dma %l, %y : !part, memref<32xf32>
    mtia.wait %u
  } {anvil.predicted_cycles = 20100 : i64}
  mtia.launch "d_3" pes(4) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !part
    %t = mtia.dma %x, %l : memref<32xf32>, !part
    mtia.wait %t
    %u = mtia.dma %l, %mid : !part, !mid
    mtia.wait %u
  } {anvil.predicted_cycles = 20100 : i64}
  mtia.launch "e_4" pes(4) {
  ^bb0(%pe: index):
    %l = memref.alloca() : !part
    %t = mtia.dma %x, %l : memref<32xf32>, !part
    mtia.wait %t
    %v = memref.subview %buf[%pe] [32] [1] : !dram to memref<32xf32, strided<[1], offset: ?>>
    %u = mtia.dma %l, %v : !part, memref<32xf32, strided<[1], offset: ?>>
    mtia.wait %u
  } {anvil.predicted_cycles = 20100 : i64}
  memref.dealloc %buf : !dram
  return
}
}
