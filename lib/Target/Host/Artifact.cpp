//===- Artifact.cpp - Compiled model artifacts for the host ---------------===//
#include "anvil/Target/Host/Artifact.h"
#include "anvil/Config.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;
using namespace anvil::host;

#ifndef ANVIL_VERSION
#define ANVIL_VERSION "unknown"
#endif

std::string anvil::host::dtypeName(Type type) {
  if (type.isF32())
    return "float32";
  if (type.isF64())
    return "float64";
  if (type.isF16())
    return "float16";
  if (type.isInteger(1))
    return "bool";
  for (unsigned width : {8u, 16u, 32u, 64u}) {
    if (type.isSignlessInteger(width))
      return "int" + std::to_string(width);
    if (type.isUnsignedInteger(width))
      return "uint" + std::to_string(width);
  }
  return "";
}

static FailureOr<TensorSignature>
tensorSignature(Type type, DictionaryAttr attrs, StringRef fallback) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      dtypeName(tensor.getElementType()).empty())
    return failure();
  TensorSignature sig;
  auto name = attrs ? attrs.getAs<StringAttr>("anvil.name") : StringAttr();
  sig.name = name ? name.str() : fallback.str();
  sig.dtype = dtypeName(tensor.getElementType());
  sig.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  return sig;
}

FailureOr<ModelSignature> anvil::host::readSignature(ModuleOp module) {
  auto func = module.lookupSymbol<func::FuncOp>(kGraphFunction);
  if (!func) {
    module.emitError() << "module has no function @" << kGraphFunction;
    return failure();
  }
  ModelSignature signature;
  FunctionType type = func.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    auto sig = tensorSignature(type.getInput(i), func.getArgAttrDict(i),
                               "input" + std::to_string(i));
    if (failed(sig))
      return func.emitError()
             << "input " << i << " has type " << type.getInput(i)
             << "; artifacts need static tensors";
    signature.inputs.push_back(*sig);
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    auto sig = tensorSignature(type.getResult(i), func.getResultAttrDict(i),
                               "output" + std::to_string(i));
    if (failed(sig))
      return func.emitError()
             << "output " << i << " has type " << type.getResult(i)
             << "; artifacts need static tensors";
    signature.outputs.push_back(*sig);
  }
  return signature;
}

static llvm::json::Array tensorsJSON(const std::vector<TensorSignature> &ts) {
  llvm::json::Array array;
  for (const TensorSignature &t : ts) {
    llvm::json::Array shape;
    for (int64_t d : t.shape)
      shape.push_back(d);
    array.push_back(llvm::json::Object{
        {"name", t.name}, {"dtype", t.dtype}, {"shape", std::move(shape)}});
  }
  return array;
}

std::string anvil::host::metadataJSON(const ModelSignature &signature,
                                      StringRef target, int64_t weightBytes,
                                      StringRef machineDescription) {
  llvm::json::Object root{{"format_version", kArtifactFormatVersion},
                          {"compiler", "anvil"},
                          {"compiler_version", ANVIL_VERSION},
                          {"target", target},
                          {"inputs", tensorsJSON(signature.inputs)},
                          {"outputs", tensorsJSON(signature.outputs)},
                          {"weight_bytes", weightBytes}};
  // The artifact is host code for the CPU it was compiled on (a simulated
  // accelerator's too); the runtime refuses to load it where a feature
  // its code may use is missing, rather than fault on an instruction.
  llvm::json::Array features;
  for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
    if (enabled)
      features.push_back(name.str());
  llvm::sort(features,
             [](const llvm::json::Value &a, const llvm::json::Value &b) {
               return *a.getAsString() < *b.getAsString();
             });
  root["host_cpu"] = llvm::json::Object{{"name", llvm::sys::getHostCPUName()},
                                        {"features", std::move(features)}};
  // The host's description is not an accelerator's: the runtime simulates
  // the machines of `machine_description` only.
  if (!machineDescription.empty())
    root[target == "host" ? "host_description" : "machine_description"] =
        machineDescription;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(root));
  return text;
}

/// Bytes of the module's constant tensors (weights; not strings).
static int64_t constantTensorBytes(ModuleOp module) {
  int64_t bytes = 0;
  module.walk([&](LLVM::GlobalOp global) {
    auto value = dyn_cast_or_null<ElementsAttr>(global.getValueOrNull());
    if (global.getConstant() && value)
      bytes +=
          value.getNumElements() *
          llvm::divideCeil(value.getShapedType().getElementTypeBitWidth(), 8);
  });
  return bytes;
}

