//===- anvil-compile.cpp - The Anvil compiler driver ----------------------===//
//
// anvil-compile MODEL [-o OUT] [--emit=nn|linalg|llvm|obj|lib]
//               [--target=host|mtia-v1|mtia-2i|FILE.json]
//               [--dpe-type=f16|bf16|i8]
//               [--sram-staging=false] [--roller-measure=K]
//               [--input-shape=NAME:DIMS ...]
//               [--bind-input=NAME=FILE.pb ...] [--check]
//
// MODEL is an ONNX file, a torch.export .pt2 archive or nn-dialect MLIR.
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/Passes.h"
#include "anvil/Dialect/MTIA/IR/MTIADialect.h"
#include "anvil/Dialect/MTIA/IR/Machine.h"
#include "anvil/Dialect/NN/IR/NNDialect.h"
#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/ONNX.h"
#include "anvil/Import/Torch.h"
#include "anvil/Policy/Rooms.h"
#include "anvil/Policy/Schedule.h"
#include "anvil/Target/Host/Artifact.h"
#include "anvil/Target/Host/Pipeline.h"
#include "anvil/Target/HostDesc.h"
#include "anvil/Target/MTIA/Pipeline.h"
#include "anvil/Target/TargetDesc.h"
#include "anvil/Tools/ExitCodes.h"
#include "anvil/Tools/Version.h"

#include "Measure.h"
#include "Output.h"
#include "Phases.h"
#include "Report.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

#include <unistd.h>

using namespace mlir;
using namespace anvil;
namespace cl = llvm::cl;

namespace {

enum class Emit { NN, Linalg, LLVM, Obj, Lib };

cl::OptionCategory category("anvil-compile options");
cl::list<std::string>
    inputPaths(cl::Positional,
               cl::desc("<model.onnx | model.pt2 | model.mlir> (--check: "
                        "several, or directories of them)"),
               cl::cat(category));
/// The model being compiled or checked.
std::string inputPath;
cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                cl::value_desc("path"), cl::cat(category));
cl::opt<Emit>
    emit("emit", cl::desc("What to produce"), cl::init(Emit::Lib),
         cl::values(clEnumValN(Emit::NN, "nn", "the imported nn-dialect IR"),
                    clEnumValN(Emit::Linalg, "linalg", "linalg on tensors"),
                    clEnumValN(Emit::LLVM, "llvm", "LLVM IR (.ll)"),
                    clEnumValN(Emit::Obj, "obj", "an object file"),
                    clEnumValN(Emit::Lib, "lib",
                               "a shared library artifact (default)")),
         cl::cat(category));
cl::opt<std::string> target(
    "target",
    cl::desc("Target machine: host (this machine), host:FILE.json (a host "
             "description, for reproducible builds), a machine description "
             "in targets/ (mtia-v1, mtia-2i) or the path of one's .json"),
    cl::init("host"), cl::cat(category));
cl::opt<std::string> dpeType(
    "dpe-type",
    cl::desc("Precision policy of accelerator targets: the DPE input type "
             "f32 products run in (f16 or bf16 with f32 accumulation, or i8 "
             "quantized per row and column with i32 accumulation)"),
    cl::init("f16"), cl::cat(category));
cl::opt<bool> sramStaging(
    "sram-staging",
    cl::desc("Accelerator targets: stage the operands a product reads more "
             "than once through SRAM (default on; "
             "--sram-staging=false reads them from DRAM)"),
    cl::init(true), cl::cat(category));
cl::opt<bool> implicitPatches(
    "implicit-patches",
    cl::desc("Accelerator targets: convolutions whose DPE kernel can gather "
             "its patches from the image write no im2col buffer (default "
             "on; --implicit-patches=false writes one)"),
    cl::init(true), cl::cat(category));
cl::list<std::string> disabledPasses(
    "disable",
    cl::desc("Leave out scheduling passes (welder, roller, rammer, grinder): "
             "their rooms run their first implementations, for ablations"),
    cl::value_desc("PASS,..."), cl::CommaSeparated, cl::cat(category));
