//===- Measure.cpp - Tiling candidates timed (--roller-measure) -----------===//
//
// A product is measured alone: a module whose graph function holds the
// product and whatever it reads that is computed from constants alone (its
// weights, its zero fill or bias), its other operands becoming the
// function's arguments. That module is compiled to an artifact as the
// whole model would be, loaded through the runtime's C API and run once on
// the simulator with deterministic inputs; the simulated cycles of the run
// are the candidate's measure. The first compilation runs the policy's own
// decision and reads its ranked candidates off the kernel it forms; each
// runner-up is then replayed as a decision written on the product.
//
//===----------------------------------------------------------------------===//

#include "Measure.h"

#include "anvil-c/Runtime.h"
#include "anvil/Sim/Half.h"
#include "anvil/Target/Host/Artifact.h"
#include "anvil/Target/MTIA/Decisions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"

#include <memory>
#include <random>
#include <vector>

using namespace mlir;
using namespace anvil;

namespace {

/// A candidate as a kernel records it: [tm, tn, tk, buffers, stage A,
/// stage B, predicted cycles].
using Candidate = SmallVector<int64_t, 8>;
constexpr size_t kCandidateFields = 7;

bool isProduct(Operation *op) {
  return isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNchwFchwOp,
             linalg::Conv2DNgchwGfchwOp>(op);
}

/// Whether `value` is computed from constants alone (weights, a zero
/// fill, a broadcast bias): the product measured alone keeps it.
bool fromConstants(Value value, DenseMap<Value, bool> &known) {
  if (auto it = known.find(value); it != known.end())
    return it->second;
  Operation *def = value.getDefiningOp();
  known[value] = false;
  if (!def)
    return false;
  SetVector<Value> captured;
  for (Region &region : def->getRegions())
    getUsedValuesDefinedAbove(region, captured);
  bool constant =
      llvm::all_of(def->getOperands(),
                   [&](Value v) { return fromConstants(v, known); }) &&
      llvm::all_of(captured, [&](Value v) { return fromConstants(v, known); });
  for (Value result : def->getResults())
    known[result] = constant;
  return constant;
}

/// Clones what `value` is computed from, then its producer, at `b`.
void cloneProducer(OpBuilder &b, Value value, IRMapping &map) {
  if (map.contains(value))
    return;
  Operation *def = value.getDefiningOp();
  SetVector<Value> captured;
  for (Region &region : def->getRegions())
    getUsedValuesDefinedAbove(region, captured);
  for (Value v : def->getOperands())
    cloneProducer(b, v, map);
  for (Value v : captured)
    cloneProducer(b, v, map);
  b.clone(*def, map);
}

/// `product` alone in a module with `module`'s attributes (its machine).
OwningOpRef<ModuleOp> extractProduct(ModuleOp module, Operation *product) {
  DenseMap<Value, bool> known;
  SmallVector<Value> arguments;
  for (Value v : product->getOperands())
    if (!fromConstants(v, known) && !llvm::is_contained(arguments, v))
      arguments.push_back(v);
  Location loc = product->getLoc();
  OwningOpRef<ModuleOp> alone = ModuleOp::create(loc);
  (*alone)->setAttrs(module->getAttrs());
  OpBuilder b = OpBuilder::atBlockEnd(alone->getBody());
  auto graph =
      func::FuncOp::create(b, loc, host::kGraphFunction,
                           b.getFunctionType(ValueRange(arguments).getTypes(),
                                             product->getResultTypes()));
  Block *body = graph.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRMapping map;
  map.map(arguments, body->getArguments());
  for (Value v : product->getOperands())
    cloneProducer(b, v, map);
  Operation *clone = b.clone(*product, map);
  func::ReturnOp::create(b, loc, clone->getResults());
  return alone;
}

/// The product op of a module made by extractProduct.
Operation *productOf(ModuleOp alone) {
  Operation *found = nullptr;
  alone.walk([&](Operation *op) {
    if (isProduct(op))
      found = op;
  });
  return found;
}

/// Calls `callback` on the module after each run of the pass `argument`.
struct AfterPass : PassInstrumentation {
  AfterPass(StringRef argument, std::function<void(Operation *)> callback)
      : argument(argument), callback(std::move(callback)) {}
  void runAfterPass(Pass *pass, Operation *op) override {
    if (pass->getArgument() == argument)
      callback(op);
  }
  std::string argument;
  std::function<void(Operation *)> callback;
};

/// A file in the system's temporary directory, removed when done.
struct TemporaryFile {
  llvm::SmallString<128> path;
  ~TemporaryFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
  llvm::Error create(StringRef suffix) {
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("anvil-measure", suffix, path))
      return llvm::createStringError("cannot create a temporary file: " +
                                     ec.message());
    return llvm::Error::success();
  }
};

