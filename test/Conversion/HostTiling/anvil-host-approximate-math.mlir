// RUN: anvil-opt %s --anvil-host-approximate-math | FileCheck %s
// f32 exp, expm1, tanh, log, log1p and erf become polynomials on the
// vector they are given (no call per element); sine, cosine and f64 keep
// their math ops, which the lowering hands to libm.

// CHECK-LABEL: func.func @approximated
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK-NOT: math.erf
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK: return
func.func @approximated(%x: vector<16xf32>, %s: f32) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, f32) {
  %a = math.exp %x : vector<16xf32>
  %b = math.expm1 %x : vector<16xf32>
  %c = math.tanh %x : vector<16xf32>
  %d = math.log %x : vector<16xf32>
  %e = math.erf %x : vector<16xf32>
  %f = math.log1p %s : f32
  return %a, %b, %c, %d, %e, %f : vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, f32
}

// CHECK-LABEL: func.func @kept
// CHECK: math.sin %{{.*}} : vector<16xf32>
// CHECK: math.cos %{{.*}} : vector<16xf32>
// CHECK: math.exp %{{.*}} : f64
func.func @kept(%x: vector<16xf32>, %y: f64) -> (vector<16xf32>, vector<16xf32>, f64) {
  %a = math.sin %x : vector<16xf32>
  %b = math.cos %x : vector<16xf32>
  %c = math.exp %y : f64
  return %a, %b, %c : vector<16xf32>, vector<16xf32>, f64
}