cl::opt<std::string> welderLevels(
    "welder-levels",
    cl::desc("Connect kernels only down to this level, for ablations: local "
             "(the default: elementwise chains merged in local memory, and "
             "on accelerator targets intermediates between kernels kept in "
             "SRAM), sram (accelerator targets: intermediates in SRAM, no "
             "chain merged) or dram (neither)"),
    cl::value_desc("dram|sram|local"), cl::init("local"), cl::cat(category));
cl::opt<std::string> rammerMode(
    "rammer",
    cl::desc("Accelerator targets: how Rammer schedules each segment of "
             "kernels, for ablations: waves (the default: one job, "
             "independent kernels side by side on disjoint PEs) or serial "
             "(one job, one kernel at a time)"),
    cl::value_desc("waves|serial"), cl::init("waves"), cl::cat(category));
cl::opt<std::string> rnnForm(
    "rnn",
    cl::desc("How recurrent layers (LSTM, GRU, RNN) run over their steps: "
             "auto (the default: the control-flow placement policy decides "
             "by the number of steps), loop (one loop whose body is the "
             "cell, compile time independent of the length) or unroll (a "
             "copy of the cell per step)"),
    cl::value_desc("auto|loop|unroll"), cl::init("auto"), cl::cat(category));
cl::opt<int64_t> unrollSteps(
    "unroll-steps",
    cl::desc("The most iterations of a loop known at import (a model's "
             "counted loop; a recurrent layer's steps with --rnn=auto) worth "
             "a copy of the body each, as compile time grows with them; the "
             "placement policy decides below it"),
    cl::value_desc("N"), cl::init(256), cl::cat(category));
cl::opt<int64_t> rollerMeasure(
    "roller-measure",
    cl::desc("Accelerator targets: compile each DPE product alone under "
             "Roller's first K tile candidates, run each on the simulator "
             "and keep the fastest (0, the default: Roller's first choice)"),
    cl::value_desc("K"), cl::init(0), cl::cat(category));
cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Pin a dynamic input shape, e.g. x:1x3x224x224"),
                cl::value_desc("NAME:DIMS"), cl::cat(category));
cl::list<std::string> boundInputs(
    "bind-input",
    cl::desc("Fix a graph input to the value in an ONNX TensorProto file; it "
             "becomes a constant and leaves the compiled signature (for "
             "shape-valued inputs such as Reshape's shape)"),
    cl::value_desc("NAME=FILE.pb"), cl::cat(category));
cl::opt<bool>
    checkOnly("check",
              cl::desc("Only import the model and report every unsupported or "
                       "malformed node; compile nothing"),
              cl::cat(category));
cl::opt<bool> listOps("list-ops",
                      cl::desc("List the ONNX ops (with opset ranges) and "
                               "ATen ops Anvil imports"),
                      cl::cat(category));
enum class ReportFormat { Text, Json };
cl::opt<ReportFormat> reportFormat(
    "format", cl::desc("Output of --check and --list-ops"),
    cl::values(clEnumValN(ReportFormat::Text, "text", "for people (default)"),
               clEnumValN(ReportFormat::Json, "json",
                          "machine-readable (docs/CheckReport.md)")),
    cl::init(ReportFormat::Text), cl::cat(category));
cl::opt<std::string> entryPrefix(
    "entry-prefix",
    cl::desc("With --emit=obj: name the entry points NAME_run, NAME_release "
             "and NAME_metadata, and write NAME's header beside the object "
             "(OUT with .h), so that several models link into one program"),
    cl::value_desc("NAME"), cl::cat(category));
cl::opt<std::string> timeTracePath(
    "time-trace",
    cl::desc("Write a Chrome trace of the compile's phases and passes "
             "(Perfetto, chrome://tracing)"),
    cl::value_desc("FILE.json"), cl::cat(category));
cl::opt<bool> verbose("v",
                      cl::desc("Print a line as each phase of the compile "
                               "begins (the default on a terminal)"),
                      cl::cat(category));
