// RUN: anvil-opt %s -split-input-file -verify-diagnostics
// Every message of the nn verifiers (shape inference) has a case here.

// Binary operand shapes must broadcast.
func.func @case0(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{operand shapes 'tensor<2x3xf32>' and 'tensor<4xf32>' do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.add %a, %b : tensor<2x3xf32>, tensor<4xf32> -> tensor<2x3xf32>
  return
}

// -----

// Logical ops take i1.
func.func @case1(%a: tensor<2xf32>) {
  // expected-error @+2 {{expects i1 operands, got 'tensor<2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.and %a, %a : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  return
}

// -----

// Comparisons need one element type.
func.func @case2(%a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+2 {{operand element types differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.less %a, %b : tensor<2xf32>, tensor<2xi32> -> tensor<2xi1>
  return
}

// -----

// Where's branches need one element type.
func.func @case3(%c: tensor<2xi1>, %a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+2 {{x and y element types differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.where %c, %a, %b : tensor<2xi1>, tensor<2xf32>, tensor<2xi32> -> tensor<2xf32>
  return
}

// -----

// Where's operands must broadcast.
func.func @case4(%c: tensor<3xi1>, %a: tensor<2xf32>) {
  // expected-error @+2 {{operand shapes do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.where %c, %a, %a : tensor<3xi1>, tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  return
}

// -----

// Cast targets a scalar type.
func.func @case5(%a: tensor<2xf32>) {
  // expected-error @+2 {{cannot cast to 'index'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.cast %a {to = index} : tensor<2xf32> -> tensor<2xf32>
  return
}

// -----

// Matmul needs non-scalar operands.
func.func @case6(%a: tensor<f32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{matmul operands must not be scalars}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<f32>, tensor<2xf32> -> tensor<2xf32>
  return
}

// -----

// Matmul operands share an element type.
func.func @case7(%a: tensor<2x2xf32>, %b: tensor<2x2xf64>) {
  // expected-error @+2 {{operand element types differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<2x2xf32>, tensor<2x2xf64> -> tensor<2x2xf32>
  return
}

// -----

// Matmul contraction sizes agree.
func.func @case8(%a: tensor<2x3xf32>, %b: tensor<4x2xf32>) {
  // expected-error @+2 {{contraction sizes differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<2x3xf32>, tensor<4x2xf32> -> tensor<2x2xf32>
  return
}

// -----

// Matmul batch dimensions broadcast.
func.func @case9(%a: tensor<2x2x3xf32>, %b: tensor<3x3x2xf32>) {
  // expected-error @+2 {{batch dimensions do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<2x2x3xf32>, tensor<3x3x2xf32> -> tensor<2x2x2xf32>
  return
}

// -----

// Gemm takes matrices.
func.func @case10(%a: tensor<2xf32>, %b: tensor<2x2xf32>) {
  // expected-error @+2 {{gemm operands must be matrices}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b : tensor<2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  return
}

// -----

// Gemm contraction sizes agree.
func.func @case11(%a: tensor<2x3xf32>, %b: tensor<2x2xf32>) {
  // expected-error @+2 {{contraction sizes differ: 3 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b : tensor<2x3xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  return
}

// -----

// Gemm's c broadcasts to the result.
func.func @case12(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>, %c: tensor<3xf32>) {
  // expected-error @+2 {{c does not broadcast to [2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gemm %a, %b, %c : tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32> -> tensor<2x2xf32>
  return
}

// -----

// Conv input and weight ranks agree.
func.func @case13(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+2 {{expects input and weight of equal rank >= 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

// Conv attributes have one entry per spatial dimension.
func.func @case14(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{expects 2 strides and dilations and 4 pads, got 1, 2 and 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

// Conv strides are positive.
func.func @case15(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{strides and dilations must be positive}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w {strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

// Conv pads are non-negative.
func.func @case16(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{pads must be non-negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: -1, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

// Conv channels fit the groups.
func.func @case17(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{channels 3 and filters 4 do not fit 2 group(s)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

// Conv bias has one entry per filter.
func.func @case18(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{bias must have shape [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

// Conv kernel fits the padded input.
func.func @case19(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{kernel does not fit spatial dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x1x6xf32>
  return
}

// -----

// Pool kernel rank matches the input.
func.func @case20(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{kernel_shape has 1 dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

// Pool window fits the padded input.
func.func @case21(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{window does not fit spatial dimension 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.average_pool %x {kernel_shape = array<i64: 2, 9>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

// Batch norm input has channels.
func.func @case22(%x: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+2 {{batch_norm input needs rank >= 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-5 : f64} : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  return
}

// -----

// Batch norm statistics are per channel.
func.func @case23(%x: tensor<1x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+2 {{statistics must have shape [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.batch_norm %x, %s, %s, %s, %s {epsilon = 1.0e-5 : f64} : tensor<1x3x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x3x4xf32>
  return
}

// -----

// Reduce axes are sorted, unique and in range.
func.func @case24(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{axes must be sorted, unique and in [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reduce sum %x {axes = array<i64: 1, 0>, keepdims = true} : tensor<2x3xf32> -> tensor<1x1xf32>
  return
}

// -----

// Reshape targets are static.
func.func @case25(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reshape target must be static}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x {shape = array<i64: -1>} : tensor<2x3xf32> -> tensor<6xf32>
  return
}

// -----

// Reshape keeps the element count.
func.func @case26(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{cannot reshape 'tensor<2x3xf32>' to 1-D shape with 7 elements}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.reshape %x {shape = array<i64: 7>} : tensor<2x3xf32> -> tensor<7xf32>
  return
}

// -----

// Transpose takes a permutation.
func.func @case27(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{perm is not a permutation of 2 dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.transpose %x {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

// Concat needs inputs.
func.func @case28() {
  // expected-error @+2 {{concat needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "nn.concat"() {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

// Concat axis is in range.
func.func @case29(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{axis 2 out of range}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %x, %x {axis = 2} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

// Concat inputs share rank and element type.
func.func @case30(%x: tensor<2x3xf32>, %y: tensor<3xf32>) {
  // expected-error @+2 {{inputs differ in rank or element type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %x, %y {axis = 0} : tensor<2x3xf32>, tensor<3xf32> -> tensor<4x3xf32>
  return
}

// -----

// Concat inputs agree off the axis.
func.func @case31(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+2 {{inputs differ in dimension 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.concat %x, %y {axis = 0} : tensor<2x3xf32>, tensor<2x4xf32> -> tensor<4x3xf32>
  return
}

// -----

// Slice has an entry per dimension.
func.func @case32(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{starts, sizes and steps need 2 entries}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %x {starts = array<i64: 0>, sizes = array<i64: 1>, steps = array<i64: 1>} : tensor<2x3xf32> -> tensor<1xf32>
  return
}

// -----

// Slice steps are non-zero.
func.func @case33(%x: tensor<2xf32>) {
  // expected-error @+2 {{dimension 0: zero step or negative size}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %x {starts = array<i64: 0>, sizes = array<i64: 1>, steps = array<i64: 0>} : tensor<2xf32> -> tensor<1xf32>
  return
}

// -----

// Slices stay inside the input.
func.func @case34(%x: tensor<2xf32>) {
  // expected-error @+2 {{dimension 0: slice leaves [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.slice %x {starts = array<i64: 1>, sizes = array<i64: 2>, steps = array<i64: 1>} : tensor<2xf32> -> tensor<2xf32>
  return
}

// -----

// Gather axis is in range.
func.func @case35(%x: tensor<2xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{axis 1 out of range}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.gather %x, %i {axis = 1} : tensor<2xf32>, tensor<2xi64> -> tensor<2xf32>
  return
}

// -----

// Pad has two entries per dimension.
func.func @case36(%x: tensor<2xf32>) {
  // expected-error @+2 {{expects 2 pads}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad constant %x {pads = array<i64: 1>, value = 0.0 : f64} : tensor<2xf32> -> tensor<3xf32>
  return
}

// -----

// Pads are non-negative.
func.func @case37(%x: tensor<2xf32>) {
  // expected-error @+2 {{pads must be non-negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.pad edge %x {pads = array<i64: -1, 0>, value = 0.0 : f64} : tensor<2xf32> -> tensor<1xf32>
  return
}

// -----

// Expand broadcasts the input.
func.func @case38(%x: tensor<3xf32>) {
  // expected-error @+2 {{'tensor<3xf32>' does not broadcast to the shape}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.expand %x {shape = array<i64: 2>} : tensor<3xf32> -> tensor<2xf32>
  return
}

// -----

// Tile has one non-negative repeat per dimension.
func.func @case39(%x: tensor<3xf32>) {
  // expected-error @+2 {{expects 1 non-negative repeats}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.tile %x {repeats = array<i64: 2, 2>} : tensor<3xf32> -> tensor<6xf32>
  return
}

// -----

// Arg-max axis is in range.
func.func @case40(%x: tensor<3xf32>) {
  // expected-error @+2 {{axes must be sorted, unique and in [0, 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.arg_max %x {axis = 1, keepdims = true, select_last_index = false, min = false} : tensor<3xf32> -> tensor<1xi64>
  return
}

// -----

// Softmax axis is in range.
func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 out of range}}
  %0 = nn.softmax %x {axis = 2} : tensor<2x3xf32>
  return
}

// -----

// Unary results have the operand's type.
func.func @unary_type(%x: tensor<2xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "nn.relu"(%x) : (tensor<2xf32>) -> tensor<3xf32>
  return
}

// -----

// A declared result type must be the inferred one.
func.func @declared_type(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'nn.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = nn.add %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<3x3xf32>
  return
}

// -----

// nn.if takes a one-element condition.
func.func @if_condition(%c: tensor<2xi1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{condition must hold exactly one element}}
  %r = nn.if %c : tensor<2xi1> -> tensor<3xf32> {
    nn.yield %x : tensor<3xf32>
  } else {
    nn.yield %x : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}

// -----

// Each region yields the result types.
func.func @if_yield(%c: tensor<i1>, %x: tensor<3xf32>, %y: tensor<4xf32>) -> tensor<3xf32> {
  %r = nn.if %c : tensor<i1> -> tensor<3xf32> {
    nn.yield %x : tensor<3xf32>
  } else {
    // expected-error @+1 {{yields 'tensor<4xf32>' but nn.if returns 'tensor<3xf32>'}}
    nn.yield %y : tensor<4xf32>
  }
  return %r : tensor<3xf32>
}

// -----

func.func @scatter_nd_updates(%x: tensor<2x3xf32>, %r: tensor<2x1xi64>, %u: tensor<2x2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{updates must have shape indices[:-1] + data[k:]}}
  %n = nn.scatter_nd %x, %r, %u {reduction = #nn<scatter_reduction none>} : tensor<2x3xf32>, tensor<2x1xi64>, tensor<2x2xf32>
  return %n : tensor<2x3xf32>
}

// -----

func.func @scatter_elements_rank(%x: tensor<2x3xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{indices and updates need one shape of data's rank}}
  %n = nn.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = #nn<scatter_reduction none>} : tensor<2x3xf32>, tensor<2xi64>, tensor<2xf32>
  return %n : tensor<2x3xf32>
}

// -----

// nn.loop's body yields the condition, then the carried values' types.
func.func @loop_carried_type(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %r = nn.loop %n, %c : tensor<i64>, tensor<i1> carry(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<2xf32>):
    %grown = nn.concat %acc, %acc {axis = 0 : i64} : tensor<2xf32>, tensor<2xf32> -> tensor<4xf32>
    // expected-error @+1 {{must yield the condition, the carried values and one value per scan result}}
    nn.yield %cond, %grown : tensor<i1>, tensor<4xf32>
  }
  return %r : tensor<2xf32>
}

// -----

// A scan result stacks the yielded value along a new first dimension.
func.func @loop_scan_shape(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{scan result 'tensor<3x4xf32>' does not stack 'tensor<2xf32>' in 3 rows}}
  %r:2 = nn.loop %n, %c : tensor<i64>, tensor<i1> carry(%x : tensor<2xf32>) -> tensor<2xf32>, tensor<3x4xf32> {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %acc: tensor<2xf32>):
    nn.yield %cond, %acc, %acc : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }
  return %r#1 : tensor<3x4xf32>
}

// -----

// The body's arguments are the iteration number, the condition and the
// carried values.
func.func @loop_arguments(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{body arguments must be the iteration number, the condition and the carried values' types}}
  %r = nn.loop %n, %c : tensor<i64>, tensor<i1> carry(%x : tensor<2xf32>) -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %acc: tensor<2xf32>):
    nn.yield %c, %acc : tensor<i1>, tensor<2xf32>
  }
  return %r : tensor<2xf32>
}
