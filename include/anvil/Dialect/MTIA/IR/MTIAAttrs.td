//===- MTIAAttrs.td - Attributes and types of the mtia dialect -*- tablegen -*-===//

#ifndef ANVIL_DIALECT_MTIA_MTIAATTRS_TD
#define ANVIL_DIALECT_MTIA_MTIAATTRS_TD

include "anvil/Dialect/MTIA/IR/MTIADialect.td"

def MTIA_MemorySpaceAttr : EnumAttr<MTIA_Dialect, MTIA_MemorySpace,
                                    "memory_space"> {
  let summary = "Memory level of a buffer: DRAM, SRAM or a PE's local memory";
  let assemblyFormat = "`<` $value `>`";
}

def MTIA_TargetAttr : AttrDef<MTIA_Dialect, "Target"> {
  let mnemonic = "target";
  let summary = "The machine a module is compiled for";
  let description = [{
    The figures of a machine description (targets/*.json) that verifiers
    check operations against. The pipeline attaches it to the module as
    `mtia.target`, from the TargetDesc it compiles for.

    ```mlir
    module attributes {mtia.target = #mtia.target<name = "mtia-v1",
        num_pes = 64, local_bytes = 131072, sram_bytes = 134217728,
        tile_rows = 32, tile_row_bytes = 32, dpe_inputs = [i8, f16],
        broadcast = false, gather = false, dram_prefetch = false>} { ... }
    ```
  }];
  let parameters = (ins
    StringRefParameter<"machine description name">:$name,
    "int64_t":$num_pes,
    "int64_t":$local_bytes,
    "int64_t":$sram_bytes,
    "int64_t":$tile_rows,
    "int64_t":$tile_row_bytes,
    ArrayRefParameter<"::mlir::Type", "input types of the DPE">:$dpe_inputs,
    "bool":$broadcast,
    "bool":$gather,
    "bool":$dram_prefetch
  );
  let assemblyFormat = [{
    `<` `name` `=` $name `,` `num_pes` `=` $num_pes `,` `local_bytes` `=`
    $local_bytes `,` `sram_bytes` `=` $sram_bytes `,` `tile_rows` `=` $tile_rows `,` `tile_row_bytes` `=`
    $tile_row_bytes `,` `dpe_inputs` `=` `[` $dpe_inputs `]` `,` `broadcast`
    `=` $broadcast `,` `gather` `=` $gather `,`
    `dram_prefetch` `=` $dram_prefetch `>`
  }];
  // The figures are those of a validated machine description: positive and
  // within its ceilings, so products of them fit in 64 bits.
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The attribute name under which modules carry it.
    static constexpr ::llvm::StringLiteral kAttrName = "mtia.target";
    /// The target of the module enclosing `op`, if it has one.
    static TargetAttr lookup(::mlir::Operation *op);
    /// Whether the DPE takes `type`, and the type it accumulates it in.
    bool takesInput(::mlir::Type type) const;
    ::mlir::Type accumulatorFor(::mlir::Type input) const;
  }];
}

def MTIA_TokenType : TypeDef<MTIA_Dialect, "Token"> {
  let mnemonic = "token";
  let summary = "Completion of an asynchronous operation";
  let description = [{
    Returned by DMA, DPE, SE and RE operations; `mtia.wait` holds the PE
    program until the operation is done.
  }];
}

#endif // ANVIL_DIALECT_MTIA_MTIAATTRS_TD