cl::opt<bool> quiet("q", cl::desc("Print no progress lines, on a terminal too"),
                    cl::cat(category));
cl::opt<bool> noVectorize("no-vectorize",
                          cl::desc("Skip host tiling and vectorization"),
                          cl::cat(category));

/// The compile's phases: progress, --mlir-timing and --time-trace.
Phases *phases = nullptr;

const char *extensionFor(Emit e) { return e == Emit::Obj ? ".o" : ".so"; }

int error(int code, const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "anvil-compile") << message << "\n";
  return code;
}

/// The node name carried by a location, if any.
void printProblems(const std::vector<Problem> &problems) {
  for (const Problem &p : problems) {
    auto &os = llvm::WithColor::error(llvm::errs(), "anvil-compile");
    if (!p.opType.empty())
      os << (p.nodeName.empty() ? "unnamed node"
             : llvm::StringRef(p.nodeName).starts_with("node producing")
                 ? p.nodeName
                 : "'" + p.nodeName + "'")
         << " (" << p.opType << (p.domain.empty() ? "" : ", domain " + p.domain)
         << (p.opset ? ", opset " + std::to_string(p.opset) : "") << "): ";
    os << (p.unsupported ? "unsupported: " : "") << p.reason << "\n";
    if (!p.source.empty())
      llvm::errs() << "  at " << p.source << "\n";
  }
}

/// Loads the model; with `report`, the importer's statuses are kept there
/// whether or not the import succeeds.
/// What the importers ask the policies, from --rnn, --unroll-steps and
/// --disable.
llvm::Expected<ImportPolicies> importPolicies() {
  auto rooms = policy::choosePolicies(disabledPasses);
  if (!rooms)
    return rooms.takeError();
  std::shared_ptr<policy::ControlFlowPlacement> placement =
      policy::createControlFlowPlacement((*rooms)[3]);
  if (!placement)
    return llvm::createStringError("no control-flow placement named '" +
                                   (*rooms)[3] + "'");
  ImportPolicies policies;
  policies.keepsLoopRolled = [placement](int64_t trips) {
    return placement->keepsLoopRolled({trips, unrollSteps});
  };
  if (rnnForm == "loop")
    policies.keepsRecurrenceRolled = [](int64_t) { return true; };
  else if (rnnForm == "auto")
    policies.keepsRecurrenceRolled = policies.keepsLoopRolled;
  else if (rnnForm != "unroll")
    return llvm::createStringError("--rnn: expected auto, loop or unroll, "
                                   "got '" +
                                   rnnForm + "'");
  return policies;
}

FailureOr<OwningOpRef<ModuleOp>> loadModel(MLIRContext &ctx, int &exitCode,
                                           ImportResult *report = nullptr) {
  if (!llvm::sys::fs::exists(inputPath)) {
    exitCode = error(kExitInvalidInput,
                     "cannot read '" + inputPath + "': no such file");
    return failure();
  }
  if (llvm::sys::path::extension(inputPath) == ".mlir") {
    llvm::SourceMgr sourceMgr;
    SourceMgrDiagnosticHandler handler(sourceMgr, &ctx);
    OwningOpRef<ModuleOp> module =
        parseSourceFile<ModuleOp>(inputPath, sourceMgr, &ctx);
    if (!module) {
      exitCode = kExitInvalidInput;
      return failure();
    }
    return module;
  }
  bool isArchive = llvm::sys::path::extension(inputPath) == ".pt2" ||
                   torch_import::looksLikeArchive(inputPath);
  if (isArchive && (!inputShapes.empty() || !boundInputs.empty())) {
    exitCode = error(kExitUsage, "--input-shape and --bind-input apply to ONNX "
                                 "models; a .pt2 archive fixes its input "
                                 "shapes");
    return failure();
  }
  onnx_import::ImportOptions options;
  llvm::Expected<ImportPolicies> policies = importPolicies();
  if (!policies) {
    exitCode = error(kExitUsage, llvm::toString(policies.takeError()));
    return failure();
  }
  options.policies = *policies;
  for (const std::string &spec : inputShapes)
    if (!onnx_import::parseInputShape(spec, options)) {
      exitCode = error(kExitUsage, "malformed --input-shape '" + spec +
                                       "' (expected NAME:1x3x224x224)");
      return failure();
    }
  for (const std::string &spec : boundInputs)
    if (!onnx_import::parseBoundInput(spec, options)) {
      exitCode = error(kExitUsage, "malformed --bind-input '" + spec +
                                       "' (expected NAME=FILE.pb)");
      return failure();
    }
  ImportResult result =
      isArchive ? torch_import::importArchive(ctx, inputPath, *policies)
                : onnx_import::importModelFile(ctx, inputPath, options);
  if (report) {
    report->status = result.status;
    report->problems = result.problems;
    report->nodes = result.nodes;
  }
  if (result.status == ImportStatus::Success)
    return std::move(result.module);
  printProblems(result.problems);
  bool unsupported = result.status == ImportStatus::Unsupported;
  size_t count = result.problems.size();
  exitCode = error(unsupported ? kExitUnsupported : kExitInvalidInput,
                   llvm::Twine(count) + " problem(s) in '" + inputPath +
                       "'; nothing was compiled");
  return failure();
}

