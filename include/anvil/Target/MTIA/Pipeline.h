//===- Pipeline.h - The MTIA-like target's compilation pipeline -*- C++ -*-===//
#ifndef ANVIL_TARGET_MTIA_PIPELINE_H
#define ANVIL_TARGET_MTIA_PIPELINE_H

#include "anvil/Target/TargetDesc.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <string>

namespace anvil::mtia {

struct MTIAPipelineOptions
    : mlir::PassPipelineOptions<MTIAPipelineOptions> {
  Option<std::string> dpeType{
      *this, "dpe-type",
      llvm::cl::desc("Input type of the DPE for f32 products: f16 or bf16 "
                     "(f32 accumulation), or i8 (quantized, i32 "
                     "accumulation)"),
      llvm::cl::init("f16")};
  Option<bool> sramStaging{
      *this, "sram-staging",
      llvm::cl::desc("Stage the operands a product reads more than once "
                     "through SRAM"),
      llvm::cl::init(true)};
  Option<bool> implicitPatches{
      *this, "implicit-patches",
      llvm::cl::desc("Convolutions whose DPE kernel can gather its patches "
                     "from the image write no im2col buffer"),
      llvm::cl::init(true)};
  Option<int64_t> tilingCandidates{
      *this, "tiling-candidates",
      llvm::cl::desc("How many of the tiling policy's ranked candidates a "
                     "product's kernel records (anvil.product_candidates)"),
      llvm::cl::init(10)};
  // The policy of each room (anvil/Policy/Rooms.h).
  Option<std::string> fusion{
      *this, "fusion",
      llvm::cl::desc("The fusion policy: one-op-per-kernel or welder"),
      llvm::cl::init("one-op-per-kernel")};
  Option<std::string> tiling{
      *this, "tiling", llvm::cl::desc("The tiling policy: fixed-tiles or roller"),
      llvm::cl::init("fixed-tiles")};
  Option<std::string> scheduler{
      *this, "scheduler", llvm::cl::desc("The scheduler: in-order"),
      llvm::cl::init("in-order")};
  Option<std::string> placement{
      *this, "placement",
      llvm::cl::desc("The control-flow placement: host-driven or grinder"),
      llvm::cl::init("host-driven")};
};

/// linalg on tensors -> LLVM dialect for the MTIA-like machine: bufferize,
/// one mtia kernel per op, calls of the PE operations, then the host's
/// lowering of loops and buffers (the simulator runs the result).
void buildLinalgToLLVMPipeline(mlir::OpPassManager &pm,
                               const MTIAPipelineOptions &options);

/// Registers `anvil-mtia-pipeline` (linalg on tensors, on a module that
/// carries its #mtia.target as `anvil-compile --target=... --emit=linalg`
/// writes it, to the LLVM dialect) with anvil-opt.
void registerMTIAPipelines();

/// Writes the artifact's LLVM IR as a riscv64 (+v) ELF object, the PE
/// cores' instruction set: calls of the PE operations become the custom-0
/// instructions of docs/ISA.md, and the simulator's accounting calls are
/// dropped.
llvm::Error writeRISCVObject(llvm::Module &module, llvm::StringRef path);

} // namespace anvil::mtia

#endif // ANVIL_TARGET_MTIA_PIPELINE_H
