// RUN: anvil-opt %s --split-input-file --anvil-host-tile-vectorize -verify-diagnostics | FileCheck %s
// Without options, the register block is the tiling policy's for the host
// description the module carries (what anvil-compile stores), so that IR
// replays on the machine it was compiled for: an SSE machine's 4 lanes and
// 16 registers give blocks of 4 rows x 8 columns, 8 reduction elements
// deep.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall ({{.*}}) = (0, 0) to (8, 48) step (4, 8)
// CHECK: vector.contract
// CHECK-SAME: vector<4x8xf32>, vector<8x8xf32> into vector<4x8xf32>
module attributes {anvil.machine_description = "{\22name\22: \22sse\22, \22kind\22: \22cpu\22, \22cores\22: 2, \22vector\22: {\22f32_lanes\22: 4, \22registers\22: 16}, \22caches\22: [], \22dram_bytes\22: 1073741824}"} {
func.func @matmul(%a: tensor<8x32xf32>, %b: tensor<32x48xf32>, %c: tensor<8x48xf32>) -> tensor<8x48xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<8x32xf32>, tensor<32x48xf32>) outs(%c : tensor<8x48xf32>) -> tensor<8x48xf32>
  return %0 : tensor<8x48xf32>
}
}

// -----

// A description the module carries but that is not valid is an error.
module attributes {anvil.machine_description = "{\22name\22: \22bad\22, \22kind\22: \22cpu\22, \22cores\22: 0, \22vector\22: {\22f32_lanes\22: 4, \22registers\22: 16}, \22caches\22: [], \22dram_bytes\22: 1}"} {
// expected-error @below {{invalid host description}}
func.func @broken(%a: tensor<8x32xf32>, %b: tensor<32x48xf32>, %c: tensor<8x48xf32>) -> tensor<8x48xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<8x32xf32>, tensor<32x48xf32>) outs(%c : tensor<8x48xf32>) -> tensor<8x48xf32>
  return %0 : tensor<8x48xf32>
}
}