LogicalResult writeText(StringRef path,
                        llvm::function_ref<void(llvm::raw_ostream &)> write) {
  std::string message;
  auto file = openOutputFile(path, &message);
  if (!file)
    return error(kExitUsage, message), failure();
  write(file->os());
  file->os().flush();
  if (std::error_code ec = file->os().error()) {
    // Reported here; an unchecked stream error would abort the compiler.
    file->os().clear_error();
    return error(kExitUsage, "cannot write '" + path + "': " + ec.message()),
           failure();
  }
  file->keep();
  return success();
}

/// Writes the object file or, for --emit=lib, links the artifact into
/// `output` and puts it in place. An accelerator's object is code for its
/// PEs' riscv64 cores; its artifact is host code that the simulator runs.
int writeBinary(llvm::Module &llvmModule, bool accelerator,
                BinaryOutput &output) {
  auto commit = [&]() -> int {
    if (llvm::Error err = output.commit())
      return error(kExitUsage, llvm::toString(std::move(err)));
    return kExitSuccess;
  };
  phases->begin("LLVM code generation");
  if (emit == Emit::Obj) {
    llvm::Error written =
        accelerator ? mtia::writeRISCVObject(llvmModule, output.temporary())
                    : host::writeHostObject(llvmModule, output.temporary());
    if (written)
      return error(kExitInternalError, llvm::toString(std::move(written)));
    return commit();
  }
  if (llvm::Error linked = host::writeSharedLibrary(
          llvmModule, output.temporary(), [] { phases->begin("link"); })) {
    int code = kExitInternalError;
    llvm::handleAllErrors(
        std::move(linked),
        [&](const host::LinkError &e) {
          code = error(kExitInstallation, e.message());
        },
        [&](const llvm::ErrorInfoBase &e) {
          code = error(kExitInternalError, e.message());
        });
    return code;
  }
  return commit();
}

/// --check of one model: imports only, then reports every node (JSON, as
/// `json` where given, else on stdout) or the verdict (text; the problems
/// went to stderr already).
int checkOne(MLIRContext &ctx, std::string *json = nullptr) {
  int exitCode = kExitSuccess;
  ImportResult report;
  auto module = loadModel(ctx, exitCode, &report);
  bool isMlir = llvm::sys::path::extension(inputPath) == ".mlir";
  bool isArchive =
      !isMlir && (llvm::sys::path::extension(inputPath) == ".pt2" ||
                  torch_import::looksLikeArchive(inputPath));
  if (reportFormat == ReportFormat::Json) {
    if (failed(module) && report.problems.empty() && report.nodes.empty())
      report.status = exitCode == kExitUnsupported ? ImportStatus::Unsupported
                                                   : ImportStatus::InvalidInput;
    std::string text;
    llvm::raw_string_ostream os(text);
    writeCheckJson(os, inputPath,
                   isMlir      ? "mlir"
                   : isArchive ? "torch.export"
                               : "onnx",
                   report, exitCode);
    if (json)
      *json = std::move(text);
    else
      llvm::outs() << text;
    return exitCode;
  }
  if (failed(module))
    return exitCode;
  int64_t ops = 0;
  (*module)->walk([&](Operation *op) {
    ops += isa<nn::NNDialect>(op->getDialect()) &&
           !isa<nn::ConstantOp, nn::YieldOp>(op);
  });
  llvm::outs() << "'" << inputPath << "': supported (";
  if (!report.nodes.empty())
    llvm::outs() << report.nodes.size() << " nodes, ";
  llvm::outs() << ops << " nn ops after import)\n";
  return kExitSuccess;
}

