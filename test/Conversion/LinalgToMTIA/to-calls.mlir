// RUN: anvil-opt %s --anvil-mtia-to-calls | FileCheck %s
// Every mtia op becomes its call of anvil-c/MTIA.h; the PE program becomes
// a function of the PE index and the values it uses, and the launch a call
// that anvil-mtia-job-entries turns into anvil_mtia_job_run.

// A view made outside the launch is made again inside: its strided type
// is not passed.
// The program keeps its kernel's name and model nodes, which label its job.
// CHECK-LABEL: func.func private @main_graph_matmul_0(
// CHECK-SAME: %[[PE:[^:]*]]: index, %{{[^:]*}}: memref<25165824xi8>,
// CHECK-NOT: strided
// CHECK-SAME: attributes {anvil.kernel = "matmul_0", anvil.nodes = "Conv_3,Relu_4"} {
// CHECK: memref.subview %{{.*}}[0, 0] [32, 64] [1, 1]
// CHECK: arith.muli %[[PE]], %{{.*}} : index
// CHECK: memref.view
// CHECK: call @anvil_mtia_dma(
// The broadcast reads SRAM (level 1) along the row (axis 0).
// CHECK: call @anvil_mtia_dma_broadcast(%{{.*}}, %{{.*}}, %{{.*}}, %c1_i32{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c0_i32{{.*}})
// CHECK: call @anvil_mtia_wait(
// CHECK: call @anvil_mtia_dpe_matmul(
// CHECK: call @anvil_mtia_se_binary(
// Sigmoid is function 2.
// CHECK: call @anvil_mtia_se_lut(%{{.*}}, %{{.*}}, %c4096_i64{{.*}}, %c2_i32{{.*}})
// CHECK: call @anvil_mtia_se_convert(
// f32 is type 4; east is direction 2.
// CHECK: call @anvil_mtia_re_accumulate(%{{.*}}, %{{.*}}, %c4096_i64{{.*}}, %c4_i32{{.*}})
// CHECK: call @anvil_mtia_re_forward(%{{.*}}, %{{.*}}, %c4096_i64{{.*}}, %c4_i32{{.*}}, %c2_i32{{.*}})
// 16 i32 indices (4 bytes) into a table in DRAM (level 0).
// CHECK: call @anvil_mtia_dma_gather(%{{.*}}, %{{.*}}, %{{.*}}, %c0_i32{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c4_i32{{.*}}, %c16_i64)
// Vector-core work charges its bytes at their level: local memory is 2.
// CHECK: call @anvil_mtia_vector_work(%c4_i32{{.*}}, %{{.*}})
// CHECK: call @anvil_mtia_vector_traffic(%c2_i32{{.*}}, %{{.*}})
// CHECK: %[[PE64:.*]] = arith.index_cast %[[PE]] : index to i64
// CHECK: call @anvil_mtia_sem_signal(%[[PE64]], %c1_i32{{.*}}) : (i64, i32) -> ()
// CHECK: call @anvil_mtia_sem_wait(%c1_i32{{.*}}, %c2_i64{{.*}}) : (i32, i64) -> ()
// CHECK: call @anvil_mtia_barrier() : () -> ()
// The PE's identity is the program's PE argument.
// CHECK: %[[ID64:.*]] = arith.index_cast %[[PE]] : index to i64
// CHECK: call @anvil_mtia_sem_signal(%[[ID64]], %c2_i32{{.*}})
// CHECK: call @anvil_mtia_dma(
// CHECK: call @anvil_mtia_dma(
// SRAM buffers are views of the job's one SRAM at static offsets, the same
// for every PE (the second starts after the first's 400 bytes, aligned to
// 64); a prefetch moves DRAM (level 0) to SRAM (level 1).
// CHECK: %[[AT:.*]] = arith.constant 448 : index
// CHECK-NEXT: memref.view %[[SRAM:arg[0-9]+]][%[[AT]]][] : memref<268435456xi8> to memref<64x64xf32>
// CHECK: call @anvil_mtia_dma(%{{.*}}, %c1_i32{{.*}}, %{{.*}}, %{{.*}}, %c0_i32
// CHECK: call @anvil_mtia_dma(%{{.*}}, %c2_i32{{.*}}, %{{.*}}, %{{.*}}, %c1_i32
// CHECK: return

