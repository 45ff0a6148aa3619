//===- MTIADialect.td - The MTIA-like target dialect -------*- tablegen -*-===//
//
// Operations of the MTIA-like machine (docs/Targets.md, docs/ISA.md): DMA
// between memory levels, the dot-product engine, the SIMD engine, the
// reduction engine, synchronization and PE identity. Kernels on buffers are
// lowered to it; it lowers to calls of the operations of anvil-c/MTIA.h.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_DIALECT_MTIA_MTIADIALECT_TD
#define ANVIL_DIALECT_MTIA_MTIADIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def MTIA_Dialect : Dialect {
  let name = "mtia";
  let summary = "Operations of the MTIA-like accelerator";
  let description = [{
    Buffers carry a memory space (`#mtia.memory_space<dram|sram|local>`;
    a memref without one lives in DRAM). Work runs in `mtia.launch`
    regions, one instance per PE. DMA, DPE, SE and RE operations are
    asynchronous: each returns a `!mtia.token` that `mtia.wait` waits on.

    The module carries the machine it is compiled for as a
    `#mtia.target<...>` attribute named `mtia.target`; verifiers check
    operands against it (native DPE tile, types the DPE takes, local-memory
    capacity of each kernel, DMA features).
  }];
  let cppNamespace = "::anvil::mtia";
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
}

def MTIA_MemorySpace : I32EnumAttr<"MemorySpace", "memory level of a buffer", [
  I32EnumAttrCase<"DRAM", 0, "dram">,
  I32EnumAttrCase<"SRAM", 1, "sram">,
  I32EnumAttrCase<"Local", 2, "local">
]> {
  let cppNamespace = "::anvil::mtia";
  let genSpecializedAttr = 0;
}

def MTIA_SEKind : I32EnumAttr<"SEKind", "SIMD-engine binary operation", [
  I32EnumAttrCase<"Add", 0, "add">,
  I32EnumAttrCase<"Sub", 1, "sub">,
  I32EnumAttrCase<"Mul", 2, "mul">,
  I32EnumAttrCase<"Max", 3, "max">,
  I32EnumAttrCase<"Min", 4, "min">
]> {
  let cppNamespace = "::anvil::mtia";
}

def MTIA_LUTFunction : I32EnumAttr<"LUTFunction",
    "nonlinearity of the SIMD engine's lookup tables", [
  I32EnumAttrCase<"Relu", 0, "relu">,
  I32EnumAttrCase<"Exp", 1, "exp">,
  I32EnumAttrCase<"Sigmoid", 2, "sigmoid">,
  I32EnumAttrCase<"Tanh", 3, "tanh">,
  I32EnumAttrCase<"Gelu", 4, "gelu">
]> {
  let cppNamespace = "::anvil::mtia";
}

def MTIA_Direction : I32EnumAttr<"Direction",
    "neighbour of a PE on the reduction network", [
  I32EnumAttrCase<"North", 0, "north">,
  I32EnumAttrCase<"South", 1, "south">,
  I32EnumAttrCase<"East", 2, "east">,
  I32EnumAttrCase<"West", 3, "west">
]> {
  let cppNamespace = "::anvil::mtia";
}

def MTIA_BroadcastAxis : I32EnumAttr<"BroadcastAxis",
    "PEs a broadcast DMA reaches", [
  I32EnumAttrCase<"Row", 0, "row">,
  I32EnumAttrCase<"Column", 1, "column">
]> {
  let cppNamespace = "::anvil::mtia";
}

#endif // ANVIL_DIALECT_MTIA_MTIADIALECT_TD
