//===- NNOps.td - nn dialect operations --------------------*- tablegen -*-===//
//
// Ops are grouped by family. A small base-class hierarchy sets traits and
// the assembly format once per family; most ops are then one line.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_DIALECT_NN_NNOPS_TD
#define ANVIL_DIALECT_NN_NNOPS_TD

include "anvil/Dialect/NN/IR/NNDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_Tensor : RankedTensorOf<[AnyFloat, AnySignlessInteger, AnyUnsignedInteger]>;
def NN_FloatTensor : RankedTensorOf<[AnyFloat]>;

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, !listconcat([Pure], traits)>;

/// Ops whose result type is computed in C++ (NNShapes.cpp).
class NN_ShapedOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic,
            !listconcat([DeclareOpInterfaceMethods<InferTypeOpInterface>],
                        traits)>;

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// One input, result of the same type. `params` lists the op's scalar
/// parameters (alpha, beta, ...), each an F64 attribute.
class NN_UnaryOp<string mnemonic, string formula, dag params = (ins)>
    : NN_Op<mnemonic, [SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = "elementwise " # mnemonic;
  let description = "Computes `" # formula # "` for every element.";
  let arguments = !con((ins NN_Tensor:$input), params);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_AbsOp : NN_UnaryOp<"abs", "|x|"> {
  // Shape arithmetic (Range's function body, Resize sizes) folds.
  let hasFolder = 1;
}
def NN_NegOp : NN_UnaryOp<"neg", "-x"> {
  // Shape arithmetic in exported graphs negates axes (LayerNormalization's
  // function body), so negation folds like the binary ops.
  let hasFolder = 1;
}
def NN_ExpOp : NN_UnaryOp<"exp", "e^x">;
def NN_LogOp : NN_UnaryOp<"log", "ln x">;
def NN_SqrtOp : NN_UnaryOp<"sqrt", "sqrt(x)">;
def NN_ReciprocalOp : NN_UnaryOp<"reciprocal", "1 / x">;
def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0)"> {
  // Shape arithmetic (Range's function body, Resize sizes) folds.
  let hasFolder = 1;
}
def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def NN_TanhOp : NN_UnaryOp<"tanh", "tanh x">;
def NN_ErfOp : NN_UnaryOp<"erf", "erf x">;
def NN_FloorOp : NN_UnaryOp<"floor", "floor x"> {
  // Shape arithmetic (Range's function body, Resize sizes) folds.
  let hasFolder = 1;
}
def NN_CeilOp : NN_UnaryOp<"ceil", "ceil x"> {
  // Shape arithmetic (Range's function body, Resize sizes) folds.
  let hasFolder = 1;
}
def NN_RoundOp : NN_UnaryOp<"round", "x rounded half to even">;
def NN_SignOp : NN_UnaryOp<"sign", "-1, 0 or 1 by the sign of x">;
def NN_SinOp : NN_UnaryOp<"sin", "sin x">;
def NN_CosOp : NN_UnaryOp<"cos", "cos x">;
def NN_TanOp : NN_UnaryOp<"tan", "tan x">;
def NN_AsinOp : NN_UnaryOp<"asin", "asin x">;
def NN_AcosOp : NN_UnaryOp<"acos", "acos x">;
def NN_AtanOp : NN_UnaryOp<"atan", "atan x">;
def NN_SinhOp : NN_UnaryOp<"sinh", "sinh x">;
def NN_CoshOp : NN_UnaryOp<"cosh", "cosh x">;
def NN_AsinhOp : NN_UnaryOp<"asinh", "asinh x">;
def NN_AcoshOp : NN_UnaryOp<"acosh", "acosh x">;
def NN_AtanhOp : NN_UnaryOp<"atanh", "atanh x">;
def NN_NotOp : NN_UnaryOp<"not", "logical not x (i1)">;
def NN_SoftsignOp : NN_UnaryOp<"softsign", "x / (1 + |x|)">;
def NN_SoftplusOp : NN_UnaryOp<"softplus", "ln(1 + e^x)">;
def NN_MishOp : NN_UnaryOp<"mish", "x * tanh(ln(1 + e^x))">;
def NN_HardSwishOp : NN_UnaryOp<"hard_swish", "x * max(0, min(1, x / 6 + 1 / 2))">;
def NN_GeluOp : NN_UnaryOp<"gelu", "x / 2 * (1 + erf(x / sqrt 2))">;
def NN_GeluTanhOp : NN_UnaryOp<"gelu_tanh",
    "x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))">;
