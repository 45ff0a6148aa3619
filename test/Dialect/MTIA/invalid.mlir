// RUN: anvil-opt %s -split-input-file -verify-diagnostics
// Every message of the mtia verifiers has a case here. The target is
// mtia-v1's: 128 KiB of local memory, no bf16, no broadcast or gather DMA.

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @over_capacity() {
  // A kernel whose local buffers exceed the PE's local memory is rejected,
  // naming the kernel and the bytes: 128 KiB, and 4 bytes that take a
  // whole 64-byte line (buffers are placed on 64-byte boundaries).
  // expected-error @+1 {{kernel 'big_1' needs 131136 bytes of local memory per PE; mtia-v1 has 131072}}
  mtia.launch "big_1" pes(64) {
  ^bb0(%pe: index):
    %a = memref.alloca() : memref<256x128xf32, #mtia.memory_space<local>>
    %b = memref.alloca() : memref<1xf32, #mtia.memory_space<local>>
  }
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @too_many_pes() {
  // expected-error @+1 {{kernel 'k' runs on 65 PEs; mtia-v1 has 64}}
  mtia.launch "k" pes(65) {
  ^bb0(%pe: index):
  }
  return
}
}

// -----

func.func @no_target() {
  // Without the module's target nothing can be checked.
  // expected-error @+1 {{needs the module's 'mtia.target' attribute}}
  mtia.launch "k" pes(1) {
  ^bb0(%pe: index):
  }
  return
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dma_levels(%a: memref<32x32xf32>, %b: memref<32x32xf32, #mtia.memory_space<sram>>) {
  // DMA moves between local memory and SRAM/DRAM; DRAM to SRAM only on a
  // machine that prefetches (mtia-2i), and never SRAM to DRAM.
  // expected-error @+1 {{target 'mtia-v1' has no DRAM-to-SRAM prefetch (dma.dram_prefetch in its machine description): stage through local memory}}
  %t = mtia.dma %a, %b : memref<32x32xf32>, memref<32x32xf32, #mtia.memory_space<sram>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-2i", num_pes = 64,
    local_bytes = 393216, sram_bytes = 268435456, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16, bf16], broadcast = true, gather = true, dram_prefetch = true>} {
func.func @dma_sram_to_dram(%a: memref<32x32xf32>, %b: memref<32x32xf32, #mtia.memory_space<sram>>) {
  %t = mtia.dma %a, %b : memref<32x32xf32>, memref<32x32xf32, #mtia.memory_space<sram>>
  // expected-error @+1 {{one end must be the PE's local memory and the other SRAM or DRAM, or DRAM to SRAM on a machine with prefetch; got sram to dram}}
  %u = mtia.dma %b, %a : memref<32x32xf32, #mtia.memory_space<sram>>, memref<32x32xf32>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @sram_over_capacity() {
  // A job's SRAM buffers together must fit the SRAM: 128 MiB and one more
  // 64-byte line.
  // expected-error @+1 {{kernel 'big_sram_1' needs 134217792 bytes of SRAM; mtia-v1 has 134217728}}
  mtia.launch "big_sram_1" pes(64) {
  ^bb0(%pe: index):
    %a = memref.alloca() : memref<8192x4096xf32, #mtia.memory_space<sram>>
    %b = memref.alloca() : memref<1xf32, #mtia.memory_space<sram>>
  }
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @sram_dynamic(%n: index) {
  mtia.launch "shared_1" pes(64) {
  ^bb0(%pe: index):
    // expected-error @+1 {{SRAM buffers of kernel 'shared_1' must have static shapes}}
    %a = memref.alloca(%n) : memref<?xf32, #mtia.memory_space<sram>>
  }
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dma_column(%a: memref<32x32xf32, strided<[1, 32]>>, %b: memref<32x32xf32, #mtia.memory_space<local>>) {
  // A transposed view's rows are not consecutive elements.
  // expected-error @+1 {{operand 'src' ('memref<32x32xf32, strided<[1, 32]>>') must have an innermost stride of 1: the DMA moves rows of consecutive elements}}
  %t = mtia.dma %a, %b : memref<32x32xf32, strided<[1, 32]>>, memref<32x32xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dma_runtime_stride(%a: memref<32x32xf32, #mtia.memory_space<local>>, %b: memref<32x32xf32, strided<[?, ?], offset: ?>>) {
  // An innermost stride known only at run time may not be 1.
  // expected-error @+1 {{operand 'dst' ('memref<32x32xf32, strided<[?, ?], offset: ?>>') must have an innermost stride of 1}}
  %t = mtia.dma %a, %b : memref<32x32xf32, #mtia.memory_space<local>>, memref<32x32xf32, strided<[?, ?], offset: ?>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dma_shape(%a: memref<32x32xf32>, %b: memref<32x16xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{operands have different shapes}}
  %t = mtia.dma %a, %b : memref<32x32xf32>, memref<32x16xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dma_rank(%a: memref<2x2x2xf32>, %b: memref<2x2x2xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{moves 1-D or 2-D views, not rank 3}}
  %t = mtia.dma %a, %b : memref<2x2x2xf32>, memref<2x2x2xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @no_broadcast(%a: memref<32xf32>, %b: memref<32xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{target 'mtia-v1' has no broadcast DMA}}
  %t = mtia.dma_broadcast %a, %b row : memref<32xf32>, memref<32xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @no_gather(%t: memref<100x8xf32>, %i: memref<4xi32, #mtia.memory_space<local>>, %d: memref<4x8xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{target 'mtia-v1' has no indexed DMA}}
  %k = mtia.dma_gather %t[%i], %d : memref<100x8xf32>, memref<4xi32, #mtia.memory_space<local>>, memref<4x8xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-2i", num_pes = 64,
    local_bytes = 393216, sram_bytes = 268435456, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16, bf16], broadcast = true, gather = true, dram_prefetch = true>} {
func.func @gather_shape(%t: memref<100x8xf32>, %i: memref<4xi32, #mtia.memory_space<local>>, %d: memref<4x9xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{destination must be 4x8 (one table row per index)}}
  %k = mtia.dma_gather %t[%i], %d : memref<100x8xf32>, memref<4xi32, #mtia.memory_space<local>>, memref<4x9xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-2i", num_pes = 64,
    local_bytes = 393216, sram_bytes = 268435456, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16, bf16], broadcast = true, gather = true, dram_prefetch = true>} {
func.func @gather_indices(%t: memref<100x8xf32>, %i: memref<4xf32, #mtia.memory_space<local>>, %d: memref<4x8xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{indices must be i32 or i64, not 'f32'}}
  %k = mtia.dma_gather %t[%i], %d : memref<100x8xf32>, memref<4xf32, #mtia.memory_space<local>>, memref<4x8xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dpe_not_local(%a: memref<32x16xf16>, %b: memref<16x32xf16, #mtia.memory_space<local>>, %c: memref<32x32xf32, #mtia.memory_space<local>>) {
  // The DPE reads local memory only.
  // expected-error @+1 {{operand 'a' must be in local memory, not dram}}
  %t = mtia.dpe_matmul %a, %b, %c : memref<32x16xf16>, memref<16x32xf16, #mtia.memory_space<local>>, memref<32x32xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dpe_type(%a: memref<32x16xbf16, #mtia.memory_space<local>>, %b: memref<16x32xbf16, #mtia.memory_space<local>>, %c: memref<32x32xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{the DPE of mtia-v1 does not take 'bf16'}}
  %t = mtia.dpe_matmul %a, %b, %c : memref<32x16xbf16, #mtia.memory_space<local>>, memref<16x32xbf16, #mtia.memory_space<local>>, memref<32x32xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dpe_accumulator(%a: memref<32x32xi8, #mtia.memory_space<local>>, %b: memref<32x32xi8, #mtia.memory_space<local>>, %c: memref<32x32xf32, #mtia.memory_space<local>>) {
  // i8 products accumulate in i32.
  // expected-error @+1 {{operand 'c' has element type 'f32', expected 'i32'}}
  %t = mtia.dpe_matmul %a, %b, %c : memref<32x32xi8, #mtia.memory_space<local>>, memref<32x32xi8, #mtia.memory_space<local>>, memref<32x32xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dpe_rows(%a: memref<30x16xf16, #mtia.memory_space<local>>, %b: memref<16x32xf16, #mtia.memory_space<local>>, %c: memref<30x32xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{M = 30 is not a multiple of the DPE's native tile rows (32); pad the operand}}
  %t = mtia.dpe_matmul %a, %b, %c : memref<30x16xf16, #mtia.memory_space<local>>, memref<16x32xf16, #mtia.memory_space<local>>, memref<30x32xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dpe_depth(%a: memref<32x8xf16, #mtia.memory_space<local>>, %b: memref<8x32xf16, #mtia.memory_space<local>>, %c: memref<32x32xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{K = 8 (16 bytes) is not a multiple of the DPE's native tile row (32 bytes); pad the operand}}
  %t = mtia.dpe_matmul %a, %b, %c : memref<32x8xf16, #mtia.memory_space<local>>, memref<8x32xf16, #mtia.memory_space<local>>, memref<32x32xf32, #mtia.memory_space<local>>
  return
}
}

// -----

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @dpe_shapes(%a: memref<32x16xf16, #mtia.memory_space<local>>, %b: memref<32x32xf16, #mtia.memory_space<local>>, %c: memref<32x32xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{shapes do not multiply}}
  %t = mtia.dpe_matmul %a, %b, %c : memref<32x16xf16, #mtia.memory_space<local>>, memref<32x32xf16, #mtia.memory_space<local>>, memref<32x32xf32, #mtia.memory_space<local>>
  return
}
}

// -----

func.func @convert(%a: memref<8xf16, #mtia.memory_space<local>>, %b: memref<8xi8, #mtia.memory_space<local>>) {
  // The SE converts to and from f32 only.
  // expected-error @+1 {{the SE does not convert 'f16' to 'i8'}}
  %t = mtia.se_convert %a, %b : memref<8xf16, #mtia.memory_space<local>>, memref<8xi8, #mtia.memory_space<local>>
  return
}

// -----

func.func @binary(%a: memref<8xf16, #mtia.memory_space<local>>) {
  // expected-error @+1 {{operand 'lhs' has element type 'f16', expected 'f32'}}
  %t = mtia.se_binary add %a, %a, %a : memref<8xf16, #mtia.memory_space<local>>, memref<8xf16, #mtia.memory_space<local>>, memref<8xf16, #mtia.memory_space<local>>
  return
}

// -----

func.func @accumulate(%a: memref<8xf16, #mtia.memory_space<local>>) {
  // expected-error @+1 {{accumulates f32 or i32, not 'f16'}}
  %t = mtia.re_accumulate %a, %a : memref<8xf16, #mtia.memory_space<local>>, memref<8xf16, #mtia.memory_space<local>>
  return
}

// -----

func.func @lut_shared(%a: memref<8xf32>, %b: memref<8xf32, #mtia.memory_space<local>>) {
  // expected-error @+1 {{operand 'src' must be in local memory, not dram}}
  %t = mtia.se_lut exp %a, %b : memref<8xf32>, memref<8xf32, #mtia.memory_space<local>>
  return
}

// -----

// A target whose figures would overflow the compiler's products is refused
// where it is parsed.
// expected-error @+1 {{mtia.target num_pes must be between 1 and 1048576, got 4611686018427387904}}
module attributes {mtia.target = #mtia.target<name = "huge", num_pes = 4611686018427387904,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
}

// -----

// expected-error @+1 {{mtia.target local_bytes must be between 1 and 4294967296, got 0}}
module attributes {mtia.target = #mtia.target<name = "none", num_pes = 64,
    local_bytes = 0, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
}

// -----

// A local buffer whose size overflows 64 bits is over capacity, not a
// wrapped small size.
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @overflowing_buffer() {
  // expected-error @+1 {{kernel 'huge_1' needs 9223372036854775807 bytes of local memory per PE; mtia-v1 has 131072}}
  mtia.launch "huge_1" pes(64) {
  ^bb0(%pe: index):
    %a = memref.alloca() : memref<4611686018427387904x4xf32, #mtia.memory_space<local>>
  }
  return
}
}