/// Deterministic values in [-1, 1) for float tensors, zeros otherwise.
std::vector<char> inputValues(const AnvilTensor &t, std::mt19937 &random) {
  int64_t count = 1;
  for (int32_t d = 0; d < t.rank; ++d)
    count *= t.shape[d];
  std::vector<char> bytes(count * anvilDTypeSize(t.dtype));
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (int64_t i = 0; i < count; ++i) {
    if (t.dtype == ANVIL_DTYPE_FLOAT32)
      reinterpret_cast<float *>(bytes.data())[i] = uniform(random);
    else if (t.dtype == ANVIL_DTYPE_FLOAT16)
      reinterpret_cast<uint16_t *>(bytes.data())[i] =
          sim::floatToHalf(uniform(random));
  }
  return bytes;
}

/// The simulated cycles of one run of the artifact at `path`.
llvm::Expected<int64_t> simulateArtifact(StringRef path) {
  char *message = nullptr;
  AnvilModel *model = anvilModelLoad(path.str().c_str(), &message);
  auto fail = [&]() -> llvm::Error {
    std::string text = message ? message : "unknown error";
    anvilFreeError(message);
    return llvm::createStringError(text);
  };
  if (!model)
    return fail();
  llvm::scope_exit freeModel([&] { anvilModelFree(model); });
  std::mt19937 random(0);
  std::vector<std::vector<char>> data;
  std::vector<AnvilTensor> inputs, outputs;
  for (int32_t i = 0; i < anvilModelNumInputs(model); ++i) {
    inputs.push_back(anvilModelInput(model, i));
    data.push_back(inputValues(inputs.back(), random));
    inputs.back().data = data.back().data();
  }
  for (int32_t i = 0; i < anvilModelNumOutputs(model); ++i) {
    outputs.push_back(anvilModelOutput(model, i));
    data.push_back(inputValues(outputs.back(), random));
    outputs.back().data = data.back().data();
  }
  if (anvilModelRun(model, inputs.data(), inputs.size(), outputs.data(),
                    outputs.size(), &message) != 0)
    return fail();
  char *report = anvilModelSimReport(model, ANVIL_SIM_REPORT_JSON);
  if (!report)
    return llvm::createStringError("the run left no simulator report");
  llvm::scope_exit freeReport([&] { anvilFreeError(report); });
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(report);
  if (!parsed)
    return parsed.takeError();
  std::optional<int64_t> cycles =
      parsed->getAsObject() ? parsed->getAsObject()->getInteger("cycles")
                            : std::nullopt;
  if (!cycles)
    return llvm::createStringError("the simulator report has no cycles");
  return *cycles;
}

/// Compiles `alone` for `machine` as anvil-compile would, and simulates
/// one run of it; `afterKernels` sees the module once its kernels are
/// formed.
llvm::Expected<int64_t>
compileAndSimulate(ModuleOp alone, const mtia::MTIAPipelineOptions &options,
                   const target::TargetDesc &machine,
                   std::function<void(Operation *)> afterKernels) {
  FailureOr<host::ModelSignature> signature = host::readSignature(alone);
  if (failed(signature))
    return llvm::createStringError("its operands are not static tensors");
  PassManager pm(alone.getContext());
  mtia::buildLinalgToLLVMPipeline(pm, options);
  pm.addInstrumentation(std::make_unique<AfterPass>("anvil-mtia-form-kernels",
                                                    std::move(afterKernels)));
  if (failed(pm.run(alone)))
    return llvm::createStringError("its compilation failed");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = host::translateToArtifactIR(
      alone, llvmContext, *signature, machine.name, machine.json);
  if (!llvmModule)
    return llvm::createStringError("its translation to LLVM IR failed");
  TemporaryFile library;
  if (llvm::Error err = library.create("so"))
    return std::move(err);
  if (llvm::Error err = host::writeSharedLibrary(*llvmModule, library.path))
    return std::move(err);
  return simulateArtifact(library.path);
}

