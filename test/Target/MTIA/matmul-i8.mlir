// The i8 precision policy: a MatMul with a bias compiled for mtia-v1 with
// --dpe-type=i8 runs a quantization job, then the DPE in i8 with i32 sums
// rescaled into f32; every element lies within the rounding bound of the
// quantization against NumPy's f32 product (quantize_check.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: anvil-compile %s --target=mtia-v1 --dpe-type=i8 --disable=roller,rammer --emit=llvm -o - | FileCheck %s
// RUN: anvil-compile %s --target=mtia-v1 --dpe-type=i8 -o %t/mm.so
// RUN: %python -c "import numpy as np; r = np.random.default_rng(0); a = r.standard_normal((70, 300), dtype=np.float32); b = r.standard_normal((300, 90), dtype=np.float32); a[3] = 0; a[5, 7] = 40; b[:, 11] *= 1e-3; np.save('%t/a.npy', a); np.save('%t/b.npy', b)"
// RUN: anvil-run %t/mm.so --input=%t/a.npy --input=%t/b.npy --output-dir=%t | FileCheck %s --check-prefix=SIM
// RUN: %python %S/quantize_check.py %t/a.npy %t/b.npy %t/output0.npy 0.5
// The same on mtia-2i, whose SRAM staging prefetches the i8 operands.
// RUN: anvil-compile %s --target=mtia-2i --dpe-type=i8 -o %t/mm2i.so
// RUN: anvil-run %t/mm2i.so --input=%t/a.npy --input=%t/b.npy --output-dir=%t/2i
// RUN: %python %S/quantize_check.py %t/a.npy %t/b.npy %t/2i/output0.npy 0.5
// A machine whose DPE has no i8 is refused.
// RUN: sed -e 's/{ "input": "i8", "accumulator": "i32" },//' %S/../../../targets/mtia-v1.json > %t/no-i8.json
// RUN: not anvil-compile %s --target=%t/no-i8.json --dpe-type=i8 2>&1 | FileCheck %s --check-prefix=NOI8

// The quantization job rounds half to even and converts to i8; under the
// first tiling policy (--disable=roller; Roller takes the whole reduction
// in one slice here) the product's DPE calls take i8 (type 0), 128-deep
// slices (32 bytes of K per row, four native tiles), the first overwriting
// the i32 sum and the rest adding to it; the sum is converted to f32 for
// the rescale.
// CHECK: define internal void @main_graph_quantize_0(
// CHECK: call float @llvm.roundeven.f32(
// CHECK-NEXT: fptosi float %{{.*}} to i8
// CHECK: define internal void @main_graph_matmul_1(
// CHECK: call i64 @anvil_mtia_dpe_matmul({{.*}}, i64 64, i64 128, i64 64, i32 0, i32 0)
// CHECK: call i64 @anvil_mtia_dpe_matmul({{.*}}, i64 64, i64 128, i64 64, i32 0, i32 1)
// CHECK: sitofp i32 %{{.*}} to float

// SIM: simulated on mtia-v1: {{[0-9]+}} cycles

// NOI8: error: --dpe-type=i8: the DPE of mtia-v1 takes f16 for f32 products

func.func @main_graph(%a: tensor<70x300xf32> {anvil.name = "a"},
                      %b: tensor<300x90xf32> {anvil.name = "b"})
    -> (tensor<70x90xf32> {anvil.name = "y"}) {
  %0 = nn.matmul %a, %b : tensor<70x300xf32>, tensor<300x90xf32> -> tensor<70x90xf32>
  %c = nn.constant dense<0.5> : tensor<70x90xf32>
  %1 = nn.add %0, %c : tensor<70x90xf32>, tensor<70x90xf32> -> tensor<70x90xf32>
  return %1 : tensor<70x90xf32>
}
