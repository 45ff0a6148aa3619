//===- MTIAOps.td - Operations of the mtia dialect ---------*- tablegen -*-===//
//
// docs/ISA.md documents the operation each op lowers to: operands,
// semantics, timing formula and riscv64 encoding.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_DIALECT_MTIA_MTIAOPS_TD
#define ANVIL_DIALECT_MTIA_MTIAOPS_TD

include "anvil/Dialect/MTIA/IR/MTIAAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class MTIA_Op<string mnemonic, list<Trait> traits = []>
    : Op<MTIA_Dialect, mnemonic, traits>;

/// An asynchronous operation on buffers: returns a token, and its
/// verifier checks the operands against the module's target.
class MTIA_AsyncOp<string mnemonic, list<Trait> traits = []>
    : MTIA_Op<mnemonic, traits> {
  let results = (outs MTIA_TokenType:$token);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Kernels and identity
//===----------------------------------------------------------------------===//

def MTIA_LaunchOp : MTIA_Op<"launch", [
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "Run a kernel on a set of PEs";
  let description = [{
    A job: the body runs once on each of PEs 0 .. `num_pes` - 1, with the
    PE's index as the block argument, and the job ends when every PE is
    done (a barrier). The body is the PE program; buffers it allocates in
    `#mtia.memory_space<local>` are the PE's local memory, and their total
    must fit the target's local-memory capacity: the verifier rejects a
    kernel that needs more, naming it and the bytes. Buffers it allocates
    in `#mtia.memory_space<sram>` are one buffer for the whole job, shared
    by its PEs and live until the job ends; together they must fit the
    SRAM.

    ```mlir
    mtia.launch "matmul_3" pes(64) {
    ^bb0(%pe: index):
      ...
    }
    ```
  }];
  let arguments = (ins StrAttr:$kernel, I64Attr:$num_pes);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$kernel `pes` `(` $num_pes `)` $body attr-dict";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Bytes the kernel's allocations in `space` take (local memory: per
    /// PE; SRAM: for the job).
    int64_t bufferBytes(MemorySpace space);
    ::mlir::Value getPE() { return getBody().front().getArgument(0); }
  }];
}

def MTIA_YieldOp : MTIA_Op<"yield", [Pure, Terminator,
                                     HasParent<"LaunchOp">]> {
  let summary = "End of a PE program";
  let assemblyFormat = "attr-dict";
}

def MTIA_PEIdOp : MTIA_Op<"pe_id", [Pure]> {
  let summary = "Index of the PE running the program";
  let results = (outs Index:$id);
  let assemblyFormat = "attr-dict";
}

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

def MTIA_DMAOp : MTIA_AsyncOp<"dma"> {
  let summary = "Asynchronous strided copy between local memory and SRAM/DRAM";
  let description = [{
    Copies `src` to `dst`, one of which is in the PE's local memory and the
    other in SRAM or DRAM; on a machine with `dram_prefetch`, also from
    DRAM to SRAM. Both are 1-D or 2-D views of the same shape and
    element type; a 2-D view moves its rows with the strides of the views.
  }];
  let arguments = (ins AnyMemRef:$src, AnyMemRef:$dst);
  let assemblyFormat = [{
    $src `,` $dst attr-dict `:` type($src) `,` type($dst)
  }];
}

def MTIA_DMABroadcastOp : MTIA_AsyncOp<"dma_broadcast"> {
  let summary = "Copy into the local memory of every PE of a row or column";
  let description = [{
    As `mtia.dma` from SRAM or DRAM, but the data lands at `dst` in the
    local memory of every PE in this PE's grid row or column, and crosses
    the shared level once. Only targets with `broadcast` have it.
  }];
  let arguments = (ins AnyMemRef:$src, AnyMemRef:$dst,
                       MTIA_BroadcastAxis:$axis);
  let assemblyFormat = [{
    $src `,` $dst $axis attr-dict `:` type($src) `,` type($dst)
  }];
}

def MTIA_DMAGatherOp : MTIA_AsyncOp<"dma_gather"> {
  let summary = "Gather rows of a table by index into local memory";
  let description = [{
    `dst[i, :] = table[indices[i], :]`: the embedding lookup of DLRM-style
    models. `table` is in SRAM or DRAM; `indices` and `dst` in local
    memory. Only targets with `gather` have it.
  }];
  let arguments = (ins AnyMemRef:$table, AnyMemRef:$indices, AnyMemRef:$dst);
  let assemblyFormat = [{
    $table `[` $indices `]` `,` $dst attr-dict `:` type($table) `,`
    type($indices) `,` type($dst)
  }];
}

def MTIA_WaitOp : MTIA_Op<"wait"> {
  let summary = "Hold the PE program until operations are done";
  let arguments = (ins Variadic<MTIA_TokenType>:$tokens);
  let assemblyFormat = "$tokens attr-dict";
}

//===----------------------------------------------------------------------===//
// Compute engines
//===----------------------------------------------------------------------===//