def NN_LeakyReluOp : NN_UnaryOp<"leaky_relu", "x < 0 ? alpha * x : x",
    (ins F64Attr:$alpha)>;
def NN_EluOp : NN_UnaryOp<"elu", "x < 0 ? alpha * (e^x - 1) : x",
    (ins F64Attr:$alpha)>;
def NN_CeluOp : NN_UnaryOp<"celu", "max(0, x) + min(0, alpha * (e^(x / alpha) - 1))",
    (ins F64Attr:$alpha)>;
def NN_SeluOp : NN_UnaryOp<"selu", "gamma * (x <= 0 ? alpha * (e^x - 1) : x)",
    (ins F64Attr:$alpha, F64Attr:$gamma)>;
def NN_HardSigmoidOp : NN_UnaryOp<"hard_sigmoid", "max(0, min(1, alpha * x + beta))",
    (ins F64Attr:$alpha, F64Attr:$beta)>;
def NN_ThresholdedReluOp : NN_UnaryOp<"thresholded_relu", "x > alpha ? x : 0",
    (ins F64Attr:$alpha)>;
def NN_ClipOp : NN_UnaryOp<"clip", "min(max(x, min), max)",
    (ins OptionalAttr<F64Attr>:$min, OptionalAttr<F64Attr>:$max)>;

/// Two inputs with NumPy (multidirectional) broadcasting.
class NN_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : NN_ShapedOp<mnemonic, traits> {
  let summary = "elementwise " # mnemonic # " with broadcasting";
  let description = "Computes `" # formula # "` with NumPy broadcasting.";
  let arguments = (ins NN_Tensor:$lhs, NN_Tensor:$rhs);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)";
  bit isPredicate = 0;
  bit isLogical = 0;
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return foldBinary(getOperation(), adaptor.getLhs(), adaptor.getRhs());
    }
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> loc,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr,
        ::mlir::OpaqueProperties, ::mlir::RegionRange,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferBinaryResult(loc, operands, }] # !if(isPredicate, "true", "false")
      # ", " # !if(isLogical, "true", "false") # [{, inferred);
    }
  }];
}

class NN_PredicateOp<string mnemonic, string formula, list<Trait> traits = []>
    : NN_BinaryOp<mnemonic, formula, traits> {
  let isPredicate = 1;
}
class NN_LogicalOp<string mnemonic, string formula>
    : NN_BinaryOp<mnemonic, formula, [Commutative]> {
  let isLogical = 1;
}

def NN_AddOp : NN_BinaryOp<"add", "a + b", [Commutative]>;
def NN_SubOp : NN_BinaryOp<"sub", "a - b">;
def NN_MulOp : NN_BinaryOp<"mul", "a * b", [Commutative]>;
def NN_DivOp : NN_BinaryOp<"div", "a / b (integers truncate)">;
def NN_PowOp : NN_BinaryOp<"pow", "a ^ b">;
def NN_MaxOp : NN_BinaryOp<"max", "max(a, b)", [Commutative]>;
def NN_MinOp : NN_BinaryOp<"min", "min(a, b)", [Commutative]>;
def NN_ModOp : NN_BinaryOp<"mod", "a mod b, sign of b (integers)">;
def NN_FModOp : NN_BinaryOp<"fmod", "a mod b, sign of a (C fmod)">;
def NN_ShiftLeftOp : NN_BinaryOp<"shift_left",
    "a << b (integers; 0 once b reaches the bit width)">;
def NN_ShiftRightOp : NN_BinaryOp<"shift_right",
    "a >> b (integers, logical on unsigned ones; 0 once b reaches the bit width)">;
def NN_PReluOp : NN_BinaryOp<"prelu", "a < 0 ? b * a : a">;
def NN_AndOp : NN_LogicalOp<"and", "a and b (i1)">;
def NN_OrOp : NN_LogicalOp<"or", "a or b (i1)">;
def NN_XorOp : NN_LogicalOp<"xor", "a xor b (i1)">;
def NN_EqualOp : NN_PredicateOp<"equal", "a == b (result i1)", [Commutative]>;
def NN_LessOp : NN_PredicateOp<"less", "a < b (result i1)">;
def NN_LessEqualOp : NN_PredicateOp<"less_equal", "a <= b (result i1)">;
def NN_GreaterOp : NN_PredicateOp<"greater", "a > b (result i1)">;
def NN_GreaterEqualOp : NN_PredicateOp<"greater_equal", "a >= b (result i1)">;

