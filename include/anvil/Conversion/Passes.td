//===- Passes.td - Anvil conversion passes -----------------*- tablegen -*-===//
#ifndef ANVIL_CONVERSION_PASSES_TD
#define ANVIL_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNNUnsignedToSignless
    : Pass<"convert-nn-unsigned-to-signless", "mlir::func::FuncOp"> {
  let summary = "Make unsigned integer tensors signless, keeping their "
                "meaning as attributes on the nn ops that use them";
  let description = [{
    The importers give ONNX's unsigned tensors `ui8`..`ui64` element types,
    so that folds and the artifact's signature know them. `arith`, `linalg`
    and `math` only take signless integers, where signedness belongs to the
    operation (`arith.divui` against `arith.divsi`).

    This pass rewrites every unsigned type in the function (signature,
    results, block arguments, constants) to the signless type of the same
    width, and marks each nn op that had unsigned operands or results with
    `nn.unsigned_operands` / `nn.unsigned_results` (the indices). The nn to
    linalg lowering reads these to pick unsigned division, remainder,
    comparison, extension and conversion.
  }];
}

def ConvertNNToLinalg : Pass<"convert-nn-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower nn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Input invariant: static-shaped `nn` ops on ranked tensors.

    Output IR: upstream `linalg` named ops where one exists (matmul,
    batch_matmul, convolutions, pooling, transpose, reduce) and
    `linalg.generic` otherwise, plus `tensor` ops for data movement. Every
    kernel-level pass reads iteration spaces from linalg, never from nn, so
    this is the only place that knows each nn op's semantics.

    An op that cannot be lowered (e.g. a 3-D grouped convolution) is an
    error at that op's location, which names the model node.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect"
  ];
}

