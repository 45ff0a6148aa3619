//===- NNDialect.td - The nn graph dialect -----------------*- tablegen -*-===//
//
// The graph-level dialect of Anvil: DNN operators on ranked tensors with
// value semantics. Importers (ONNX, torch.export) produce it; the
// NNToLinalg conversion consumes it.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_DIALECT_NN_NNDIALECT_TD
#define ANVIL_DIALECT_NN_NNDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let summary = "DNN operators on ranked tensors with value semantics";
  let description = [{
    The `nn` dialect holds a model as imported: one op per framework
    operator (after light normalization, e.g. Flatten and Squeeze become
    `nn.reshape`). Every op infers its result type from its operands and
    attributes (`InferTypeOpInterface`), so importers never depend on a
    framework's own shape inference. Shapes are static: dynamic dimensions
    are pinned by the importer or rejected there.
  }];
  let cppNamespace = "::anvil::nn";
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  // Attributes stay in the attribute dictionary so that importers can run
  // inferReturnTypes on an OperationState before creating the op, and turn
  // a failed inference into a diagnostic instead of a fatal error.
  let usePropertiesForAttributes = 0;
}

def NN_ReduceKind : I32EnumAttr<"ReduceKind", "reduction combiner", [
  I32EnumAttrCase<"Sum", 0, "sum">,
  I32EnumAttrCase<"Mean", 1, "mean">,
  I32EnumAttrCase<"Max", 2, "max">,
  I32EnumAttrCase<"Min", 3, "min">,
  I32EnumAttrCase<"Prod", 4, "prod">,
  I32EnumAttrCase<"L1", 5, "l1">,
  I32EnumAttrCase<"L2", 6, "l2">,
  I32EnumAttrCase<"LogSum", 7, "log_sum">,
  I32EnumAttrCase<"LogSumExp", 8, "log_sum_exp">,
  I32EnumAttrCase<"SumSquare", 9, "sum_square">
]> {
  let cppNamespace = "::anvil::nn";
  let genSpecializedAttr = 0;
}
def NN_ReduceKindAttr : EnumAttr<NN_Dialect, NN_ReduceKind, "reduce_kind">;

def NN_PadMode : I32EnumAttr<"PadMode", "padding mode", [
  I32EnumAttrCase<"Constant", 0, "constant">,
  I32EnumAttrCase<"Reflect", 1, "reflect">,
  I32EnumAttrCase<"Edge", 2, "edge">
]> {
  let cppNamespace = "::anvil::nn";
  let genSpecializedAttr = 0;
}
def NN_PadModeAttr : EnumAttr<NN_Dialect, NN_PadMode, "pad_mode">;

def NN_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "how a scattered update combines with the element it lands on", [
  I32EnumAttrCase<"None", 0, "none">,
  I32EnumAttrCase<"Add", 1, "add">,
  I32EnumAttrCase<"Mul", 2, "mul">,
  I32EnumAttrCase<"Max", 3, "max">,
  I32EnumAttrCase<"Min", 4, "min">
]> {
  let cppNamespace = "::anvil::nn";
  let genSpecializedAttr = 0;
}
def NN_ScatterReductionAttr
    : EnumAttr<NN_Dialect, NN_ScatterReduction, "scatter_reduction">;

#endif // ANVIL_DIALECT_NN_NNDIALECT_TD