def NN_WhereOp : NN_ShapedOp<"where"> {
  let summary = "elementwise select with broadcasting";
  let description = "`condition ? x : y`, the three broadcast together.";
  let arguments = (ins TensorOf<[I1]>:$condition, NN_Tensor:$x, NN_Tensor:$y);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $x `,` $y attr-dict `:` type($condition) `,` type($x) `,`
    type($y) `->` type($output)
  }];
}

def NN_CastOp : NN_ShapedOp<"cast"> {
  let hasFolder = 1;
  let summary = "elementwise conversion to another element type";
  let description = [{
    Converts every element to `to`. Float to integer truncates toward
    zero; integer to i1 is `x != 0`.
  }];
  let arguments = (ins NN_Tensor:$input, TypeAttr:$to);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

def NN_MatMulOp : NN_ShapedOp<"matmul"> {
  let summary = "NumPy matmul";
  let description = [{
    Matrix product with NumPy semantics: 1-D operands are promoted to
    matrices and the promoted dimension dropped from the result; leading
    (batch) dimensions broadcast.
  }];
  let arguments = (ins NN_Tensor:$lhs, NN_Tensor:$rhs);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)";
}

def NN_GemmOp : NN_ShapedOp<"gemm"> {
  let summary = "general matrix multiply: alpha * op(A) * op(B) + beta * C";
  let description = [{
    `op(X)` is X or its transpose by `trans_a`/`trans_b`. The optional `c`
    broadcasts to the result shape [M, N].
  }];
  let arguments = (ins NN_FloatTensor:$a, NN_FloatTensor:$b,
                   Optional<NN_FloatTensor>:$c,
                   DefaultValuedAttr<F64Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F64Attr, "1.0">:$beta,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` type($a) `,` type($b) (`,` type($c)^)?
    `->` type($output)
  }];
}

def NN_ConvOp : NN_ShapedOp<"conv"> {
  let summary = "N-D convolution in NC(spatial) layout";
  let description = [{
    Cross-correlation of `input` [N, C, spatial...] with `weight`
    [F, C / group, kernel...], plus an optional `bias` [F]. `pads` holds the
    begin pads of every spatial dimension, then the end pads.
  }];
  let arguments = (ins NN_Tensor:$input, NN_Tensor:$weight,
                   Optional<NN_Tensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,`
    type($weight) (`,` type($bias)^)? `->` type($output)
  }];
}

//===----------------------------------------------------------------------===//
// Pooling and normalization
//===----------------------------------------------------------------------===//

class NN_PoolOp<string mnemonic, string what, dag extra = (ins),
                Type tensor = NN_FloatTensor>
    : NN_ShapedOp<mnemonic> {
  let summary = what # " pooling in NC(spatial) layout";
  let description = [{
    Pools windows of `kernel_shape` over the spatial dimensions. `pads` holds
    the begin pads of every spatial dimension, then the end pads;
    `ceil_mode` rounds the output size up.
  }];
  let arguments = !con((ins tensor:$input,
                        DenseI64ArrayAttr:$kernel_shape,
                        DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                        DenseI64ArrayAttr:$dilations,
                        DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extra);
  let results = (outs tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferPool<$cppClass>(
          loc, Adaptor(operands, attributes, properties, regions), inferred);
    }
  }];
}

def NN_MaxPoolOp : NN_PoolOp<"max_pool", "maximum", (ins), NN_Tensor>;
def NN_AveragePoolOp : NN_PoolOp<"average_pool", "average",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)>;

def NN_BatchNormOp : NN_ShapedOp<"batch_norm"> {
  let summary = "batch normalization, inference form";
  let description = [{
    `scale * (x - mean) / sqrt(var + epsilon) + bias` with the per-channel
    statistics broadcast along dimension 1.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                   NN_FloatTensor:$bias, NN_FloatTensor:$mean,
                   NN_FloatTensor:$variance, F64Attr:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    type($input) `,` type($scale) `,` type($bias) `,` type($mean) `,`
    type($variance) `->` type($output)
  }];
}

class NN_SoftmaxLikeOp<string mnemonic, string formula>
    : NN_Op<mnemonic, [SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = mnemonic # " along one axis";
  let description = "Computes `" # formula # "` along `axis`.";
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}
def NN_SoftmaxOp : NN_SoftmaxLikeOp<"softmax", "e^x / sum(e^x)">;
def NN_LogSoftmaxOp : NN_SoftmaxLikeOp<"log_softmax", "x - ln(sum(e^x))">;

