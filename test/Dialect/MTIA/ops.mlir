// RUN: anvil-opt %s | anvil-opt | FileCheck %s
// Every mtia op prints in the form it parses (round trip through text), on
// a target that has every feature (mtia-2i's figures).

module attributes {mtia.target = #mtia.target<name = "mtia-2i", num_pes = 64,
    local_bytes = 393216, sram_bytes = 268435456, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16, bf16], broadcast = true, gather = true, dram_prefetch = true>} {

// CHECK: mtia.target = #mtia.target<name = "mtia-2i", num_pes = 64, local_bytes = 393216, sram_bytes = 268435456, tile_rows = 32, tile_row_bytes = 32, dpe_inputs = [i8, f16, bf16], broadcast = true, gather = true, dram_prefetch = true>
// CHECK-LABEL: func.func @kernel
func.func @kernel(%a: memref<64x128xf16>, %b: memref<128x64xf16, #mtia.memory_space<sram>>,
                  %c: memref<64x64xf32>, %table: memref<1000x64xf32>) {
  // CHECK: mtia.launch "matmul_0" pes(64) {
  // CHECK-NEXT: ^bb0(%[[PE:.*]]: index):
  mtia.launch "matmul_0" pes(64) {
  ^bb0(%pe: index):
    %la = memref.alloca() : memref<64x128xf16, #mtia.memory_space<local>>
    %lb = memref.alloca() : memref<128x64xf16, #mtia.memory_space<local>>
    %lc = memref.alloca() : memref<64x64xf32, #mtia.memory_space<local>>
    %lh = memref.alloca() : memref<64x64xf16, #mtia.memory_space<local>>
    // CHECK: %[[T0:.*]] = mtia.dma %{{.*}}, %{{.*}} : memref<64x128xf16>, memref<64x128xf16, #mtia.memory_space<local>>
    %t0 = mtia.dma %a, %la : memref<64x128xf16>, memref<64x128xf16, #mtia.memory_space<local>>
    // CHECK: mtia.dma_broadcast %{{.*}}, %{{.*}} row :
    %t1 = mtia.dma_broadcast %b, %lb row : memref<128x64xf16, #mtia.memory_space<sram>>, memref<128x64xf16, #mtia.memory_space<local>>
    // CHECK: mtia.wait %[[T0]], %{{.*}}
    mtia.wait %t0, %t1
    // CHECK: mtia.dpe_matmul %{{.*}}, %{{.*}}, %{{.*}} {accumulate} :
    %t2 = mtia.dpe_matmul %la, %lb, %lc {accumulate} : memref<64x128xf16, #mtia.memory_space<local>>, memref<128x64xf16, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    // CHECK: mtia.se_binary max
    %t3 = mtia.se_binary max %lc, %lc, %lc : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    // CHECK: mtia.se_lut sigmoid
    %t4 = mtia.se_lut sigmoid %lc, %lc : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    // CHECK: mtia.se_convert
    %t5 = mtia.se_convert %lc, %lh : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf16, #mtia.memory_space<local>>
    // CHECK: mtia.re_accumulate
    %t6 = mtia.re_accumulate %lc, %lc : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    // CHECK: mtia.re_forward %{{.*}}, %{{.*}} east
    %t7 = mtia.re_forward %lc, %lc east : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32, #mtia.memory_space<local>>
    %idx = memref.alloca() : memref<16xi32, #mtia.memory_space<local>>
    %rows = memref.alloca() : memref<16x64xf32, #mtia.memory_space<local>>
    // CHECK: mtia.dma_gather %{{.*}}[%{{.*}}], %{{.*}} :
    %t8 = mtia.dma_gather %table[%idx], %rows : memref<1000x64xf32>, memref<16xi32, #mtia.memory_space<local>>, memref<16x64xf32, #mtia.memory_space<local>>
    mtia.wait %t2, %t3, %t4, %t5, %t6, %t7, %t8
    // CHECK: mtia.sem_signal %[[PE]], 1
    mtia.sem_signal %pe, 1
    // CHECK: mtia.sem_wait 1, 2
    mtia.sem_wait 1, 2
    // CHECK: mtia.barrier
    mtia.barrier
    %id = mtia.pe_id
    %t9 = mtia.dma %lc, %c : memref<64x64xf32, #mtia.memory_space<local>>, memref<64x64xf32>
    mtia.wait %t9
  }
  return
}

}