/// --check: one model as checkOne reports it; several (or a directory)
/// each in turn, then a summary. Exit code: 2 if any model is invalid,
/// else 3 if any is unsupported, else 0.
int check(MLIRContext &ctx) {
  if (inputPaths.size() == 1 && !llvm::sys::fs::is_directory(inputPaths[0])) {
    inputPath = inputPaths[0];
    return checkOne(ctx);
  }
  std::vector<std::string> models = modelsToCheck(inputPaths);
  CheckSummary summary;
  std::vector<std::string> reports;
  bool asJson = reportFormat == ReportFormat::Json;
  for (const std::string &model : models) {
    inputPath = model;
    std::string json;
    int code = checkOne(ctx, asJson ? &json : nullptr);
    summary.add(code);
    if (!asJson && code != kExitSuccess)
      llvm::outs() << "'" << model << "': "
                   << (code == kExitUnsupported ? "unsupported" : "invalid")
                   << " (exit code " << code << ")\n";
    reports.push_back(std::move(json));
  }
  if (asJson)
    writeCheckSetJson(llvm::outs(), reports, summary);
  else
    llvm::outs() << summary.text() << "\n";
  return summary.exitCode();
}

/// Why --dpe-type does not suit `machine` (empty when it does): it must be
/// an input type of the machine's DPE that Anvil runs f32 products in.
std::string dpeTypeProblem(const target::TargetDesc &machine) {
  std::string offered;
  bool taken = false;
  for (const target::DPETypeDesc &t : machine.dpe.types) {
    if (t.input != target::DType::F16 && t.input != target::DType::BF16 &&
        t.input != target::DType::I8)
      continue;
    StringRef name = target::dtypeName(t.input);
    offered += (offered.empty() ? "" : ", ") + name.str();
    taken |= name == dpeType;
  }
  if (taken)
    return "";
  return "--dpe-type=" + dpeType + ": the DPE of " + machine.name + " takes " +
         (offered.empty() ? "no f16, bf16 or i8" : offered) +
         " for f32 products";
}

/// Why --roller-measure cannot run as asked (empty when it can): it
/// measures Roller's candidates on an accelerator's simulator.
std::string measureProblem(llvm::ArrayRef<std::string> policies) {
  if (rollerMeasure == 0)
    return "";
  if (rollerMeasure < 0)
    return "--roller-measure=" + std::to_string(rollerMeasure) +
           ": the number of candidates to measure must be positive";
  if (target::isHostTarget(target))
    return "--roller-measure: measuring on the host is not supported yet; "
           "it measures a DPE product's tiles on an accelerator target's "
           "simulator";
  if (policies[1] != "roller")
    return "--roller-measure measures Roller's candidates; it cannot be "
           "combined with --disable=roller";
  return "";
}

/// Applies --welder-levels to the fusion policy; an error says why it
/// does not apply.
std::string applyWelderLevels(std::string &fusion) {
  if (welderLevels == "local")
    return "";
  if (welderLevels != "sram" && welderLevels != "dram")
    return "--welder-levels=" + welderLevels +
           ": the levels are dram, sram and local";
  if (fusion != "welder")
    return "--welder-levels ablates Welder; it cannot be combined with "
           "--disable=welder";
  if (welderLevels == "sram" && target::isHostTarget(target))
    return "--welder-levels=sram: the host has no SRAM; its levels are "
           "local (registers) and dram";
  fusion = "welder-" + welderLevels;
  return "";
}

