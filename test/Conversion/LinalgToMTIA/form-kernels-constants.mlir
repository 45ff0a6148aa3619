// RUN: anvil-opt %s --anvil-mtia-fusion --anvil-mtia-form-kernels | FileCheck %s
// RUN: anvil-opt %s --anvil-mtia-fusion --anvil-mtia-form-kernels=dpe-type=i8 | FileCheck %s --check-prefix=I8
// A product's constant f32 operand (a layer's weights) is rounded to the
// DPE's type by the compiler, to nearest even as the SE would round it in
// every run: 0.1 becomes f16's 0.09997559, 65519 its largest finite value,
// 1e-8 zero. The kernel loads the f16 copy and converts only x. A global
// read by two products is rounded once; the f32 original goes where
// nothing else reads it.

// CHECK-NOT: memref.global "private" constant @w :
// CHECK: memref.global "private" constant @w_f16 : memref<64xf16> = dense<[9.997550e-02, 1.000000e+00, -2.500000e+00, 6.550400e+04, 0.000000e+00, 3.000000e+00,
// CHECK-NOT: memref.global "private" constant @w :
// CHECK-NOT: memref.global "private" constant @w_f16
// CHECK: memref.global "private" constant @v : memref<64xf32>
// CHECK: memref.global "private" constant @v_f16 : memref<64xf16>

// CHECK-LABEL: func.func @linear(
// CHECK: %[[W:.*]] = memref.get_global @w_f16 : memref<64xf16>
// CHECK: %[[WM:.*]] = memref.expand_shape %[[W]] {{\[\[}}0, 1]] output_shape [32, 2] : memref<64xf16> into memref<32x2xf16>
// CHECK: mtia.launch "matmul_0"
// CHECK-DAG: mtia.se_convert %{{.*}}, %{{.*}} : memref<{{.*}}xf32, {{.*}}>, memref<{{.*}}xf16, {{.*}}>
// CHECK-DAG: memref.subview %[[WM]]
// CHECK-NOT: mtia.se_convert %{{.*}}, %{{.*}} : memref<{{[0-9x]*}}x2xf32
// CHECK-LABEL: func.func @shared(
// CHECK: memref.get_global @w_f16 : memref<64xf16>
// The f32 original stays where a vector-core op reads it too.
// CHECK-LABEL: func.func @also_read(
// CHECK-DAG: memref.get_global @v_f16 : memref<64xf16>
// CHECK-DAG: memref.get_global @v : memref<64xf32>

// Under the i8 policy the operands are quantized at run time: nothing is
// rounded.
// I8-NOT: _f16
// I8: memref.global "private" constant @w : memref<64xf32>
// I8-NOT: _f16

module attributes {mtia.target = #mtia.target<name = "mtia-v1", num_pes = 64,
    local_bytes = 131072, sram_bytes = 134217728, tile_rows = 32, tile_row_bytes = 32,
    dpe_inputs = [i8, f16], broadcast = false, gather = false, dram_prefetch = false>} {
memref.global "private" constant @w : memref<64xf32> = dense<[0.1, 1.0, -2.5, 65519.0, 1.0e-8, 3.0, 0.2, 0.3,
  0.1, 1.0, -2.5, 1.0, 1.0, 3.0, 0.2, 0.3, 0.1, 1.0, -2.5, 1.0, 1.0, 3.0, 0.2, 0.3,
  0.1, 1.0, -2.5, 1.0, 1.0, 3.0, 0.2, 0.3, 0.1, 1.0, -2.5, 1.0, 1.0, 3.0, 0.2, 0.3,
  0.1, 1.0, -2.5, 1.0, 1.0, 3.0, 0.2, 0.3, 0.1, 1.0, -2.5, 1.0, 1.0, 3.0, 0.2, 0.3,
  0.1, 1.0, -2.5, 1.0, 1.0, 3.0, 0.2, 0.3]>
memref.global "private" constant @v : memref<64xf32> = dense<0.5>
func.func @linear(%x: memref<70x32xf32>, %y: memref<70x2xf32>) {
  %0 = memref.get_global @w : memref<64xf32>
  %w = memref.expand_shape %0 [[0, 1]] output_shape [32, 2] : memref<64xf32> into memref<32x2xf32>
  linalg.matmul ins(%x, %w : memref<70x32xf32>, memref<32x2xf32>) outs(%y : memref<70x2xf32>)
  return
}
func.func @shared(%x: memref<70x32xf32>, %y: memref<70x2xf32>) {
  %0 = memref.get_global @w : memref<64xf32>
  %w = memref.expand_shape %0 [[0, 1]] output_shape [32, 2] : memref<64xf32> into memref<32x2xf32>
  linalg.matmul ins(%x, %w : memref<70x32xf32>, memref<32x2xf32>) outs(%y : memref<70x2xf32>)
  return
}
func.func @also_read(%x: memref<70x32xf32>, %y: memref<70x2xf32>, %z: memref<32x2xf32>) {
  %0 = memref.get_global @v : memref<64xf32>
  %v = memref.expand_shape %0 [[0, 1]] output_shape [32, 2] : memref<64xf32> into memref<32x2xf32>
  linalg.matmul ins(%x, %v : memref<70x32xf32>, memref<32x2xf32>) outs(%y : memref<70x2xf32>)
  linalg.copy ins(%v : memref<32x2xf32>) outs(%z : memref<32x2xf32>)
  return
}
}