/// The ranked candidates recorded on the first DPE kernel of `module`.
SmallVector<Candidate> recordedCandidates(Operation *module) {
  SmallVector<Candidate> found;
  module->walk([&](Operation *op) {
    auto recorded = op->getAttrOfType<ArrayAttr>(mtia::kProductCandidatesAttr);
    if (!recorded || !found.empty())
      return;
    for (Attribute a : recorded)
      if (auto c = dyn_cast<DenseI64ArrayAttr>(a);
          c && c.size() == kCandidateFields)
        found.push_back(Candidate(c.asArrayRef()));
  });
  return found;
}

/// Writes `c` on `op` as its decision.
void decide(Operation *op, const Candidate &c) {
  Builder b(op->getContext());
  op->setAttr(mtia::kProductTilesAttr,
              b.getDenseI64ArrayAttr({c[0], c[1], c[2]}));
  op->setAttr(mtia::kProductBuffersAttr, b.getI64IntegerAttr(c[3]));
  op->setAttr(mtia::kProductStagingAttr,
              b.getDenseBoolArrayAttr({c[4] != 0, c[5] != 0}));
}

/// What measuring one product found: each candidate with its simulated
/// cycles appended, in the policy's order, and the fastest.
struct Measured {
  SmallVector<Candidate> candidates;
  size_t fastest = 0;
};

/// Measures the first `count` candidates of the product of `alone`
/// (extractProduct's module, which each compilation works on a copy of);
/// errors go on `product`, the op in the model.
FailureOr<Measured> measure(ModuleOp alone, Operation *product,
                            const mtia::MTIAPipelineOptions &options,
                            const target::TargetDesc &machine, int64_t count) {
  Measured m;
  auto report = [&](const Twine &which, llvm::Error err) {
    product->emitError("--roller-measure: ")
        << which
        << " could not be measured alone: " << llvm::toString(std::move(err));
    return failure();
  };
  mtia::MTIAPipelineOptions ranked;
  ranked.copyOptionValuesFrom(options);
  ranked.tilingCandidates = count;
  OwningOpRef<ModuleOp> first = alone.clone();
  llvm::Expected<int64_t> cycles =
      compileAndSimulate(*first, ranked, machine, [&](Operation *formed) {
        m.candidates = recordedCandidates(formed);
      });
  if (!cycles)
    return report("the policy's decision", cycles.takeError());
  if (m.candidates.empty())
    return m;
  m.candidates.front().push_back(*cycles);
  for (size_t i = 1; i < m.candidates.size(); ++i) {
    OwningOpRef<ModuleOp> replay = alone.clone();
    decide(productOf(*replay), m.candidates[i]);
    llvm::Expected<int64_t> replayed =
        compileAndSimulate(*replay, options, machine, [](Operation *) {});
    if (!replayed)
      return report("candidate " + Twine(i), replayed.takeError());
    m.candidates[i].push_back(*replayed);
    if (*replayed < m.candidates[m.fastest].back())
      m.fastest = i;
  }
  return m;
}

/// What identifies a product's measure: the module it is measured in, with
/// its constants' values left out (they do not change simulated time).
std::string shapeKey(ModuleOp alone) {
  std::string key;
  llvm::raw_string_ostream os(key);
  alone->print(os, OpPrintingFlags().elideLargeElementsAttrs(1));
  return key;
}

} // namespace

LogicalResult
anvil::measureProductTiles(ModuleOp module,
                           const mtia::MTIAPipelineOptions &options,
                           const target::TargetDesc &machine, int64_t count) {
  SmallVector<Operation *> products;
  module.walk([&](Operation *op) {
    if (isProduct(op) && !op->hasAttr(mtia::kProductTilesAttr))
      products.push_back(op);
  });
  llvm::StringMap<Measured> byShape;
  for (Operation *product : products) {
    OwningOpRef<ModuleOp> alone = extractProduct(module, product);
    std::string key = shapeKey(*alone);
    auto known = byShape.find(key);
    if (known == byShape.end()) {
      FailureOr<Measured> m = measure(*alone, product, options, machine, count);
      if (failed(m))
        return failure();
      known = byShape.insert({key, std::move(*m)}).first;
    }
    const Measured &m = known->second;
    if (m.candidates.empty())
      continue;
    decide(product, m.candidates[m.fastest]);
    Builder b(product->getContext());
    SmallVector<Attribute> measured;
    for (const Candidate &c : m.candidates)
      measured.push_back(b.getDenseI64ArrayAttr(c));
    product->setAttr(mtia::kProductMeasuredAttr, b.getArrayAttr(measured));
  }
  return success();
}
