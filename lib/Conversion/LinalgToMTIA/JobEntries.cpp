//===- JobEntries.cpp - Launch PE programs through anvil_mtia_job_run -----===//
//
// anvil-mtia-to-calls leaves each launch as a call of a declaration named
// after its PE program. Here, on the LLVM dialect, the program's values go
// into a stack array of 8-byte slots, and the launch becomes
// anvil_mtia_job_run(num_pes, entry, array, name, nodes, predicted), where
// the entry loads them back and calls the program for one PE, the two
// strings (the kernel, its model nodes) label the job in reports and
// traces, and `predicted` is the cost model's cycles for it (-1: none). The
// runtime decides how PEs run (the simulator: as fibers that may wait on
// each other).
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace anvil {
#define GEN_PASS_DEF_MTIAJOBENTRIES
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kJobRun = "anvil_mtia_job_run";
constexpr llvm::StringLiteral kWave = "anvil_mtia_wave";

/// `@<program>_entry(pe: i64, values: ptr)`: loads the program's values from
/// their slots and calls it.
LLVM::LLVMFuncOp buildEntry(OpBuilder &b, LLVM::LLVMFuncOp program) {
  Location loc = program.getLoc();
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = b.getI64Type();
  auto entry = LLVM::LLVMFuncOp::create(
      b, loc, (program.getName() + "_entry").str(),
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {i64, ptr}));
  OpBuilder::InsertionGuard guard(b);
  Block *block = entry.addEntryBlock(b);
  b.setInsertionPointToStart(block);
  SmallVector<Value> args{block->getArgument(0)};
  ArrayRef<Type> params = program.getFunctionType().getParams();
  for (auto [i, type] : llvm::enumerate(params.drop_front())) {
    auto slot = LLVM::GEPOp::create(b, loc, ptr, i64, block->getArgument(1),
                                    ArrayRef<LLVM::GEPArg>{int32_t(i)});
    args.push_back(LLVM::LoadOp::create(b, loc, type, slot));
  }
  LLVM::CallOp::create(b, loc, program, args);
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  return entry;
}

/// Declares anvil_mtia_job_run(i64, ptr, ptr, ptr, ptr, i64) once.
LLVM::LLVMFuncOp declareJobRun(OpBuilder &b, ModuleOp module) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(kJobRun))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  return LLVM::LLVMFuncOp::create(
      b, module.getLoc(), kJobRun,
      LLVM::LLVMFunctionType::get(
          LLVM::LLVMVoidType::get(ctx),
          {b.getI64Type(), ptr, ptr, ptr, ptr, b.getI64Type()}));
}

/// A constant C string named after `program`, its address built at `b`.
Value labelString(OpBuilder &b, Location loc, LLVM::LLVMFuncOp program,
                  StringRef attr, StringRef suffix) {
  auto text = program->getAttrOfType<StringAttr>(attr);
  std::string value = text ? text.getValue().str() : "";
  value.push_back('\0');
  return LLVM::createGlobalString(loc, b, (program.getName() + suffix).str(),
                                  value, LLVM::Linkage::Internal);
}

/// The calls of kMTIAWaveMark(index) in `program` become
/// anvil_mtia_wave(kernels, nodes, predicted) with the wave's labels.
void labelWaves(ModuleOp module, LLVM::LLVMFuncOp program) {
  auto kernels = program->getAttrOfType<ArrayAttr>(anvil::kMTIAWaveKernelsAttr);
  auto nodes = program->getAttrOfType<ArrayAttr>(anvil::kMTIAWaveNodesAttr);
  auto cycles =
      program->getAttrOfType<DenseI64ArrayAttr>(anvil::kMTIAWaveCyclesAttr);
  SmallVector<LLVM::CallOp> marks;
  program.walk([&](LLVM::CallOp call) {
    if (call.getCallee() == anvil::kMTIAWaveMark)
      marks.push_back(call);
  });
  if (marks.empty())
    return;
  OpBuilder b(module.getContext());
  MLIRContext *ctx = b.getContext();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  LLVM::LLVMFuncOp wave = module.lookupSymbol<LLVM::LLVMFuncOp>(kWave);
  if (!wave) {
    b.setInsertionPointToStart(module.getBody());
    wave = LLVM::LLVMFuncOp::create(
        b, module.getLoc(), kWave,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                    {ptr, ptr, b.getI64Type()}));
  }
  for (LLVM::CallOp mark : marks) {
    Location loc = mark.getLoc();
    b.setInsertionPoint(mark);
    int64_t index = -1;
    if (auto constant =
            mark.getArgOperands()[0].getDefiningOp<LLVM::ConstantOp>())
      index = cast<IntegerAttr>(constant.getValue()).getInt();
    auto label = [&](ArrayAttr texts, StringRef suffix) -> Value {
      std::string value;
      if (texts && index >= 0 && index < static_cast<int64_t>(texts.size()))
        value = cast<StringAttr>(texts[index]).getValue().str();
      value.push_back('\0');
      std::string name =
          (program.getName() + "_wave" + Twine(index) + suffix).str();
      // A wave entered from several places (a loop's idle PEs) has one
      // label.
      if (auto global = module.lookupSymbol<LLVM::GlobalOp>(name))
        return LLVM::AddressOfOp::create(b, loc, global).getResult();
      return LLVM::createGlobalString(loc, b, name, value,
                                      LLVM::Linkage::Internal);
    };
    Value names = label(kernels, "_kernels");
    Value models = label(nodes, "_nodes");
    int64_t predicted =
        cycles && index >= 0 && index < static_cast<int64_t>(cycles.size())
            ? cycles[index]
            : -1;
    Value predictedValue = LLVM::ConstantOp::create(
        b, loc, b.getI64Type(), b.getI64IntegerAttr(predicted));
    LLVM::CallOp::create(b, loc, wave,
                         ValueRange{names, models, predictedValue});
    mark.erase();
  }
}