def HostTileAndVectorize
    : Pass<"anvil-host-tile-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile contractions and convolutions for the host, then vectorize";
  let description = [{
    Every `linalg.matmul`, `linalg.batch_matmul` and 2-D convolution is
    tiled in the register block the tiling policy (`tiling`, anvil/Policy/
    Tiling.h) chooses for the host machine description (the module's
    `anvil.machine_description`, else this machine's; each size option
    given overrides the policy's),
    clamped to divisors of each loop's extent so that tiles stay static,
    and the tiles are vectorized with `linalg::vectorize`. Convolutions are
    first decomposed into 1-D convolutions (upstream patterns) because the
    vectorizer handles the 1-D forms.

    Parallel dimensions are tiled into one `scf.forall` (the host's worker
    threads share it), reduction dimensions into `scf.for` inside it.

    Input: linalg on tensors. Output: `scf.forall`/`scf.for` nests of
    `vector` ops on tensor slices; other linalg ops unchanged.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"0",
           "Elements of f32 per vector register (the innermost tile; 0: "
           "from the host description)">,
    Option<"rowTile", "row-tile", "int64_t", /*default=*/"0",
           "Rows of the output per register block (0: from the host "
           "description)">,
    Option<"reductionTile", "reduction-tile", "int64_t", /*default=*/"0",
           "Reduction elements per tile (0: from the host description)">,
    Option<"tiling", "tiling", "std::string", /*default=*/"\"fixed-tiles\"",
           "The tiling policy: fixed-tiles or roller">,
    Option<"leaveGemmOps", "leave-gemm-ops", "bool", /*default=*/"false",
           "Leave the ops that anvil-host-gemm-kernels takes untiled">
  ];
  let dependentDialects = [
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
    "mlir::tensor::TensorDialect", "mlir::linalg::LinalgDialect"
  ];
}

def DecideConnections : Pass<"anvil-decide-connections", "mlir::ModuleOp"> {
  let summary = "Decide which edges between elementwise ops connect inside "
                "one kernel";
  let description = [{
    The fusion seam on linalg on tensors (anvil/Policy/Fusion.h), on both
    targets. A candidate edge is a `linalg.generic` whose loops are all
    parallel and whose one result is read by one other such generic alone,
    which upstream's elementwise fusion can merge it into
    (`linalg::areElementwiseOpsFusable`). The policy records
    `anvil.fusion.connect = "local"` on the producer of each edge it
    connects; `anvil-connect-elementwise` merges them. The first policy,
    one-op-per-kernel, connects none; welder connects every candidate.
  }];
  let options = [
    Option<"policy", "policy", "std::string",
           /*default=*/"\"one-op-per-kernel\"",
           "The fusion policy: one-op-per-kernel or welder">
  ];
}

def ConnectElementwise : Pass<"anvil-connect-elementwise", "mlir::ModuleOp"> {
  let summary = "Merge the elementwise edges the fusion decision connects";
  let description = [{
    Every producer marked `anvil.fusion.connect` is merged into its only
    reader with upstream's `linalg::fuseElementwiseOps`: one generic whose
    body computes both, the intermediate never written. The merged op's
    location names both ops' model nodes, and it keeps the reader's own
    mark, so a chain merges whole. A marked edge that cannot be merged is
    an error on its producer.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def HostFusion : Pass<"anvil-host-fusion", "mlir::ModuleOp"> {
  let summary = "Decide which ops fold into the host kernels' calls";
  let description = [{
    The fusion seam on the host (anvil/Policy/Fusion.h). Every op that
    `anvil-host-gemm-kernels` turns into a kernel call is marked
    `anvil.fusion.kernel = N`; each op the policy folds into that call is
    marked `anvil.fusion.into = N` with `anvil.fusion.role` ("init": the
    zero fill or bias broadcast of the output before it; "epilogue": an
    in-place clamp after it; "padded_input": the copy that makes a padded
    input of a depthwise or Winograd convolution). `anvil-host-gemm-kernels`
    folds exactly what is marked. The first policy, one-op-per-kernel, folds
    all that the calls can take. What a convolution's call can fold depends
    on its algorithm, so the tiling policy's (`tiling`) choice is written
    on each convolution first (`anvil.conv_algorithm`), unless one is there.
  }];
  let options = [
    Option<"policy", "policy", "std::string",
           /*default=*/"\"one-op-per-kernel\"",
           "The fusion policy: one-op-per-kernel or welder">,
    Option<"tiling", "tiling", "std::string", /*default=*/"\"fixed-tiles\"",
           "The tiling policy that chooses convolutions' algorithms: "
           "fixed-tiles or roller">
  ];
}

def HostGemmKernels : Pass<"anvil-host-gemm-kernels", "mlir::ModuleOp"> {
  let summary = "Run f32 matmuls and convolutions on the host kernels, "
                "with their bias and activation";
  let description = [{
    Every f32 `linalg.matmul`, `linalg.batch_matmul` and
    `linalg.conv_2d_nchw_fchw` on buffers with unit inner strides becomes
    calls of `anvil_sgemm` (the packed, register-blocked kernel linked into
    every artifact). Convolutions are products of the weight [F, C*KH*KW]
    and the input: directly for 1x1 stride-1 kernels, otherwise through an
    im2col buffer [C*KH*KW, OH*OW] filled by a copy `linalg.generic`.
    Large products are split into row (or column) blocks in an
    `scf.parallel`, so that the host's threads share them. Ops the kernel
    cannot take stay as they are. Each f32
    `linalg.depthwise_conv_2d_nchw_chw` on contiguous planes becomes calls
    of `anvil_sdwconv2d`, per image, in blocks of channels under an
    `scf.parallel`. The blocks are the tiling policy's (`tiling`), for the
    host description the module carries; each call records its block as
    `anvil.thread_blocks` ([rows, cols] of a product, [channels] of a
    depthwise convolution) and a product's call its cache blocks as
    `anvil.cache_blocks` ([mc, kc, nc], 0 leaving a size to the kernel),
    and the same attributes on the linalg op are carried out instead of
    asking the policy; when its input is a zero-padded copy that it alone
    reads (a bufferized `tensor.pad`), the call reads the copy's source and
    pads as it goes, and the copy is erased. A bias broadcast or zero fill
    of the output before the op, and an in-place clamp (ReLU, ReLU6, Clip)
    after it (with only views and constants between), are folded into the
    call (`anvil_sgemm_blocked`'s and `anvil_sdwconv2d`'s epilogue) and
    erased. Each fold happens only where the fusion decision on the IR
    (`anvil-host-fusion`) makes it. Runs after bufferization and deallocation (it frees the
    buffers it allocates).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect", "mlir::arith::ArithDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::linalg::LinalgDialect"];
  let options = [
    Option<"tiling", "tiling", "std::string", /*default=*/"\"fixed-tiles\"",
           "The tiling policy: fixed-tiles or roller">
  ];
}

def HostApproximateMath
    : Pass<"anvil-host-approximate-math", "mlir::func::FuncOp"> {
  let summary = "f32 exp, tanh, log and erf as polynomials that vectorize";
  let description = [{
    Upstream MLIR's polynomial approximations (Cephes and Eigen's) replace
    f32 `math.exp`, `math.expm1`, `math.tanh`, `math.log`, `math.log1p` and
    `math.erf`, scalar or vector, so that a vectorized loop stays vectorized
    where libm would be called once per element. Sine and cosine keep libm:
    the approximation reduces their argument too coarsely for large inputs.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def HostPrepareForLLVM
    : Pass<"anvil-host-prepare-for-llvm", "mlir::func::FuncOp"> {
  let summary = "Lower vector ops and copies to forms the LLVM conversion takes";
  let description = [{
    Contractions become outer products (FMAs on the vector width), transfers
    of rank > 1 are unrolled to 1-D loads and stores, and multi-reductions,
    transposes, broadcasts and shape casts are lowered. `memref.copy`
    becomes `linalg.copy`, so strided copies turn into loops instead of a
    call into MLIR's C runner library, which an artifact must not need.
    Linalg ops become loops here: `scf.parallel` for the outer parallel
    dimensions of ops at the top of the function (the shortest prefix with
    the parallel iterations that the tiling policy has threads share, for
    the module's host description), plain `scf.for` for the dimensions
    inside them and for ops already inside a parallel tile loop, so
    parallel regions never nest.
    Runs after bufferization and `scf.forall` to `scf.parallel`.
    A public function's zero-element buffer arguments become `!llvm.ptr`
    (the bare-pointer convention has no type for a memref with a zero
    dimension); inside, a zero-element `memref.alloca` stands in for them,
    which is exact because no element of either is ever accessed.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::scf::SCFDialect"];
  let options = [
    Option<"parallelIterations", "parallel-iterations", "int64_t",
           /*default=*/"0",
           "Parallel iterations threads share (0: the tiling policy's for "
           "the host description)">,
    Option<"tiling", "tiling", "std::string", /*default=*/"\"fixed-tiles\"",
           "The tiling policy: fixed-tiles or roller">
  ];
}

def FillPerUse : Pass<"anvil-fill-per-use", "mlir::func::FuncOp"> {
  let summary = "Give each writer into a constant fill or broadcast its own";
  let description = [{
    A linalg op that makes a value of constants alone into a `tensor.empty`
    (a `linalg.fill` of a constant, the broadcast of a constant bias) that
    several ops read (CSE merges the zero inits of every product of a
    graph into one, and the equal biases of convolutions into one
    broadcast) would bufferize as one buffer written once and copied for
    each reader that writes into it, each copy a kernel of its own. Each
    such reader (every reader of a fill) gets a clone of the op and of its
    empty tensors, just before it (the shared one goes where nothing else
    reads it), so that bufferization writes its buffer in place and the
    product kernels can fold the fill or bias as their init.

    Input: linalg on tensors. Output: the same.
  }];
}

def DistinctResults : Pass<"anvil-distinct-results", "mlir::func::FuncOp"> {
  let summary = "Give each buffer a function returns once its own buffer";
  let description = [{
    A graph may list one value as several of its outputs (ONNX allows it);
    each output is a buffer of its own that the caller provides. After
    bufferization, every later occurrence of a buffer in a `func.return`
    becomes a copy of it into a new buffer, so that the results-to-out-
    params conversion gives each output its own destination.

    Input: bufferized functions. Output: the same, with distinct returned
    buffers.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def HostFlattenGlobals : Pass<"anvil-host-flatten-globals", "mlir::ModuleOp"> {
  let summary = "Store multi-dimensional constant globals as 1-D arrays";
  let description = [{
    LLVM represents an N-D constant as nested arrays: a [512, 256, 1, 1]
    weight becomes 131072 one-element constants, which costs LLVM gigabytes
    and minutes on ResNet-50. Every `memref.global` of static rank > 1
    becomes 1-D (a resource initializer keeps its blob, nothing is copied),
    and each `memref.get_global` of it is expanded back to its shape.

    Input: bufferized IR. Output: the same, with 1-D globals.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def PartsInPlace : Pass<"anvil-parts-in-place", "mlir::func::FuncOp"> {
  let summary = "Write a buffer copied into part of another in that part";
  let description = [{
    Bufferization gives each part of a concatenation a buffer of its own
    and copies it into the whole: on the accelerator a kernel per part,
    which moves the part's bytes once more. Where a buffer the function
    allocates (static shape, identity layout) is copied whole into a
    static view of another allocation, only linalg ops and copies before
    that copy use it, and nothing from its first use to the copy touches
    the view's elements of the other buffer (each use's elements known
    from its view's static layout), the ops write the view instead and the
    copy goes. The other buffer's allocation moves up where it came later.

    Input: linalg and copies on buffers. Output: the same.
  }];
}

def MTIAFusion : Pass<"anvil-mtia-fusion", "mlir::ModuleOp"> {
  let summary = "Decide which ops fold into the MTIA kernels";
  let description = [{
    The fusion seam on the MTIA-like target (anvil/Policy/Fusion.h). Every
    linalg op on buffers is marked `anvil.fusion.kernel = N`; a zero fill of
    a product's output just before it, which the DPE kernel can do by
    writing its first sums in place, or a convolution's f32 bias broadcast,
    which it can do by starting each C tile from the bias, is marked
    `anvil.fusion.into = N`, `anvil.fusion.role = "init"` when the policy
    folds it, and an in-place
    clamp of its output just after it (ReLU, ReLU6, Clip), which the DPE
    kernel can apply to each C tile before storing it,
    `anvil.fusion.role = "epilogue"`; a zero-padded copy of a
    convolution's image (`tensor.pad`, bufferized) whose DPE kernel gathers
    its patches and can write the padding as it stages the image in SRAM
    (unit horizontal stride, constant weights), `anvil.fusion.role =
    "padded_input"` on the copy. `anvil-mtia-form-kernels` folds
    exactly what is marked. The first policy, one-op-per-kernel, folds
    every such fill, bias, clamp and padded copy. The options are those of
    `anvil-mtia-form-kernels` that decide what its kernels can fold.
  }];
  let options = [
    Option<"policy", "policy", "std::string",
           /*default=*/"\"one-op-per-kernel\"",
           "The fusion policy: one-op-per-kernel or welder">,
    Option<"dpeType", "dpe-type", "std::string", /*default=*/"\"f16\"",
           "Input type of the DPE for f32 products: f16, bf16 or i8">,
    Option<"sramStaging", "sram-staging", "bool", /*default=*/"true",
           "Stage the operands a product reads more than once through SRAM">,
    Option<"implicitPatches", "implicit-patches", "bool",
           /*default=*/"true",
           "Convolutions whose DPE kernel can gather its patches from the "
           "image write no im2col buffer">
  ];
}

def MTIAPlanSRAM : Pass<"anvil-mtia-plan-sram", "mlir::ModuleOp"> {
  let summary = "Decide which intermediates between kernels live in SRAM";
  let description = [{
    The fusion seam between kernels on the MTIA-like target
    (anvil/Policy/Fusion.h), after `anvil-mtia-fusion`. A candidate is a
    buffer the graph function allocates at its top level, of static shape,
    that only kernels read and write (linalg ops and copies, through
    views) and that no kernel folds away (a padded copy staged as it is
    read); it is live from the first top-level op that uses it to the
    last. The policy places candidates in the SRAM the kernels' staging
    leaves (the scratchpad less the largest sum of input operands any
    product of the module has) and records `anvil.sram.offset` on each
    placed allocation and `anvil.sram.plan_bytes` on the module; the pass
    then gives each placed buffer, and every view of it, the
    `#mtia.memory_space<sram>`, so that the kernels formed next move it
    at SRAM's rate. Passes that read the machine description after it
    see the SRAM less the plan. `anvil-mtia-to-calls` puts the plan at
    the top of the scratchpad. The first policy, one-op-per-kernel,
    places none.

    A graph argument (an input, or an output) that only kernels use is
    staged where the policy says it pays (`stagesInSRAM`, given the bytes
    the kernels read and write of it and the machine's rates): the kernels
    use a buffer of the graph's own instead, a candidate like the others,
    filled by a copy before the first of them where that one reads the
    argument and copied back after the last where they write it. Where the
    plan finds it no room, the staging is undone.

    Buffers that share bytes order the kernels that use them. Where the
    scheduler orders the graph by wavefront (Rammer's waves), lifetimes
    are counted in wavefront levels (each op's level, at least the level
    of the op before it), so that kernels of one level, which may run side
    by side, never share bytes.
  }];
  let options = [
    Option<"policy", "policy", "std::string",
           /*default=*/"\"one-op-per-kernel\"",
           "The fusion policy: one-op-per-kernel, welder, welder-sram or "
           "welder-dram">,
    Option<"scheduler", "scheduler", "std::string",
           /*default=*/"\"in-order\"",
           "The scheduler: in-order, rammer-serial, rammer">
  ];
}

def MTIAFormKernels : Pass<"anvil-mtia-form-kernels", "mlir::ModuleOp"> {
  let summary = "Turn linalg ops on buffers into mtia kernels, one op each";
  let description = [{
    The first implementations of the fusion, tiling and scheduling seams
    for the MTIA-like target: every linalg op becomes its own
    `mtia.launch`, spread over all PEs, one after another.

    - f32 `linalg.matmul`, `linalg.batch_matmul` and
      `linalg.conv_2d_nchw_fchw` run on the DPE: each PE takes C tiles in
      turn and, per reduction slice, DMAs the A and B slices into local
      memory (from DRAM, or from a copy in SRAM that all PEs made first
      where the tiling policy stages the operand and `sram-staging` is on),
      converts them to the DPE's input type (the precision policy,
      `dpe-type`) on the SE, and accumulates their product in f32 on the
      DPE; the tile then goes back by DMA. Convolutions gather their
      patches into an im2col buffer first, except where the DPE kernel
      gathers them slice by slice from its SRAM copy of the image
      (`implicit-patches`: 16-bit products, constant weights, rows
      that split into whole phases of the horizontal stride); such a
      kernel also writes its image's zero padding as it stages it, where
      the fusion decision folds the padded copy into it. Tile shapes and staging come
      from the tiling policy, which the mechanism hands the cost of its own
      kernel for any tiles (anvil/Target/KernelCost.h).
    - Every other linalg op runs as ordinary code on the PEs' vector cores:
      its parallel loops are cut into tasks (outermost first, until every
      PE has one; reads of window ops get their halo) with TilingInterface,
      PE p running tasks p, p + P, ..., each charged with `mtia.core_cost`.

    The tiling policy's decisions (anvil/Policy/Tiling.h, the policy named
    by `tiling`) are recorded on each launch: `anvil.product_tiles` (tm,
    tn, tk) and `anvil.product_staging` (A, B staged) on DPE kernels, with
    the policy's ranked candidates in `anvil.product_candidates` (tm, tn,
    tk, stage A, stage B, predicted cycles; the decision first),
    `anvil.task_tiles` (a task's extent per loop)
    on vector-core kernels, with `anvil.parallel_iterations` (what could
    run side by side), so that a kernel left on fewer PEs than its work
    could fill shows. The same attribute on a linalg op is a decision taken
    already: the kernel carries it out instead of asking the policy (an
    error names the op where it cannot). Each launch also carries the cost
    model's prediction of its cycles, `anvil.predicted_cycles`
    (anvil/Target/KernelCost.h). Zero fills, convolution biases and clamps
    fold into products' kernels where the fusion decision
    (`anvil-mtia-fusion`) says so, and so does a gathering convolution's
    padded input copy; the prediction leaves out the vector work of a
    folded bias or clamp and the DMAs that zero a padded image's border.

    Input: bufferized IR on a module carrying `mtia.target`. Output: the
    same with linalg ops inside `mtia.launch` kernels.
  }];
  let options = [
    Option<"dpeType", "dpe-type", "std::string", /*default=*/"\"f16\"",
           "Input type of the DPE for f32 products: f16 or bf16 (f32 "
           "accumulation), or i8 (quantized per row of A and column of B, "
           "i32 accumulation)">,
    Option<"sramStaging", "sram-staging", "bool", /*default=*/"true",
           "Stage the operands a product reads more than once through SRAM "
           "(DRAM -> SRAM -> local memory)">,
    Option<"implicitPatches", "implicit-patches", "bool",
           /*default=*/"true",
           "Convolutions whose DPE kernel can gather its patches from the "
           "image (implicit im2col) write no im2col buffer">,
    Option<"tiling", "tiling", "std::string",
           /*default=*/"\"fixed-tiles\"",
           "The tiling policy: fixed-tiles or roller">,
    Option<"tilingCandidates", "tiling-candidates", "int64_t",
           /*default=*/"10",
           "How many of the tiling policy's ranked candidates a product's "
           "kernel keeps (anvil.product_candidates)">
  ];
  let dependentDialects = ["anvil::mtia::MTIADialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect", "mlir::arith::ArithDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::math::MathDialect"];
}

def SplitProducts : Pass<"anvil-split-products", "mlir::func::FuncOp"> {
  let summary = "Split products whose rows several producers make, where the "
                "scheduler asks for it";
  let description = [{
    A product whose rows come from a concatenation (an `nn.gemm` whose A
    flattens an `nn.concat` along axis 0, as a recurrent layer's input
    projection over the states of the layer below) waits for every part.
    Where the scheduler schedules across producers
    (`Scheduler::splitsProductsByProducer`: Rammer's waves), the product
    becomes one product per part, concatenated, so that each part runs as
    soon as its producer has: the layers of a stacked recurrent network
    then form a wavefront over layers and steps (docs/Rammer.md). Other
    schedulers leave the graph as it is.
  }];
  let options = [
    Option<"scheduler", "scheduler", "std::string",
           /*default=*/"\"in-order\"",
           "The scheduler: in-order, rammer-serial, rammer">
  ];
  let dependentDialects = ["anvil::nn::NNDialect"];
}

def MTIACapPEs : Pass<"anvil-mtia-cap-pes", "mlir::ModuleOp"> {
  let summary = "Decide how many PEs vector kernels may take, before they "
                "are formed";
  let description = [{
    The scheduling seam's decision before kernels exist
    (`Scheduler::capPEs`): over each run of linalg ops on buffers that will
    form kernels one after another (as anvil-mtia-schedule's segments), the
    scheduler sees, per vector-core op, the cost model's cycles for the
    grid the tiling policy picks under each PE cap (the machine's PEs, then
    halves), and the dependences between the ops; where it caps an op, the
    op gets `anvil.schedule.pe_cap`, which anvil-mtia-form-kernels honours
    (and copies onto the launch). Rammer caps the vector kernels of a
    wavefront level that would otherwise run one after another, each on
    the whole machine, where sharing the PEs is predicted shorter
    (docs/Rammer.md); the other schedulers cap nothing.
  }];
  let options = [
    Option<"scheduler", "scheduler", "std::string",
           /*default=*/"\"in-order\"",
           "The scheduler: in-order, rammer-serial, rammer">,
    Option<"tiling", "tiling", "std::string", /*default=*/"\"fixed-tiles\"",
           "The tiling policy that picks each capped grid">
  ];
}

def WavefrontOrder : Pass<"anvil-wavefront-order", "mlir::func::FuncOp"> {
  let summary = "Order a graph's ops by wavefront, where the scheduler asks "
                "for it";
  let description = [{
    Where the scheduler runs kernels side by side
    (`Scheduler::ordersByWavefront`: Rammer's waves), the ops free of
    memory effects between two that have them are put in order of their
    wavefront level (the longest chain of their operands' producers among
    them), stably. What is ready together then comes together: the later
    passes' lifetimes (bufferization, the SRAM plan, whose reuse of bytes
    makes dependences) and segments follow the order in which the kernels
    can run, not the order of the model's nodes (a stacked recurrent
    network's layers one after another). Other schedulers keep the order.
  }];
  let options = [
    Option<"scheduler", "scheduler", "std::string",
           /*default=*/"\"in-order\"",
           "The scheduler: in-order, rammer-serial, rammer">
  ];
}

def MTIASchedule : Pass<"anvil-mtia-schedule", "mlir::ModuleOp"> {
  let summary = "Decide when and on which PEs each kernel runs";
  let description = [{
    The scheduling seam (anvil/Policy/Schedule.h): the scheduler takes each
    segment of a graph's `mtia.launch`es (those one after another in a
    block with only allocations, views and deallocations between them) and
    gives each kernel a program, a wave within it and a range of PEs,
    recorded as `anvil.schedule.program`, `anvil.schedule.wave` and
    `anvil.schedule.pes` (first, count), with a program's predicted cycles
    as `anvil.schedule.program_cycles` where it has several kernels. The
    first scheduler, in-order, gives every kernel a program and a wave of
    its own from PE 0; rammer-serial makes each segment one program of one
    kernel per wave; rammer runs independent kernels side by side on
    disjoint PEs (docs/Rammer.md). `anvil-mtia-to-calls` carries the
    decision out, and names the kernel of any decision it cannot.
  }];
  let options = [
    Option<"scheduler", "scheduler", "std::string",
           /*default=*/"\"in-order\"",
           "The scheduler: in-order, rammer-serial, rammer">
  ];
}

def MTIAPlaceControl : Pass<"anvil-mtia-place-control", "mlir::ModuleOp"> {
  let summary = "Decide where the control flow around kernels runs";
  let description = [{
    The control-flow seam (anvil/Policy/Schedule.h): every op with regions
    that contains an `mtia.launch` (a loop over images, a loop of a
    recurrent model) is placed on the host or the device, recorded as
    `anvil.control.place`. The first placement, host-driven, puts all of
    it on the host, which launches a job per kernel per iteration;
    Grinder's puts on the device what the lowering can run there
    (docs/Grinder.md). Branches on the device become predicated kernels
    (`anvil-mtia-predicate-branches`), loops one job each
    (`anvil-mtia-to-calls`), which names the op of any decision it cannot
    carry out.
  }];
  let options = [
    Option<"placement", "placement", "std::string",
           /*default=*/"\"host-driven\"",
           "The control-flow placement: host-driven or grinder">
  ];
}

def MTIAPredicateBranches
    : Pass<"anvil-mtia-predicate-branches", "mlir::ModuleOp"> {
  let summary = "Run the branches placed on the device as predicated kernels";
  let description = [{
    Each `scf.if` placed on the device (`anvil.control.place = "device"`)
    whose condition is read from a buffer goes: its kernels move before
    it, each PE of each reading the predicate first and skipping the
    kernel where its branch is not taken, so that they join the kernels
    around the branch in one segment (one job under Rammer). A result
    whose two branches yield buffers they allocate becomes one buffer
    that both branches' kernels write (only one of them runs).
  }];
}

def MTIAToCalls : Pass<"anvil-mtia-to-calls", "mlir::ModuleOp"> {
  let summary = "Lower mtia kernels to calls of the PE operations";
  let description = [{
    Each `mtia.launch`'s PE program becomes a private function of its own,
    `@<graph>_<kernel>(pe: index, captured values...)` (a PE-indexed entry),
    and the launch a call of `@anvil_mtia_job__<that function>(num_pes,
    captured values...)`, which `anvil-mtia-job-entries` turns into an
    `anvil_mtia_job_run` call once the module is in the LLVM dialect.
    mtia operations become calls of the functions of `anvil-c/MTIA.h`
    (docs/ISA.md). Local-memory buffers are placed at static offsets in
    the PE's local memory, which the graph function takes as a new last
    argument (all PEs' local memories, one after another); then memory
    spaces are dropped, as the LLVM conversion knows none.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect", "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect"];
}

def MTIAJobEntries : Pass<"anvil-mtia-job-entries", "mlir::ModuleOp"> {
  let summary = "Launch PE programs through anvil_mtia_job_run";
  let description = [{
    On the LLVM dialect: each call of `@anvil_mtia_job__<program>(num_pes,
    values...)` left by `anvil-mtia-to-calls` becomes a stack array holding
    the values (8 bytes each) and `anvil_mtia_job_run(num_pes,
    @<program>_entry, array, name, nodes)`, where `@<program>_entry(pe,
    array)` loads the values and calls the PE program, and `name` and
    `nodes` are constant C strings of the program's `anvil.kernel` and
    `anvil.nodes` (its kernel and model nodes, set by `anvil-mtia-to-calls`)
    that label the job in reports and traces. The runtime (the simulator,
    or the device) then runs the program once per PE, so PEs may wait on
    each other.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // ANVIL_CONVERSION_PASSES_TD