def MTIA_DPEMatmulOp : MTIA_AsyncOp<"dpe_matmul"> {
  let summary = "Dot-product engine: C (+)= A B on local-memory tiles";
  let description = [{
    `c[m, n] (+)= sum_k a[m, k] * b[k, n]`, with `a` and `b` of an input
    type the DPE takes and `c` of its accumulator type (i8 -> i32,
    f16/bf16 -> f32). Products are exact and summed in the accumulator
    type. M must be a multiple of the DPE's native tile rows and K's bytes
    of its tile row bytes: the lowering pads partial tiles with zeros. With
    `accumulate`, C is added to; otherwise overwritten.
  }];
  let arguments = (ins AnyMemRef:$a, AnyMemRef:$b, AnyMemRef:$c,
                       UnitAttr:$accumulate);
  let assemblyFormat = [{
    $a `,` $b `,` $c attr-dict `:` type($a) `,` type($b) `,` type($c)
  }];
}

def MTIA_SEConvertOp : MTIA_AsyncOp<"se_convert"> {
  let summary = "SIMD engine: convert between f32 and the DPE's types";
  let description = [{
    Element by element, f32 to f16, bf16 or i8 (round to nearest even; i8
    saturates) or f16, bf16, i8, i32 to f32. Both buffers are local.
  }];
  let arguments = (ins AnyMemRef:$src, AnyMemRef:$dst);
  let assemblyFormat = "$src `,` $dst attr-dict `:` type($src) `,` type($dst)";
}

def MTIA_SEBinaryOp : MTIA_AsyncOp<"se_binary"> {
  let summary = "SIMD engine: elementwise binary operation on f32";
  let arguments = (ins AnyMemRef:$lhs, AnyMemRef:$rhs, AnyMemRef:$dst,
                       MTIA_SEKind:$kind);
  let assemblyFormat = [{
    $kind $lhs `,` $rhs `,` $dst attr-dict `:` type($lhs) `,` type($rhs) `,`
    type($dst)
  }];
}

def MTIA_SELookupOp : MTIA_AsyncOp<"se_lut"> {
  let summary = "SIMD engine: lookup-table nonlinearity on f32";
  let arguments = (ins AnyMemRef:$src, AnyMemRef:$dst,
                       MTIA_LUTFunction:$function);
  let assemblyFormat = [{
    $function $src `,` $dst attr-dict `:` type($src) `,` type($dst)
  }];
}

def MTIA_REAccumulateOp : MTIA_AsyncOp<"re_accumulate"> {
  let summary = "Reduction engine: dst += src";
  let arguments = (ins AnyMemRef:$src, AnyMemRef:$dst);
  let assemblyFormat = "$src `,` $dst attr-dict `:` type($src) `,` type($dst)";
}

def MTIA_REForwardOp : MTIA_AsyncOp<"re_forward"> {
  let summary = "Reduction engine: send partial sums to a neighbouring PE";
  let description = [{
    Adds `src` into `dst` in the local memory of the neighbouring PE in
    `direction`, over the reduction network.
  }];
  let arguments = (ins AnyMemRef:$src, AnyMemRef:$dst,
                       MTIA_Direction:$direction);
  let assemblyFormat = [{
    $src `,` $dst $direction attr-dict `:` type($src) `,` type($dst)
  }];
}

def MTIA_CoreCostOp : MTIA_Op<"core_cost"> {
  let summary = "Charge the PE's vector core for ordinary code";
  let description = [{
    Work the fixed-function units do not take runs as ordinary code on the
    PE's vector core. On the simulator this op charges that code's time:
    `ops` element operations of `element_type` (vector_core.ops_per_cycle)
    and `bytes` it loads and stores at memory level `level` (DRAM unless
    given: `at <sram>`, `at <local>`). On riscv64 it emits nothing: there the
    code's own execution is its cost.
  }];
  let arguments = (ins Index:$ops, Index:$bytes, TypeAttr:$element_type,
                   DefaultValuedAttr<MTIA_MemorySpaceAttr,
                                     "::anvil::mtia::MemorySpace::DRAM">:$level);
  let assemblyFormat = [{
    $ops `,` $bytes `,` $element_type (`at` $level^)? attr-dict
  }];
}

//===----------------------------------------------------------------------===//
// Synchronization
//===----------------------------------------------------------------------===//

def MTIA_BarrierOp : MTIA_Op<"barrier"> {
  let summary = "Wait until every PE of the job reaches this barrier";
  let assemblyFormat = "attr-dict";
}

def MTIA_SemaphoreSignalOp : MTIA_Op<"sem_signal"> {
  let summary = "Increment semaphore `sem` of PE `pe`";
  let arguments = (ins Index:$pe, I32Attr:$sem);
  let assemblyFormat = "$pe `,` $sem attr-dict";
}

def MTIA_SemaphoreWaitOp : MTIA_Op<"sem_wait"> {
  let summary = "Wait until this PE's semaphore `sem` reaches `count`, and "
                "take `count` from it";
  let arguments = (ins I32Attr:$sem, I64Attr:$count);
  let assemblyFormat = "$sem `,` $count attr-dict";
}

#endif // ANVIL_DIALECT_MTIA_MTIAOPS_TD
