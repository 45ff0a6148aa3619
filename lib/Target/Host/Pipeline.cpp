//===- Pipeline.cpp - The host compilation pipeline -----------------------===//
//
// Upstream MLIR passes do all the generic work; Anvil's own passes are the
// nn lowering and the tiling policy.
//
//===----------------------------------------------------------------------===//

#include "anvil/Target/Host/Pipeline.h"

#include "anvil/Conversion/Passes.h"
#include "anvil/Policy/Tiling.h"
#include "anvil/Target/HostDesc.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void anvil::host::buildNNToLinalgPipeline(OpPassManager &pm) {
  // Folding first so that constant shape computations never reach linalg.
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(anvil::createConvertNNUnsignedToSignless());
  pm.addNestedPass<func::FuncOp>(anvil::createConvertNNToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // What a loop's body computes from values defined outside it alone (the
  // transpose of a recurrent weight) runs once, before the loop; folding
  // may then fold it into a constant.
  pm.addPass(createLoopInvariantCodeMotionPass());
  pm.addPass(createCanonicalizerPass());
}

void anvil::host::addBufferization(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(anvil::createFillPerUse());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // A loop's body may yield a new tensor for a carried value (an nn.loop
  // body is any graph); the deallocation pipeline frees the previous one.
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addNestedPass<func::FuncOp>(anvil::createDistinctResults());
  // Results become caller-provided buffers: the runtime owns all I/O memory.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  // Deallocation inside branches can call a generated helper taking
  // dynamic memrefs, which the bare-pointer calling convention cannot
  // express: inline it (the inliner then drops the private function).
  pm.addPass(createInlinerPass());
  pm.addPass(anvil::createHostFlattenGlobals());
}

void anvil::host::addLowerToLLVM(OpPassManager &pm, bool parallel,
                                 StringRef tiling) {
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  anvil::HostPrepareForLLVMOptions prepare;
  prepare.tiling = tiling.str();
  // Without threads every parallel loop runs sequentially: one is enough,
  // and no host description is needed to choose.
  if (!parallel)
    prepare.parallelIterations = 1;
  pm.addNestedPass<func::FuncOp>(anvil::createHostPrepareForLLVM(prepare));
  // Full unrolling keeps multi-dimensional transfers in registers; the
  // default lowering stages them through stack buffers allocated inside
  // loop bodies, which grow the stack on every iteration.
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  // Parallel loops run on OpenMP worker threads (LLVM's libomp); without
  // them, scf-to-cf lowers scf.parallel to sequential loops.
  if (parallel)
    pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // exp, tanh, log and erf in f32 become polynomials on whole vectors;
  // integer powers become helper functions; the rest of math goes to LLVM
  // intrinsics where it has one (fma, floor, sqrt: one instruction on a
  // whole vector, where libm takes a call per element), else to libm.
  pm.addNestedPass<func::FuncOp>(anvil::createHostApproximateMath());
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  // Before scf-to-cf: the OpenMP conversion wraps loop bodies in
  // memref.alloca_scope, which must still hold a single block here.
  // Buffers come from the artifact's own allocator (lib/Runtime/Kernels/
  // Memory.cpp), which reuses them from run to run.
  FinalizeMemRefToLLVMConversionPassOptions memrefOptions;
  memrefOptions.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOptions));
  // Without rollback: the driver that can roll a conversion back records
  // every op a loop's lowering moves, so a function of many loops (one per
  // small kernel left on the calling thread) cost time and memory
  // quadratic in its size (100 small products: 4.6 s and 850 MB here).
  SCFToControlFlowPassOptions cfOptions;
  cfOptions.allowPatternRollback = false;
  pm.addPass(createSCFToControlFlowPass(cfOptions));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  // Static shapes: a buffer is a plain pointer at the ABI, which keeps the
  // artifact's entry point callable from C.
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  if (parallel)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void anvil::host::addConnections(OpPassManager &pm, StringRef fusion) {
  DecideConnectionsOptions decide;
  decide.policy = fusion.str();
  pm.addPass(anvil::createDecideConnections(decide));
  pm.addPass(anvil::createConnectElementwise());
}

void anvil::host::buildLinalgToLLVMPipeline(
    OpPassManager &pm, const HostPipelineOptions &options) {
  addConnections(pm, options.fusion);
  if (options.vectorize) {
    // Tile sizes come from the host description the module carries (this
    // machine's where it carries none), unless the options pin its vector
    // registers.
    anvil::HostTileAndVectorizeOptions tiling;
    tiling.vectorWidth = options.vectorWidth;
    tiling.tiling = options.tiling;
    std::unique_ptr<policy::TilingPolicy> tilingPolicy =
        policy::createTilingPolicy(options.tiling);
    if (options.vectorRegisters > 0 && tilingPolicy) {
      target::HostDesc pinned;
      pinned.vectorRegisters = options.vectorRegisters;
      policy::RegisterBlock block = tilingPolicy->registerBlock(pinned);
      tiling.rowTile = block.rows;
      tiling.reductionTile = block.depth;
    }
    tiling.leaveGemmOps = options.gemmKernels;
    pm.addNestedPass<func::FuncOp>(anvil::createHostTileAndVectorize(tiling));
    pm.addPass(createCanonicalizerPass());
  }
  addBufferization(pm);
  if (options.vectorize && options.gemmKernels) {
    pm.addPass(anvil::createHostFusion({options.fusion, options.tiling}));
    pm.addPass(anvil::createHostGemmKernels({options.tiling}));
  }
  addLowerToLLVM(pm, options.parallel, options.tiling);
}

void anvil::host::registerHostPipelines() {
  PassPipelineRegistration<>("anvil-nn-to-linalg",
                             "nn to linalg on tensors, canonicalized",
                             buildNNToLinalgPipeline);
  PassPipelineRegistration<HostPipelineOptions>(
      "anvil-host-pipeline", "nn to the LLVM dialect for the host",
      [](OpPassManager &pm, const HostPipelineOptions &options) {
        buildNNToLinalgPipeline(pm);
        buildLinalgToLLVMPipeline(pm, options);
      });
}
