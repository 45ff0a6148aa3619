//===- anvil-run.cpp - Run, check and benchmark a compiled model ----------===//
//
// anvil-run ARTIFACT --input=FILE ... [--output-dir=DIR] [--expected=FILE ...]
//           [--rtol=R --atol=A] [--benchmark=N] [--threads=N]
//           [--device=host|sim] [--trace=FILE.json] [--report=text|json]
// anvil-run ARTIFACT --info [--report=json]
//
//===----------------------------------------------------------------------===//

#include "anvil-c/Runtime.h"
#include "anvil/Runtime/TensorIO.h"
#include "anvil/Tools/ExitCodes.h"
#include "anvil/Tools/Version.h"

#include "RunReport.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>

using namespace anvil;
using namespace anvil::runtime;
using namespace anvil::run;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory category("anvil-run options");
cl::opt<std::string> artifactPath(cl::Positional, cl::Required,
                                  cl::desc("<artifact.so>"), cl::cat(category));
cl::list<std::string>
    inputFiles("input",
               cl::desc("Input tensor (.npy or ONNX .pb), in input order"),
               cl::value_desc("FILE"), cl::cat(category));
cl::list<std::string>
    expectedFiles("expected",
                  cl::desc("Expected output tensor, in output order"),
                  cl::value_desc("FILE"), cl::cat(category));
cl::opt<std::string> outputDir("output-dir",
                               cl::desc("Write output0.npy, ... here"),
                               cl::value_desc("DIR"), cl::cat(category));
cl::opt<double> rtol("rtol", cl::desc("Relative tolerance (default 1e-3)"),
                     cl::init(1e-3), cl::cat(category));
cl::opt<double> atol("atol", cl::desc("Absolute tolerance (default 1e-7)"),
                     cl::init(1e-7), cl::cat(category));
cl::opt<unsigned> benchmark("benchmark", cl::desc("Time N runs after warm-up"),
                            cl::init(0), cl::cat(category));
cl::opt<unsigned> warmup("warmup", cl::desc("Untimed runs before timing"),
                         cl::init(3), cl::cat(category));
cl::opt<std::string> device(
    "device",
    cl::desc("Where to run: host (native) or sim (the simulator of the "
             "machine an accelerator artifact was compiled for); default: "
             "what the artifact was compiled for"),
    cl::init(""), cl::cat(category));
cl::opt<std::string>
    tracePath("trace",
              cl::desc("Simulator: write a Chrome trace of the run (Perfetto)"),
              cl::value_desc("FILE.json"), cl::cat(category));
enum class ReportFormat { Text, Json };
cl::opt<ReportFormat> reportFormat(
    "report",
    cl::desc("Report format: text, or one JSON document alone on stdout "
             "(docs/schemas/run-report.schema.json, info.schema.json)"),
    cl::init(ReportFormat::Text),
    cl::values(clEnumValN(ReportFormat::Text, "text", "readable (default)"),
               clEnumValN(ReportFormat::Json, "json", "machine-readable")),
    cl::cat(category));

cl::opt<bool> infoOnly(
    "info",
    cl::desc("Describe the artifact (inputs, outputs, target, compiler, the "
             "CPU features it needs) without running it"),
    cl::cat(category));

unsigned numThreads = 0;

int fail(int code, const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "anvil-run") << message << "\n";
  return code;
}

/// fail() with a message the runtime allocated (freed here), or a stand-in
/// where it gave none.
int failFreeing(int code, char *message) {
  fail(code, message ? message : "the runtime failed without a message");
  anvilFreeError(message);
  return code;
}

/// How far `got` is from `want` (read from `expected`): the largest
/// absolute and relative errors, and the elements beyond atol + rtol *
/// |want|.
OutputCheck compare(const HostTensor &got, const HostTensor &want,
                    llvm::StringRef expected) {
  OutputCheck c;
  c.expected = expected.str();
  c.elements = got.numElements();
  bool exact = got.dtype != ANVIL_DTYPE_FLOAT32 &&
               got.dtype != ANVIL_DTYPE_FLOAT64 &&
               got.dtype != ANVIL_DTYPE_FLOAT16;
  size_t width = anvilDTypeSize(got.dtype);
  for (int64_t i = 0, e = got.numElements(); i < e; ++i) {
    // Integers compare bit for bit: 64-bit values do not fit a double.
    if (exact && std::memcmp(got.data.data() + i * width,
                             want.data.data() + i * width, width) != 0)
      ++c.mismatches;
    double g = elementAsDouble(got, i), w = elementAsDouble(want, i);
    if (std::isnan(g) && std::isnan(w))
      continue;
    if (std::isinf(g) && std::isinf(w) && (g > 0) == (w > 0))
      continue;
    double abs = std::fabs(g - w);
    double rel = w != 0 ? abs / std::fabs(w) : (abs == 0 ? 0 : INFINITY);
    if (std::isnan(abs))
      abs = rel = INFINITY;
    c.maxAbs = std::max(c.maxAbs, abs);
    c.maxRel = std::max(c.maxRel, rel);
    if (!exact && abs > atol + rtol * std::fabs(w))
      ++c.mismatches;
  }
  return c;
}