/// Applies --rammer to the scheduler; an error says why it does not apply.
std::string applyRammerMode(std::string &scheduler) {
  if (rammerMode == "waves")
    return "";
  if (rammerMode != "serial")
    return "--rammer=" + rammerMode + ": the modes are waves and serial";
  if (scheduler != "rammer")
    return "--rammer ablates Rammer; it cannot be combined with "
           "--disable=rammer";
  if (target::isHostTarget(target))
    return "--rammer=serial: Rammer schedules the accelerator's kernels; "
           "the host runs each operator as it comes";
  scheduler = "rammer-serial";
  return "";
}

/// A pass manager with the command line's --mlir-* options.
FailureOr<std::unique_ptr<PassManager>> passManager(MLIRContext &ctx) {
  auto pm = std::make_unique<PassManager>(&ctx);
  if (failed(applyPassManagerCLOptions(*pm)))
    return failure();
  phases->track(*pm);
  return pm;
}

/// Lowers the imported `module` for the target, as far as --emit asks: to
/// linalg on tensors, with --roller-measure's decisions, or on to the LLVM
/// dialect. 0, or the exit code of the failure.
int lower(MLIRContext &ctx, ModuleOp module,
          const std::optional<target::TargetDesc> &machine,
          const std::optional<target::HostDesc> &hostMachine,
          llvm::ArrayRef<std::string> policies) {
  auto pm = passManager(ctx);
  if (failed(pm))
    return kExitUsage;
  // The accelerator's scheduler may ask for products split by producer
  // and for the graph in wavefront order.
  std::unique_ptr<policy::Scheduler> scheduler =
      policy::createScheduler(policies[2]);
  if (machine && scheduler &&
      (scheduler->splitsProductsByProducer() ||
       scheduler->ordersByWavefront())) {
    // Folded first, so that the products' operands show their producers.
    (*pm)->addPass(createCanonicalizerPass());
    (*pm)->addNestedPass<func::FuncOp>(
        createSplitProducts(SplitProductsOptions{policies[2]}));
    // Slices of a split product's parts fold to them before the order is
    // taken.
    (*pm)->addPass(createCanonicalizerPass());
    (*pm)->addNestedPass<func::FuncOp>(
        createWavefrontOrder(WavefrontOrderOptions{policies[2]}));
  }
  host::buildNNToLinalgPipeline(**pm);
  auto run = [&](PassManager &passes) -> int {
    if (succeeded(passes.run(module)))
      return kExitSuccess;
    return error(kExitInternalError,
                 "compilation failed after the model was accepted (a compiler "
                 "bug; rerun with --mlir-print-ir-after-failure for details)");
  };
  if (!machine) {
    host::HostPipelineOptions options;
    options.vectorize = !noVectorize;
    options.fusion = policies[0];
    options.tiling = policies[1];
    module->setAttr(mtia::kMachineDescriptionAttrName,
                    StringAttr::get(&ctx, hostMachine->json));
    if (emit != Emit::Linalg)
      host::buildLinalgToLLVMPipeline(**pm, options);
    return run(**pm);
  }
  mtia::attachMachine(module, *machine);
  mtia::MTIAPipelineOptions options;
  options.dpeType = dpeType;
  options.sramStaging = sramStaging;
  options.implicitPatches = implicitPatches;
  options.fusion = policies[0];
  options.tiling = policies[1];
  options.scheduler = policies[2];
  options.placement = policies[3];
  if (rollerMeasure > 0) {
    // The products are measured on linalg, then lowered with the decisions
    // the measurement wrote on them.
    if (int code = run(**pm))
      return code;
    if (failed(measureProductTiles(module, options, *machine, rollerMeasure)))
      return kExitInternalError;
    pm = passManager(ctx);
    if (failed(pm))
      return kExitUsage;
  }
  if (emit != Emit::Linalg)
    mtia::buildLinalgToLLVMPipeline(**pm, options);
  return run(**pm);
}

