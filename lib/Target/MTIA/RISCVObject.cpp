//===- RISCVObject.cpp - PE code as a riscv64 object ----------------------===//
//
// The PE's cores are riscv64 with the vector extension. Calls of the PE
// operations (anvil-c/MTIA.h) become the custom-0 instructions of
// docs/ISA.md: operands that do not fit two registers go in a descriptor
// of 64-bit words whose address is rs1, and the token comes back in rd.
// The simulator's accounting calls are dropped (on hardware the code's own
// execution is its cost); job control stays as calls of the device runtime.
//
//===----------------------------------------------------------------------===//

#include "anvil/Target/MTIA/Pipeline.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

using namespace llvm;

namespace {

/// How a PE operation is encoded (docs/ISA.md, "Encoding on riscv64").
struct Encoding {
  enum Kind {
    Descriptor,
    TokenOperand,
    TwoOperands,
    NoOperands,
    Result,
    Dropped,
    None
  } kind = None;
  int funct3 = 0, funct7 = 0;
};

Encoding encodingOf(StringRef callee) {
  using E = Encoding;
  return StringSwitch<Encoding>(callee)
      .Case("anvil_mtia_dma", {E::Descriptor, 0, 0})
      .Case("anvil_mtia_dma_broadcast", {E::Descriptor, 0, 1})
      .Case("anvil_mtia_dma_gather", {E::Descriptor, 0, 2})
      .Case("anvil_mtia_dpe_matmul", {E::Descriptor, 1, 0})
      .Case("anvil_mtia_se_convert", {E::Descriptor, 2, 0})
      .Case("anvil_mtia_se_binary", {E::Descriptor, 2, 1})
      .Case("anvil_mtia_se_lut", {E::Descriptor, 2, 2})
      .Case("anvil_mtia_re_accumulate", {E::Descriptor, 3, 0})
      .Case("anvil_mtia_re_forward", {E::Descriptor, 3, 1})
      .Case("anvil_mtia_wait", {E::TokenOperand, 4, 0})
      .Case("anvil_mtia_barrier", {E::NoOperands, 4, 1})
      .Case("anvil_mtia_barrier_pes", {E::TwoOperands, 4, 4})
      .Case("anvil_mtia_sem_signal", {E::TwoOperands, 4, 2})
      .Case("anvil_mtia_sem_wait", {E::TwoOperands, 4, 3})
      .Case("anvil_mtia_pe_id", {E::Result, 5, 0})
      .Case("anvil_mtia_num_pes", {E::Result, 5, 1})
      .Case("anvil_mtia_local_base", {E::Result, 5, 2})
      .Case("anvil_mtia_sram_base", {E::Result, 5, 3})
      .Case("anvil_mtia_vector_work", {E::Dropped, 0, 0})
      .Case("anvil_mtia_vector_traffic", {E::Dropped, 0, 0})
      .Case("anvil_mtia_wave", {E::Dropped, 0, 0})
      .Default({});
}

std::string insn(const Encoding &e, StringRef rd, StringRef rs1,
                 StringRef rs2 = "x0") {
  return formatv(".insn r 0x0B, {0}, {1}, {2}, {3}, {4}", e.funct3, e.funct7,
                 rd, rs1, rs2)
      .str();
}

/// Replaces one call of a PE operation by its instruction.
void encodeCall(CallInst *call, const Encoding &e) {
  IRBuilder<> b(call);
  LLVMContext &ctx = call->getContext();
  Type *i64 = b.getInt64Ty();
  Value *replacement = nullptr;
  switch (e.kind) {
  case Encoding::Descriptor: {
    // The descriptor lives in the function's frame, one word per operand.
    IRBuilder<> entry(&*call->getFunction()->getEntryBlock().begin());
    auto *words = ArrayType::get(i64, call->arg_size());
    Value *descriptor = entry.CreateAlloca(words);
    for (unsigned i = 0; i < call->arg_size(); ++i) {
      Value *word = b.CreateSExtOrBitCast(call->getArgOperand(i), i64);
      b.CreateStore(word, b.CreateConstGEP2_32(words, descriptor, 0, i));
    }
    auto *type = FunctionType::get(i64, {PointerType::getUnqual(ctx)}, false);
    replacement = b.CreateCall(
        InlineAsm::get(type, insn(e, "$0", "$1"), "=r,r,~{memory}", true),
        {descriptor});
    break;
  }
  case Encoding::TokenOperand: {
    auto *type = FunctionType::get(b.getVoidTy(), {i64}, false);
    b.CreateCall(InlineAsm::get(type, insn(e, "x0", "$0"), "r,~{memory}", true),
                 {call->getArgOperand(0)});
    break;
  }
  case Encoding::TwoOperands: {
    Value *first = b.CreateSExtOrBitCast(call->getArgOperand(0), i64);
    Value *second = b.CreateSExtOrBitCast(call->getArgOperand(1), i64);
    auto *type = FunctionType::get(b.getVoidTy(), {i64, i64}, false);
    b.CreateCall(
        InlineAsm::get(type, insn(e, "x0", "$0", "$1"), "r,r,~{memory}", true),
        {first, second});
    break;
  }
  case Encoding::NoOperands: {
    auto *type = FunctionType::get(b.getVoidTy(), {}, false);
    b.CreateCall(InlineAsm::get(type, insn(e, "x0", "x0"), "~{memory}", true),
                 {});
    break;
  }
  case Encoding::Result: {
    auto *type = FunctionType::get(call->getType(), {}, false);
    replacement = b.CreateCall(
        InlineAsm::get(type, insn(e, "$0", "x0"), "=r,~{memory}", true), {});
    break;
  }
  case Encoding::Dropped:
  case Encoding::None:
    break;
  }
  if (replacement)
    call->replaceAllUsesWith(replacement);
  call->eraseFromParent();
}

void encodePEOperations(Module &module) {
  SmallVector<std::pair<CallInst *, Encoding>> calls;
  for (Function &f : module)
    for (Instruction &inst : instructions(f))
      if (auto *call = dyn_cast<CallInst>(&inst))
        if (Function *callee = call->getCalledFunction()) {
          Encoding e = encodingOf(callee->getName());
          if (e.kind != Encoding::None)
            calls.push_back({call, e});
        }
  for (auto [call, e] : calls)
    encodeCall(call, e);
}

} // namespace

llvm::Error anvil::mtia::writeRISCVObject(Module &module, StringRef path) {
  InitializeAllTargetInfos();
  InitializeAllTargets();
  InitializeAllTargetMCs();
  InitializeAllAsmPrinters();
  InitializeAllAsmParsers();
  Triple triple("riscv64-unknown-linux-gnu");
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError("this LLVM has no riscv64 backend: " + error);
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, "generic-rv64", "+m,+a,+f,+d,+c,+v", TargetOptions(), Reloc::PIC_,
      std::nullopt, CodeGenOptLevel::Aggressive));
  if (!machine)
    return createStringError("cannot create a riscv64 target machine");
  encodePEOperations(module);
  module.setDataLayout(machine->createDataLayout());
  module.setTargetTriple(triple);
  if (Error err = mlir::makeOptimizingTransformer(3, 0, machine.get())(&module))
    return err;
  std::error_code ec;
  ToolOutputFile out(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, "cannot write " + path);
  legacy::PassManager pm;
  if (machine->addPassesToEmitFile(pm, out.os(), nullptr,
                                   CodeGenFileType::ObjectFile))
    return createStringError("the riscv64 backend cannot emit objects");
  pm.run(module);
  out.keep();
  return Error::success();
}