BenchmarkStats runBenchmark(AnvilModel *model, std::vector<AnvilTensor> &ins,
                            std::vector<AnvilTensor> &outs) {
  for (unsigned i = 0; i < warmup; ++i)
    anvilModelRun(model, ins.data(), ins.size(), outs.data(), outs.size(),
                  nullptr);
  std::vector<double> ms;
  for (unsigned i = 0; i < benchmark; ++i) {
    auto start = std::chrono::steady_clock::now();
    anvilModelRun(model, ins.data(), ins.size(), outs.data(), outs.size(),
                  nullptr);
    auto end = std::chrono::steady_clock::now();
    ms.push_back(
        std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[static_cast<size_t>(q * (ms.size() - 1))];
  };
  return {ms.size(), warmup, at(0.5), ms.front(), at(0.9), ms.back()};
}

/// The simulator's report of the last run in `format`.
std::string simulationReport(AnvilModel *model, int32_t format) {
  char *report = anvilModelSimReport(model, format);
  std::string text = report ? report : "";
  anvilFreeError(report);
  return text;
}

/// Writes the simulated run's trace; non-zero if it cannot be written.
int writeTrace(AnvilModel *model) {
  std::error_code ec;
  llvm::raw_fd_ostream os(tracePath, ec);
  if (ec)
    return fail(kExitUsage,
                "cannot write '" + tracePath + "': " + ec.message());
  os << simulationReport(model, ANVIL_SIM_REPORT_TRACE);
  return 0;
}

/// The target the artifact was compiled for, from its metadata.
std::string targetOf(AnvilModel *model) {
  llvm::Expected<llvm::json::Value> metadata =
      llvm::json::parse(anvilModelMetadata(model));
  if (!metadata) {
    llvm::consumeError(metadata.takeError());
    return "";
  }
  const llvm::json::Object *root = metadata->getAsObject();
  return root ? root->getString("target").value_or("").str() : "";
}

/// --info: the artifact's description, without running it.
int describe() {
  char *err = nullptr;
  char *metadata = anvilArtifactMetadata(artifactPath.c_str(), &err);
  if (!metadata)
    return failFreeing(kExitInvalidInput, err);
  bool ok = printInfo(llvm::outs(), artifactPath, metadata,
                      reportFormat == ReportFormat::Json);
  anvilFreeError(metadata);
  return ok ? kExitSuccess
            : fail(kExitInvalidInput, "the artifact's metadata is malformed");
}

/// Compares each output with its --expected file into `report`; 0, or the
/// exit code of a file that cannot be compared.
int checkOutputs(AnvilModel *model, const std::vector<HostTensor> &outputs,
                 RunReport &report) {
  if (!expectedFiles.empty() && expectedFiles.size() != outputs.size())
    return fail(kExitUsage, llvm::formatv("{0} --expected file(s) for {1} "
                                          "output(s)",
                                          expectedFiles.size(), outputs.size())
                                .str());
  for (auto [i, path] : llvm::enumerate(expectedFiles)) {
    auto want = readTensorFile(path);
    if (!want)
      return fail(kExitInvalidInput, llvm::toString(want.takeError()));
    AnvilTensor info = anvilModelOutput(model, i);
    if (want->dtype != outputs[i].dtype || want->shape != outputs[i].shape)
      return fail(kExitMismatch,
                  llvm::formatv("output {0} ('{1}') is {2}, {3} expects {4}", i,
                                info.name, anvilDTypeName(outputs[i].dtype),
                                path, anvilDTypeName(want->dtype))
                          .str() +
                      " or another shape");
    report.outputs[i].check = compare(outputs[i], *want, path);
  }
  return kExitSuccess;
}

/// Writes output0.npy, ... into --output-dir.
int writeOutputs(const std::vector<HostTensor> &outputs) {
  if (outputDir.empty())
    return kExitSuccess;
  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail(kExitUsage,
                "cannot create '" + outputDir + "': " + ec.message());
  for (auto [i, t] : llvm::enumerate(outputs)) {
    llvm::SmallString<256> path(outputDir);
    llvm::sys::path::append(path, "output" + std::to_string(i) + ".npy");
    if (llvm::Error e = writeNpy(path, t))
      return fail(kExitUsage, llvm::toString(std::move(e)));
  }
  return kExitSuccess;
}

/// The model's output buffers, and their entries in `report`.
std::vector<HostTensor> allocateOutputs(AnvilModel *model, RunReport &report) {
  std::vector<HostTensor> outputs;
  for (int32_t i = 0; i < anvilModelNumOutputs(model); ++i) {
    AnvilTensor info = anvilModelOutput(model, i);
    HostTensor t;
    t.dtype = info.dtype;
    t.shape.assign(info.shape, info.shape + info.rank);
    t.data.resize(t.numElements() * anvilDTypeSize(t.dtype));
    report.outputs.push_back({info.name, info.dtype, t.shape, std::nullopt});
    outputs.push_back(std::move(t));
  }
  return outputs;
}

/// Why the model cannot run as asked (empty when it can).
std::string deviceProblem(llvm::StringRef modelDevice) {
  if (!device.empty() && device != modelDevice)
    return device == "sim"
               ? "the artifact was compiled for the host; compile with "
                 "--target=mtia-v1 (or another machine) to simulate"
               : "the artifact was compiled for an accelerator target; it "
                 "runs on the simulator (--device=sim)";
  if (!tracePath.empty() && modelDevice != "sim")
    return "--trace needs an artifact that runs on the simulator";
  return "";
}

int runModel() {
  char *err = nullptr;
  std::unique_ptr<AnvilModel, void (*)(AnvilModel *)> owned(
      anvilModelLoad(artifactPath.c_str(), &err), anvilModelFree);
  AnvilModel *model = owned.get();
  if (!model)
    return failFreeing(kExitInvalidInput, err);
  anvilSetNumThreads(numThreads);
  RunReport report;
  report.artifact = artifactPath;
  report.device = anvilModelDevice(model);
  if (std::string why = deviceProblem(report.device); !why.empty())
    return fail(kExitUsage, why);
  anvilModelSetSimTrace(model, !tracePath.empty());
  std::vector<HostTensor> inputs;
  for (const std::string &path : inputFiles) {
    auto t = readTensorFile(path);
    if (!t)
      return fail(kExitInvalidInput, llvm::toString(t.takeError()));
    t->name.clear(); // Bound by position; TensorProto names are informative.
    inputs.push_back(std::move(*t));
  }
  std::vector<HostTensor> outputs = allocateOutputs(model, report);
  std::vector<AnvilTensor> ins, outs;
  for (HostTensor &t : inputs)
    ins.push_back(t.view());
  for (HostTensor &t : outputs)
    outs.push_back(t.view());
  auto start = std::chrono::steady_clock::now();
  if (anvilModelRun(model, ins.data(), ins.size(), outs.data(), outs.size(),
                    &err))
    return failFreeing(kExitInvalidInput, err);
  report.firstRunMs = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  bool asJson = reportFormat == ReportFormat::Json;
  if (report.device == "sim") {
    report.simulation = simulationReport(model, asJson ? ANVIL_SIM_REPORT_JSON
                                                       : ANVIL_SIM_REPORT_TEXT);
    if (!tracePath.empty() && writeTrace(model))
      return kExitUsage;
  }
  if (int code = writeOutputs(outputs))
    return code;
  if (int code = checkOutputs(model, outputs, report))
    return code;
  report.target = targetOf(model);
  if (benchmark)
    report.benchmark = runBenchmark(model, ins, outs);
  if (asJson)
    printJson(llvm::outs(), report);
  else
    printText(llvm::outs(), report);
  bool mismatched = llvm::any_of(report.outputs, [](const OutputResult &o) {
    return o.check && o.check->mismatches;
  });
  return mismatched ? kExitMismatch : kExitSuccess;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // libLLVM registers a global --threads of its own; anvil-run's means the
  // runtime's worker threads, so it takes the name over.
  if (cl::Option *llvmThreads = cl::getRegisteredOptions().lookup("threads"))
    llvmThreads->removeArgument();
  cl::opt<unsigned, true> threads("threads",
                                  cl::desc("Worker threads (0: one per core)"),
                                  cl::location(numThreads), cl::cat(category));
  cl::HideUnrelatedOptions({&category});
  cl::SetVersionPrinter(printVersion);
  cl::ParseCommandLineOptions(argc, argv,
                              "Run, check and benchmark an Anvil artifact\n");
  return infoOnly ? describe() : runModel();
}