/// Where --entry-prefix's header goes: the object's path with ".h".
std::string headerPath(StringRef object) {
  llvm::SmallString<128> header(object);
  llvm::sys::path::replace_extension(header, ".h");
  return header.str().str();
}

/// Why --entry-prefix cannot be used as given (empty when it can).
std::string entryPrefixProblem() {
  if (entryPrefix.empty())
    return "";
  if (!host::isEntryPrefix(entryPrefix))
    return "--entry-prefix='" + entryPrefix +
           "' does not make C identifiers (letters, digits and '_', not "
           "starting with a digit)";
  if (emit != Emit::Obj && emit != Emit::LLVM)
    return "--entry-prefix names the entry points of an object "
           "(--emit=obj); an artifact keeps the ones the runtime loads";
  if (!target::isHostTarget(target))
    return "--entry-prefix is for host objects; an accelerator's model "
           "runs as an artifact on the simulator";
  if (emit == Emit::Obj &&
      (outputPath.empty() || outputPath == "-" ||
       headerPath(outputPath) == outputPath ||
       llvm::sys::fs::equivalent(headerPath(outputPath), inputPath)))
    return "--entry-prefix writes OUT's header beside it: give -o OUT.o";
  return "";
}

int compile(MLIRContext &ctx) {
  if (listOps) {
    writeOpList(llvm::outs(), reportFormat == ReportFormat::Json);
    return kExitSuccess;
  }
  if (inputPaths.empty())
    return error(kExitUsage, "no model given (see --help)");
  if (checkOnly)
    return check(ctx);
  if (inputPaths.size() > 1)
    return error(kExitUsage, "one model is compiled at a time (--check takes "
                             "several)");
  inputPath = inputPaths[0];
  if (std::string why = entryPrefixProblem(); !why.empty())
    return error(kExitUsage, why);
  int exitCode = kExitSuccess;
  phases->begin("import", inputPath);
  auto module = loadModel(ctx, exitCode);
  if (failed(module))
    return exitCode;
  auto policies = policy::choosePolicies(disabledPasses);
  if (!policies)
    return error(kExitUsage, llvm::toString(policies.takeError()));
  if (std::string why = applyWelderLevels((*policies)[0]); !why.empty())
    return error(kExitUsage, why);
  if (std::string why = applyRammerMode((*policies)[2]); !why.empty())
    return error(kExitUsage, why);
  std::optional<target::TargetDesc> machine;
  std::optional<target::HostDesc> hostMachine;
  if (target::isHostTarget(target)) {
    llvm::Expected<target::HostDesc> desc = target::resolveHostTarget(target);
    if (!desc)
      return error(kExitUsage, llvm::toString(desc.takeError()));
    hostMachine = std::move(*desc);
  } else {
    llvm::Expected<target::TargetDesc> desc = target::resolveTarget(target);
    if (!desc)
      return error(kExitUsage, llvm::toString(desc.takeError()));
    machine = std::move(*desc);
    if (std::string why = dpeTypeProblem(*machine); !why.empty())
      return error(kExitUsage, why);
  }
  if (std::string why = measureProblem(*policies); !why.empty())
    return error(kExitUsage, why);
  // Text goes to stdout by default, like every MLIR tool; binaries get a
  // file named after the model in the current directory.
  std::string out = outputPath;
  bool isText = emit == Emit::NN || emit == Emit::Linalg || emit == Emit::LLVM;
  if (out.empty())
    out = isText
              ? "-"
              : (llvm::sys::path::stem(inputPath) + extensionFor(emit)).str();
  if (out != "-" && llvm::sys::fs::equivalent(out, inputPath))
    return error(kExitUsage,
                 "the output '" + out + "' would overwrite the input model");
  // A binary output is checked, and its temporary made, before compiling.
  std::optional<BinaryOutput> binary;
  if (!isText) {
    llvm::Expected<BinaryOutput> opened = BinaryOutput::open(out);
    if (!opened)
      return error(kExitUsage, llvm::toString(opened.takeError()));
    binary.emplace(std::move(*opened));
  }
  if (emit == Emit::NN)
    return succeeded(writeText(out, [&](auto &os) { (*module)->print(os); }))
               ? kExitSuccess
               : kExitUsage;
  // Read before lowering: the signature is that of the nn-level function.
  auto signature = host::readSignature(**module);
  if (failed(signature))
    return kExitInvalidInput;

  phases->begin("pass pipeline", machine ? machine->name : "host");
  if (int lowered = lower(ctx, **module, machine, hostMachine, *policies))
    return lowered;
  if (emit == Emit::Linalg)
    return succeeded(writeText(out, [&](auto &os) { (*module)->print(os); }))
               ? kExitSuccess
               : kExitUsage;

  llvm::LLVMContext llvmContext;
  phases->begin("LLVM IR translation");
  auto llvmModule = host::translateToArtifactIR(
      **module, llvmContext, *signature,
      machine ? StringRef(machine->name) : "host",
      machine ? StringRef(machine->json) : StringRef(hostMachine->json));
  if (!llvmModule)
    return error(kExitInternalError, "translation to LLVM IR failed");
  if (!entryPrefix.empty())
    host::prefixEntryPoints(*llvmModule, entryPrefix);
  if (emit == Emit::LLVM)
    return succeeded(writeText(
               out, [&](auto &os) { llvmModule->print(os, nullptr); }))
               ? kExitSuccess
               : kExitUsage;

  if (int code = writeBinary(*llvmModule, machine.has_value(), *binary))
    return code;
  if (entryPrefix.empty())
    return kExitSuccess;
  return succeeded(writeText(headerPath(out),
                             [&](auto &os) {
                               host::writeEntryHeader(os, entryPrefix,
                                                      inputPath, *signature);
                             }))
             ? kExitSuccess
             : kExitUsage;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::sys::AddSignalHandler(
      [](void *) {
        llvm::errs() << "anvil-compile: internal compiler error; please "
                        "report it with the model\n";
        _exit(kExitInternalError);
      },
      nullptr);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  // libLLVM registers hundreds of backend flags; --help shows Anvil's own
  // and MLIR's --mlir-* debugging flags.
  static cl::OptionCategory mlirCategory("MLIR debugging options");
  for (auto &entry : cl::getRegisteredOptions())
    if (entry.first.starts_with("mlir-"))
      entry.second->addCategory(mlirCategory);
  cl::HideUnrelatedOptions({&category, &mlirCategory});
  cl::SetVersionPrinter(printVersion);
  cl::ParseCommandLineOptions(argc, argv, "Anvil ahead-of-time DNN compiler\n");

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<nn::NNDialect, mtia::MTIADialect>();
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  // Diagnostics from passes name the model node the op came from.
  ScopedDiagnosticHandler handler(&ctx, [](Diagnostic &diag) {
    std::string node = nodeNameOf(diag.getLocation());
    auto &os = diag.getSeverity() == DiagnosticSeverity::Error
                   ? llvm::WithColor::error(llvm::errs(), "anvil-compile")
                   : llvm::WithColor::note(llvm::errs(), "anvil-compile");
    // Unnamed nodes are already described ("node producing 'y'").
    bool described = StringRef(node).starts_with("node producing") ||
                     StringRef(node).starts_with("unnamed node");
    if (described)
      os << node << ": ";
    else if (!node.empty())
      os << "node '" << node << "': ";
    os << diag.str() << "\n";
    return success();
  });
  bool progress =
      !quiet && (verbose || llvm::sys::Process::StandardErrIsDisplayed());
  Phases compilePhases(progress, timeTracePath);
  phases = &compilePhases;
  int code = compile(ctx);
  if (!compilePhases.finish() && code == kExitSuccess)
    code = kExitUsage;
  return code;
}