def NN_ReduceOp : NN_ShapedOp<"reduce"> {
  let summary = "reduction over a set of axes";
  let description = [{
    Combines the elements along `axes` (non-negative, sorted, unique) with
    `kind`. With `keepdims` the reduced dimensions stay as size 1.
  }];
  let arguments = (ins NN_Tensor:$input, NN_ReduceKindAttr:$kind,
                   DenseI64ArrayAttr:$axes, BoolAttr:$keepdims);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $kind $input attr-dict `:` type($input) `->` type($output)
  }];
}

def NN_ArgMaxOp : NN_ShapedOp<"arg_max"> {
  let summary = "index of the largest (or smallest) element along an axis";
  let description = [{
    i64 indices of the maximum along `axis` (of the minimum with `min`);
    ties go to the first index, or the last with `select_last_index`.
  }];
  let arguments = (ins NN_Tensor:$input, I64Attr:$axis, BoolAttr:$keepdims,
                   BoolAttr:$select_last_index, BoolAttr:$min);
  let results = (outs TensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant", [ConstantLike,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "a constant tensor";
  let description = [{
    Weights are dense resource attributes, so large blobs are never printed
    inline and never copied while compiling.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def NN_ReshapeOp : NN_ShapedOp<"reshape"> {
  let summary = "same elements in row-major order, new shape";
  let description = "`shape` is fully static and has the same element count.";
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

def NN_TransposeOp : NN_ShapedOp<"transpose"> {
  let hasCanonicalizer = 1;
  let summary = "permutes dimensions";
  let description = "Result dimension i is input dimension `perm[i]`.";
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def NN_ConcatOp : NN_ShapedOp<"concat"> {
  let hasFolder = 1;
  let summary = "joins tensors along an axis";
  let description = "All inputs agree on every dimension but `axis`.";
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs) `->` type($output)";
}

def NN_SliceOp : NN_ShapedOp<"slice"> {
  let hasFolder = 1;
  let summary = "strided slice";
  let description = [{
    One entry per dimension: result dimension d takes elements
    `starts[d] + i * steps[d]` for `i < sizes[d]`. Steps may be negative;
    the importer normalizes ONNX's clamped start/end semantics into this.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$steps);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def NN_GatherOp : NN_ShapedOp<"gather"> {
  let hasFolder = 1;
  let summary = "gathers slices along an axis by index";
  let description = [{
    The result shape is `input.shape[:axis] + indices.shape +
    input.shape[axis+1:]`. Negative indices count from the end.
  }];
  let arguments = (ins NN_Tensor:$input, TensorOf<[I32, I64]>:$indices,
                   I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` type($input) `,` type($indices) `->`
    type($output)
  }];
}

def NN_GatherElementsOp : NN_ShapedOp<"gather_elements"> {
  let summary = "gathers elements along an axis by a same-rank index tensor";
  let description = [{
    `output[i0, ..., ik, ...] = input[i0, ..., indices[i0, ..., ik, ...], ...]`
    with the index replacing coordinate `axis`. The result has the shape of
    `indices`, whose other dimensions must not exceed the input's. Negative
    indices count from the end.
  }];
  let arguments = (ins NN_Tensor:$input, TensorOf<[I32, I64]>:$indices,
                   I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` type($input) `,` type($indices) `->`
    type($output)
  }];
}

def NN_ScatterElementsOp : NN_ShapedOp<"scatter_elements"> {
  let summary = "writes updates into a copy of data along an axis";
  let description = [{
    For every position p of `updates`, the element of `data` at p with
    coordinate `axis` replaced by `indices[p]` (negative counts from the
    end) becomes `updates[p]`, or is combined with it by `reduction`.
    Updates apply in row-major order, so with `none` a repeated index keeps
    the last one.
  }];
  let arguments = (ins NN_Tensor:$data, TensorOf<[I32, I64]>:$indices,
                   NN_Tensor:$updates, I64Attr:$axis,
                   NN_ScatterReductionAttr:$reduction);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` type($data) `,`
    type($indices) `,` type($updates)
  }];
  let hasVerifier = 1;
}

def NN_ScatterNDOp : NN_ShapedOp<"scatter_nd"> {
  let summary = "writes slices of updates into a copy of data at N-D indices";
  let description = [{
    `indices` is [..., k]: each of its rows addresses a slice of `data` by
    its first k coordinates, which `updates[row]` replaces or is combined
    with by `reduction`, in row-major order.
  }];
  let arguments = (ins NN_Tensor:$data, TensorOf<[I64]>:$indices,
                   NN_Tensor:$updates, NN_ScatterReductionAttr:$reduction);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` type($data) `,`
    type($indices) `,` type($updates)
  }];
  let hasVerifier = 1;
}

def NN_PadOp : NN_ShapedOp<"pad"> {
  let summary = "pads every dimension";
  let description = [{
    `pads` holds the begin pads of every dimension, then the end pads
    (non-negative). Constant mode fills with `value`.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$pads,
                   NN_PadModeAttr:$mode, F64Attr:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$mode $input attr-dict `:` type($input) `->` type($output)";
}

def NN_ExpandOp : NN_ShapedOp<"expand"> {
  let summary = "broadcasts to a shape";
  let description = "NumPy broadcast of `input` against `shape`.";
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def NN_TileOp : NN_ShapedOp<"tile"> {
  let summary = "repeats the input along every dimension";
  let description = "Dimension d is repeated `repeats[d]` times.";
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

def NN_IfOp : Op<NN_Dialect, "if", [RecursiveMemoryEffects, NoRegionArguments]> {
  let summary = "runs one of two regions by a boolean tensor";
  let description = [{
    `condition` holds one i1 element. The regions may use values defined
    above; each ends in `nn.yield` of values whose types are the results'.

    ```mlir
    %r = nn.if %c : tensor<i1> -> tensor<3x16xf32> {
      nn.yield %a : tensor<3x16xf32>
    } else {
      nn.yield %b : tensor<3x16xf32>
    }
    ```
  }];
  let arguments = (ins TensorOf<[I1]>:$condition);
  let results = (outs Variadic<NN_Tensor>:$results);
  let regions = (region SizedRegion<1>:$then_region,
                        SizedRegion<1>:$else_region);
  let assemblyFormat = [{
    $condition `:` type($condition) (`->` type($results)^)? $then_region
    `else` $else_region attr-dict
  }];
  let hasVerifier = 1;
}

def NN_LoopOp : Op<NN_Dialect, "loop", [RecursiveMemoryEffects]> {
  let summary = "runs a region while a count and a condition allow";
  let description = [{
    The body's arguments are the iteration number (tensor<i64>, from 0),
    the condition (tensor<i1>) and the loop-carried values, whose first
    values are `inits`. It ends in `nn.yield` of the next condition, the
    next carried values (of the carried types) and zero or more scan
    values. Iteration i runs while `i < trip_count`, the condition holds
    (first `condition`, then what the previous iteration yielded) and,
    when there are scan values, `i` is below the scan results' rows. A
    loop that only its count ends yields its condition argument.

    The results are the last carried values, then one result per scan
    value: row i is what iteration i yielded. Its rows (the first
    dimension, static and the same for every scan result) bound the
    iterations; rows of iterations that did not run are zero.

    ```mlir
    %sum, %rows = nn.loop %n, %true : tensor<i64>, tensor<i1>
        carry(%init : tensor<2xf32>) -> tensor<2xf32>, tensor<3x2xf32> {
    ^bb0(%i: tensor<i64>, %c: tensor<i1>, %acc: tensor<2xf32>):
      %next = nn.add %acc, %acc : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
      nn.yield %c, %next, %next : tensor<i1>, tensor<2xf32>, tensor<2xf32>
    }
    ```
  }];
  let arguments = (ins TensorOf<[I64]>:$trip_count,
                       TensorOf<[I1]>:$condition,
                       Variadic<NN_Tensor>:$inits);
  let results = (outs Variadic<NN_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $trip_count `,` $condition `:` type($trip_count) `,` type($condition)
    (`carry` `(` $inits^ `:` type($inits) `)`)?
    (`->` type($results)^)? $body attr-dict
  }];
  let extraClassDeclaration = [{
    /// The body's terminator.
    YieldOp getYield();
    /// How many results are scan outputs (after the carried values).
    unsigned getNumScans() { return getNumResults() - getInits().size(); }
    /// The scan results' rows, or nullopt when there is no scan output.
    std::optional<int64_t> getScanRows();
    /// Whether only the count ends the loop: the body yields its condition
    /// argument unchanged.
    bool isCounted();
  }];
  let hasVerifier = 1;
}

def NN_YieldOp : NN_Op<"yield", [Terminator, ParentOneOf<["IfOp", "LoopOp"]>]> {
  let summary = "the values a region of nn.if or nn.loop produces";
  let arguments = (ins Variadic<NN_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // ANVIL_DIALECT_NN_NNOPS_TD