// The graph takes all PEs' local memories and the SRAM as its last
// arguments, without memory spaces, and launches the program with the values it captured
// (constants and views are made in the program instead; the view made
// here has no other user and is gone).
// CHECK-LABEL: func.func @main_graph(
// CHECK-SAME: %[[A:[^:]*]]: memref<64x128xf16>, %[[B:[^:]*]]: memref<128x64xf16>, %[[C:[^:]*]]: memref<64x64xf32>, %[[T:[^:]*]]: memref<1000x64xf32>, %[[LOCAL:[^:]*]]: memref<25165824xi8>, %[[SRAMARG:[^:]*]]: memref<268435456xi8>)
// CHECK-NEXT: %[[N:.*]] = arith.constant 64 : i64
// CHECK-NEXT: call @anvil_mtia_job__main_graph_matmul_0(%[[N]], %[[LOCAL]], %[[A]], %[[B]], %[[T]], %[[C]], %[[SRAMARG]])
// CHECK-NEXT: return
// CHECK-NOT: mtia.

module attributes {mtia.target = #mtia.target<name = "mtia-2i", num_pes = 64,
    local_bytes = 393216, sram_bytes = 268435456, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16, bf16], broadcast = true, gather = true, dram_prefetch = true>} {

func.func @main_graph(%a: memref<64x128xf16>, %b: memref<128x64xf16, #mtia.memory_space<sram>>,
                  %c: memref<64x64xf32>, %table: memref<1000x64xf32>) {
  %cv = memref.subview %c[0, 0] [32, 64] [1, 1] : memref<64x64xf32> to memref<32x64xf32, strided<[64, 1]>>
  mtia.launch "matmul_0" pes(64) {
  ^bb0(%pe: index):
    %la = memref.alloca() : memref<64x128xf16, #mtia.memory_space<local>>
    %lb = memref.alloca() : memref<128x64xf16, #mtia.memory_space<local>>
    %lc = memref.alloca() : memref<64x64xf32, #mtia.memory_space<local>>
    %lh = memref.alloca() : memref<64x64xf16, #mtia.memory_space<local>>
    %t0 = mtia.dma %a, %la : memref<64x128xf16>, memref<64x128xf16, #mtia.memory_space<local>>
    %t1 = mtia.dma_broadcast %b, %lb row : memref<128x64xf16, #mtia.memory_space<sram>>, memref<128x64xf16, #mtia.memory_space<local>>
    mtia.wait %t0, %t1
    %t2 = mtia.dpe_matmul %la, %lb, %lc {accumulate} : memref<64x128xf16, #mtia.memory_space<local>>, memref<128x64xf16, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    %t3 = mtia.se_binary max %lc, %lc, %lc : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    %t4 = mtia.se_lut sigmoid %lc, %lc : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    %t5 = mtia.se_convert %lc, %lh : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf16, #mtia.memory_space<local>>
    %t6 = mtia.re_accumulate %lc, %lc : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    %t7 = mtia.re_forward %lc, %lc east : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    %idx = memref.alloca() : memref<16xi32, #mtia.memory_space<local>>
    %rows = memref.alloca() : memref<16x64xf32, #mtia.memory_space<local>>
    %t8 = mtia.dma_gather %table[%idx], %rows : memref<1000x64xf32>, memref<16xi32, #mtia.memory_space<local>>, memref<16x64xf32, #mtia.memory_space<local>>
    mtia.wait %t2, %t3, %t4, %t5, %t6, %t7, %t8
    %sixteen = arith.constant 16 : index
    mtia.core_cost %sixteen, %sixteen, f32 at <local>
    mtia.sem_signal %pe, 1
    mtia.sem_wait 1, 2
    mtia.barrier
    %id = mtia.pe_id
    mtia.sem_signal %id, 2
    %t9 = mtia.dma %lc, %c : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32>
    mtia.wait %t9
    %lv = memref.alloca() : memref<32x64xf32, #mtia.memory_space<local>>
    %t10 = mtia.dma %cv, %lv : memref<32x64xf32, strided<[64, 1]>>, memref<32x64xf32, #mtia.memory_space<local>>
    mtia.wait %t10
    %s0 = memref.alloca() : memref<100xf32, #mtia.memory_space<sram>>
    %s1 = memref.alloca() : memref<64x64xf32, #mtia.memory_space<sram>>
    %t11 = mtia.dma %c, %s1 : memref<64x64xf32>, memref<64x64xf32, #mtia.memory_space<sram>>
    %t12 = mtia.dma %s1, %lc : memref<64x64xf32, #mtia.memory_space<sram>>, memref<64x64xf32, #mtia.memory_space<local>>
    mtia.wait %t11, %t12
  } loc(fused["Conv_3", "Relu_4"])
  return
}

}
