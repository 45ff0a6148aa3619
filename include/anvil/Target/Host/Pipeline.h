//===- Pipeline.h - The host compilation pipeline ---------------*- C++ -*-===//
#ifndef ANVIL_TARGET_HOST_PIPELINE_H
#define ANVIL_TARGET_HOST_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace anvil::host {

/// Where the host pipeline stops; each stage is an `--emit=` value of
/// anvil-compile.
enum class Stage { NN, Linalg, LLVM };

struct HostPipelineOptions
    : mlir::PassPipelineOptions<HostPipelineOptions> {
  Option<bool> vectorize{*this, "vectorize",
                         llvm::cl::desc("Tile and vectorize contractions and "
                                        "convolutions"),
                         llvm::cl::init(true)};
  Option<bool> parallel{*this, "parallel",
                        llvm::cl::desc("Run outer parallel loops on worker "
                                       "threads"),
                        llvm::cl::init(true)};
  Option<bool> gemmKernels{*this, "gemm-kernels",
                           llvm::cl::desc("Run f32 matmuls and convolutions "
                                          "on the host kernels"),
                           llvm::cl::init(true)};
  Option<int64_t> vectorWidth{*this, "vector-width",
                              llvm::cl::desc("f32 lanes per vector register "
                                             "(0: the host's)"),
                              llvm::cl::init(0)};
  Option<int64_t> vectorRegisters{
      *this, "vector-registers",
      llvm::cl::desc("Vector registers per core (0: the host's)"),
      llvm::cl::init(0)};
  Option<std::string> fusion{
      *this, "fusion",
      llvm::cl::desc("The fusion policy of elementwise chains and of the "
                     "host kernels' calls: one-op-per-kernel or welder"),
      llvm::cl::init("one-op-per-kernel")};
  Option<std::string> tiling{
      *this, "tiling",
      llvm::cl::desc("The tiling policy of thread blocks, parallel loops "
                     "and register blocks: fixed-tiles or roller"),
      llvm::cl::init("fixed-tiles")};
};

/// nn -> linalg on tensors (the graph-level part of the pipeline).
void buildNNToLinalgPipeline(mlir::OpPassManager &pm);

/// linalg on tensors -> LLVM dialect for the host.
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm,
                               const HostPipelineOptions &options);

/// The stages the MTIA pipeline shares: the edges between elementwise ops
/// that the fusion policy `fusion` connects, merged (on tensors); one-shot
/// bufferization with
/// caller-provided results and deallocation, and the lowering of buffers,
/// loops and arithmetic to the LLVM dialect (on OpenMP threads, in the
/// parallel loops of the tiling policy `tiling`, when `parallel`).
void addConnections(mlir::OpPassManager &pm, llvm::StringRef fusion);
void addBufferization(mlir::OpPassManager &pm);
void addLowerToLLVM(mlir::OpPassManager &pm, bool parallel,
                    llvm::StringRef tiling = "fixed-tiles");

/// Registers `anvil-host-pipeline` and the stage pipelines with anvil-opt.
void registerHostPipelines();

} // namespace anvil::host

#endif // ANVIL_TARGET_HOST_PIPELINE_H
