// RUN: anvil-opt %s --anvil-mtia-cap-pes="scheduler=rammer tiling=roller" | FileCheck %s --check-prefix=CAPS
// RUN: anvil-opt %s --anvil-mtia-cap-pes="scheduler=rammer tiling=roller" --anvil-mtia-form-kernels="tiling=roller" | FileCheck %s --check-prefix=FORMED
// RUN: anvil-opt %s --anvil-mtia-cap-pes="scheduler=rammer-serial tiling=roller" | FileCheck %s --check-prefix=NOCAPS
// Two small elementwise ops of one wavefront level, each of whose grids
// would take all 64 PEs (512 iterations): apart they run one after the
// other; the cost model predicts them shorter side by side on 32 PEs each,
// so Rammer caps them, and the kernels formed take 32 PEs. Their consumer,
// alone in its level, keeps the whole machine.
// CAPS-LABEL: func.func @level
// CAPS: linalg.generic {{.*}}anvil.schedule.pe_cap = 32
// CAPS: linalg.generic {{.*}}anvil.schedule.pe_cap = 32
// CAPS: linalg.generic
// CAPS-NOT: pe_cap
// FORMED: mtia.launch "generic_0" pes(32)
// FORMED: anvil.schedule.pe_cap = 32
// FORMED: mtia.launch "generic_1" pes(32)
// FORMED: mtia.launch "generic_2" pes(64)
// NOCAPS-NOT: pe_cap
#map = affine_map<(d0, d1) -> (d0, d1)>
!t = memref<4x128xf32>
module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
func.func @level(%x: !t, %y: !t, %z: !t, %out: !t) {
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : !t) outs(%y : !t) {
  ^bb0(%a: f32, %b: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : !t) outs(%z : !t) {
  ^bb0(%a: f32, %b: f32):
    %t = math.tanh %a : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%y, %z : !t, !t) outs(%out : !t) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  return
}
}
