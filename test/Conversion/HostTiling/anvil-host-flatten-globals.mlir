// RUN: anvil-opt %s --anvil-host-flatten-globals | FileCheck %s

// N-D constant globals become 1-D (the resource blob is shared, not
// copied); every use expands back to the original shape.
// CHECK: memref.global "private" constant @weight : memref<12xf32> = dense_resource<blob>{{$}}
// CHECK: memref.global "private" constant @small : memref<4xi64> = dense<[1, 2, 3, 4]>
// CHECK: memref.global "private" constant @vector : memref<3xf32>
// CHECK-LABEL: func.func @uses
// CHECK: %[[W:.*]] = memref.get_global @weight : memref<12xf32>
// CHECK: memref.expand_shape %[[W]] {{\[\[}}0, 1, 2]] output_shape [2, 3, 2] : memref<12xf32> into memref<2x3x2xf32>
// CHECK: %[[S:.*]] = memref.get_global @small : memref<4xi64>
// CHECK: memref.expand_shape %[[S]] {{\[\[}}0, 1]] output_shape [2, 2]
// CHECK: memref.get_global @vector : memref<3xf32>
// CHECK-NOT: memref.expand_shape
memref.global "private" constant @weight : memref<2x3x2xf32> = dense_resource<blob>
memref.global "private" constant @small : memref<2x2xi64> = dense<[[1, 2], [3, 4]]>
memref.global "private" constant @vector : memref<3xf32> = dense<1.0>
func.func @uses() -> (memref<2x3x2xf32>, memref<2x2xi64>, memref<3xf32>) {
  %0 = memref.get_global @weight : memref<2x3x2xf32>
  %1 = memref.get_global @small : memref<2x2xi64>
  %2 = memref.get_global @vector : memref<3xf32>
  return %0, %1, %2 : memref<2x3x2xf32>, memref<2x2xi64>, memref<3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x04000000000000000000803F0000004000004040000080400000A0400000C0400000E040000000410000104100002041000030410000"
    }
  }
#-}