LogicalResult lowerLaunch(ModuleOp module, LLVM::CallOp launch) {
  StringRef name = launch.getCallee()->drop_front(anvil::kMTIAJobPrefix.size());
  auto program = module.lookupSymbol<LLVM::LLVMFuncOp>(name);
  if (!program)
    return launch.emitOpError("launches PE program '")
           << name << "', which the module does not define";
  labelWaves(module, program);
  OpBuilder b(module.getContext());
  b.setInsertionPointAfter(program);
  LLVM::LLVMFuncOp entry = buildEntry(b, program);
  // Both are reached only through the job: nothing outside the module
  // calls them.
  program.setLinkage(LLVM::Linkage::Internal);
  entry.setLinkage(LLVM::Linkage::Internal);
  LLVM::LLVMFuncOp jobRun = declareJobRun(b, module);

  Location loc = launch.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto i64 = b.getI64Type();
  ValueRange values = launch.getArgOperands().drop_front();
  // In the entry block, so that a launch inside a loop reuses one array.
  auto func = launch->getParentOfType<LLVM::LLVMFuncOp>();
  b.setInsertionPointToStart(&func.getBody().front());
  Value count = LLVM::ConstantOp::create(
      b, loc, i64, b.getI64IntegerAttr(std::max<size_t>(values.size(), 1)));
  Value array = LLVM::AllocaOp::create(b, loc, ptr, i64, count);
  b.setInsertionPoint(launch);
  for (auto [i, value] : llvm::enumerate(values)) {
    auto slot = LLVM::GEPOp::create(b, loc, ptr, i64, array,
                                    ArrayRef<LLVM::GEPArg>{int32_t(i)});
    LLVM::StoreOp::create(b, loc, value, slot);
  }
  Value address = LLVM::AddressOfOp::create(b, loc, entry);
  Value kernel = labelString(b, loc, program, anvil::kMTIAKernelAttr, "_name");
  Value nodes = labelString(b, loc, program, anvil::kMTIANodesAttr, "_nodes");
  auto predicted =
      program->getAttrOfType<IntegerAttr>(anvil::kMTIAPredictedCyclesAttr);
  Value cycles = LLVM::ConstantOp::create(
      b, loc, i64, b.getI64IntegerAttr(predicted ? predicted.getInt() : -1));
  LLVM::CallOp::create(b, loc, jobRun,
                       ValueRange{launch.getArgOperands().front(), address,
                                  array, kernel, nodes, cycles});
  launch.erase();
  return success();
}

struct MTIAJobEntriesPass
    : anvil::impl::MTIAJobEntriesBase<MTIAJobEntriesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::CallOp> launches;
    module.walk([&](LLVM::CallOp call) {
      if (call.getCallee() &&
          call.getCallee()->starts_with(anvil::kMTIAJobPrefix))
        launches.push_back(call);
    });
    for (LLVM::CallOp launch : launches)
      if (failed(lowerLaunch(module, launch)))
        return signalPassFailure();
    for (auto decl : llvm::to_vector(module.getOps<LLVM::LLVMFuncOp>()))
      if (decl.isExternal() &&
          (decl.getName().starts_with(anvil::kMTIAJobPrefix) ||
           decl.getName() == anvil::kMTIAWaveMark))
        decl.erase();
  }
};

} // namespace