/// `void anvil_model_body(void **buffers)`: inputs, then outputs, each a
/// pointer to dense row-major data; calls the graph function.
static llvm::Function *addBody(llvm::Module &module, llvm::Function *graph) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptrTy = llvm::PointerType::getUnqual(ctx);
  auto *bodyTy =
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptrTy}, false);
  auto *body = llvm::Function::Create(bodyTy, llvm::Function::InternalLinkage,
                                      "anvil_model_body", module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", body));
  llvm::SmallVector<llvm::Value *> args;
  for (unsigned i = 0; i < graph->arg_size(); ++i) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptrTy, body->getArg(0), i);
    args.push_back(b.CreateLoad(ptrTy, slot));
  }
  b.CreateCall(graph, args);
  b.CreateRetVoid();
  return body;
}

/// `int anvil_model_run(void **buffers)`: the body through
/// anvil_run_guarded (anvil-c/Kernels.h), which returns 0, or
/// ANVIL_RUN_OUT_OF_MEMORY where the run could not allocate a buffer.
static void addEntryPoint(llvm::Module &module, llvm::Function *graph) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptrTy = llvm::PointerType::getUnqual(ctx);
  auto *i32Ty = llvm::Type::getInt32Ty(ctx);
  llvm::Function *body = addBody(module, graph);
  llvm::FunctionCallee guarded = module.getOrInsertFunction(
      "anvil_run_guarded",
      llvm::FunctionType::get(i32Ty, {ptrTy, ptrTy}, false));
  auto *entry = llvm::Function::Create(
      llvm::FunctionType::get(i32Ty, {ptrTy}, false),
      llvm::Function::ExternalLinkage, kEntrySymbol, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", entry));
  b.CreateRet(b.CreateCall(guarded, {body, entry->getArg(0)}));
}

/// `void anvil_model_release(void)`: frees the buffers the artifact's runs
/// keep for reuse, on every thread (anvil_release_buffers of the kernels
/// archive, whose own symbols the artifact does not export). The runtime
/// calls it before unloading the artifact.
static void addReleaseFunction(llvm::Module &module) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *voidFn = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false);
  llvm::FunctionCallee release =
      module.getOrInsertFunction("anvil_release_buffers", voidFn);
  auto *entry = llvm::Function::Create(voidFn, llvm::Function::ExternalLinkage,
                                       kReleaseSymbol, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", entry));
  b.CreateCall(release);
  b.CreateRetVoid();
}

std::unique_ptr<llvm::Module>
anvil::host::translateToArtifactIR(ModuleOp module, llvm::LLVMContext &context,
                                   const ModelSignature &signature,
                                   StringRef target,
                                   StringRef machineDescription) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "anvil_model");
  if (!llvmModule)
    return nullptr;
  llvm::Function *graph = llvmModule->getFunction(kGraphFunction);
  if (!graph) {
    module.emitError() << "no @" << kGraphFunction << " after lowering";
    return nullptr;
  }
  graph->setLinkage(llvm::GlobalValue::InternalLinkage);
  addEntryPoint(*llvmModule, graph);
  addReleaseFunction(*llvmModule);
  llvm::Constant *text = llvm::ConstantDataArray::getString(
      context,
      metadataJSON(signature, target, constantTensorBytes(module),
                   machineDescription),
      /*AddNull=*/true);
  new llvm::GlobalVariable(*llvmModule, text->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, text,
                           kMetadataSymbol);
  return llvmModule;
}

static llvm::Expected<std::unique_ptr<llvm::TargetMachine>> hostMachine() {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError(error);
  llvm::SubtargetFeatures features;
  for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
    features.AddFeature(name, enabled);
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), features.getString(),
      llvm::TargetOptions(), llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return llvm::createStringError("cannot create a target machine for " +
                                   triple.str());
  return machine;
}

llvm::Error anvil::host::writeHostObject(llvm::Module &module, StringRef path) {
  auto machine = hostMachine();
  if (!machine)
    return machine.takeError();
  module.setDataLayout((*machine)->createDataLayout());
  module.setTargetTriple((*machine)->getTargetTriple());
  if (llvm::Error err =
          makeOptimizingTransformer(3, 0, machine->get())(&module))
    return err;
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write " + path);
  llvm::legacy::PassManager pm;
  if ((*machine)->addPassesToEmitFile(pm, out.os(), nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the host target cannot emit objects");
  pm.run(module);
  out.keep();
  return llvm::Error::success();
}

llvm::Error
anvil::host::writeSharedLibrary(llvm::Module &module, StringRef path,
                                llvm::function_ref<void()> beforeLink) {
  llvm::SmallString<128> objectPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("anvil", "o", objectPath))
    return llvm::createStringError("cannot create a temporary object file: " +
                                   ec.message());
  llvm::sys::RemoveFileOnSignal(objectPath);
  llvm::scope_exit removeObject([&] {
    llvm::sys::fs::remove(objectPath);
    llvm::sys::DontRemoveFileOnSignal(objectPath);
  });
  if (llvm::Error err = writeHostObject(module, objectPath))
    return err;
  if (beforeLink)
    beforeLink();
  return linkSharedLibrary(objectPath, path);
}
