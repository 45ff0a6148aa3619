// RUN: anvil-opt %s --anvil-parts-in-place | FileCheck %s
// A buffer copied whole into a part of a concatenation is written there
// instead: the ops that wrote it write a view of the part, and the copy
// goes. An elementwise op that made it from a buffer nothing reads after
// runs in place on the part, and that buffer's writers (a product and its
// init) write the part too, through one view. The concatenation's buffer
// moves up, before the first buffer it now replaces.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @concat
// CHECK: %[[WHOLE:.*]] = memref.alloc() : memref<8x4xf32>
// CHECK-NEXT: %[[P0:.*]] = memref.subview %[[WHOLE]][0, 0] [4, 4]
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[BIAS:.*]] : memref<4xf32>) outs(%[[P0]] :
// CHECK: linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[P0]] :
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[P0]] : {{.*}}) outs(%[[P0]] :
// CHECK: %[[P1:.*]] = memref.subview %[[WHOLE]][4, 0] [4, 4]
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f32) outs(%[[P1]] :
// CHECK-NEXT: linalg.matmul ins(%arg1, %arg0 : {{.*}}) outs(%[[P1]] :
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.subview
// CHECK: linalg.generic {{.*}} ins(%[[WHOLE]] :
func.func @concat(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %bias: memref<4xf32>, %out: memref<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %sums = memref.alloc() : memref<4x4xf32>
  linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]} ins(%bias : memref<4xf32>) outs(%sums : memref<4x4xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.matmul ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%sums : memref<4x4xf32>)
  %relu = memref.alloc() : memref<4x4xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%sums : memref<4x4xf32>) outs(%relu : memref<4x4xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  %second = memref.alloc() : memref<4x4xf32>
  linalg.fill ins(%zero : f32) outs(%second : memref<4x4xf32>)
  linalg.matmul ins(%b, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%second : memref<4x4xf32>)
  %whole = memref.alloc() : memref<8x4xf32>
  %p0 = memref.subview %whole[0, 0] [4, 4] [1, 1] : memref<8x4xf32> to memref<4x4xf32, strided<[4, 1]>>
  memref.copy %relu, %p0 : memref<4x4xf32> to memref<4x4xf32, strided<[4, 1]>>
  %p1 = memref.subview %whole[4, 0] [4, 4] [1, 1] : memref<8x4xf32> to memref<4x4xf32, strided<[4, 1], offset: 16>>
  memref.copy %second, %p1 : memref<4x4xf32> to memref<4x4xf32, strided<[4, 1], offset: 16>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%whole : memref<8x4xf32>) outs(%out : memref<8x4xf32>) {
  ^bb0(%in: f32, %o: f32):
    %r = arith.negf %in : f32
    linalg.yield %r : f32
  }
  memref.dealloc %sums : memref<4x4xf32>
  memref.dealloc %relu : memref<4x4xf32>
  memref.dealloc %second : memref<4x4xf32>
  memref.dealloc %whole : memref<8x4xf32>
  return
}

// Kept: the part is read while the buffer is being made (the copy would
// overwrite it only after that read), and a buffer still read after its
// copy.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-2: memref.copy
func.func @kept(%a: memref<4x4xf32>, %out: memref<4x4xf32>) {
  %whole = memref.alloc() : memref<8x4xf32>
  %p0 = memref.subview %whole[0, 0] [4, 4] [1, 1] : memref<8x4xf32> to memref<4x4xf32, strided<[4, 1]>>
  linalg.copy ins(%a : memref<4x4xf32>) outs(%p0 : memref<4x4xf32, strided<[4, 1]>>)
  %part = memref.alloc() : memref<4x4xf32>
  linalg.copy ins(%p0 : memref<4x4xf32, strided<[4, 1]>>) outs(%part : memref<4x4xf32>)
  linalg.copy ins(%a : memref<4x4xf32>) outs(%part : memref<4x4xf32>)
  memref.copy %part, %p0 : memref<4x4xf32> to memref<4x4xf32, strided<[4, 1]>>
  %late = memref.alloc() : memref<4x4xf32>
  linalg.copy ins(%a : memref<4x4xf32>) outs(%late : memref<4x4xf32>)
  %p1 = memref.subview %whole[4, 0] [4, 4] [1, 1] : memref<8x4xf32> to memref<4x4xf32, strided<[4, 1], offset: 16>>
  memref.copy %late, %p1 : memref<4x4xf32> to memref<4x4xf32, strided<[4, 1], offset: 16>>
  linalg.copy ins(%late : memref<4x4xf32>) outs(%out : memref<4x4xf32>)
  memref.dealloc %part : memref<4x4xf32>
  memref.dealloc %late : memref<4x4xf32>
  memref.dealloc %whole : memref<8x4xf32>
  return
}
