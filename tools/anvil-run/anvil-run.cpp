//===- anvil-run.cpp - Run, check and benchmark a compiled model ----------===//
//
// anvil-run ARTIFACT --input=FILE ... [--output-dir=DIR] [--expected=FILE ...]
//           [--rtol=R --atol=A] [--benchmark=N] [--threads=N]
//           [--device=host|sim] [--trace=FILE.json] [--report=text|json]
//
//===----------------------------------------------------------------------===//

#include "anvil-c/Runtime.h"
#include "anvil/Runtime/TensorIO.h"
#include "anvil/Tools/ExitCodes.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>
#include <memory>
#include <chrono>
#include <cmath>
#include <cstring>

using namespace anvil;
using namespace anvil::runtime;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory category("anvil-run options");
cl::opt<std::string> artifactPath(cl::Positional, cl::Required,
                                  cl::desc("<artifact.so>"), cl::cat(category));
cl::list<std::string> inputFiles(
    "input", cl::desc("Input tensor (.npy or ONNX .pb), in input order"),
    cl::value_desc("FILE"), cl::cat(category));
cl::list<std::string> expectedFiles(
    "expected", cl::desc("Expected output tensor, in output order"),
    cl::value_desc("FILE"), cl::cat(category));
cl::opt<std::string> outputDir("output-dir",
                               cl::desc("Write output0.npy, ... here"),
                               cl::value_desc("DIR"), cl::cat(category));
cl::opt<double> rtol("rtol", cl::desc("Relative tolerance (default 1e-3)"),
                     cl::init(1e-3), cl::cat(category));
cl::opt<double> atol("atol", cl::desc("Absolute tolerance (default 1e-7)"),
                     cl::init(1e-7), cl::cat(category));
cl::opt<unsigned> benchmark("benchmark",
                            cl::desc("Time N runs after warm-up"),
                            cl::init(0), cl::cat(category));
cl::opt<unsigned> warmup("warmup", cl::desc("Untimed runs before timing"),
                         cl::init(3), cl::cat(category));
cl::opt<std::string> device(
    "device",
    cl::desc("Where to run: host (native) or sim (the simulator of the "
             "machine an accelerator artifact was compiled for); default: "
             "what the artifact was compiled for"),
    cl::init(""), cl::cat(category));
cl::opt<std::string> tracePath(
    "trace", cl::desc("Simulator: write a Chrome trace of the run (Perfetto)"),
    cl::value_desc("FILE.json"), cl::cat(category));
enum class ReportFormat { Text, Json };
cl::opt<ReportFormat> reportFormat(
    "report", cl::desc("Simulator report format"), cl::init(ReportFormat::Text),
    cl::values(clEnumValN(ReportFormat::Text, "text", "readable (default)"),
               clEnumValN(ReportFormat::Json, "json", "machine-readable")),
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

/// How far `got` is from `want`: the largest absolute and relative errors
/// and whether every element is within atol + rtol * |want|.
struct Comparison {
  double maxAbs = 0, maxRel = 0;
  int64_t mismatches = 0;
};

Comparison compare(const HostTensor &got, const HostTensor &want) {
  Comparison c;
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

void reportBenchmark(AnvilModel *model, std::vector<AnvilTensor> &ins,
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
    ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[static_cast<size_t>(q * (ms.size() - 1))]; };
  llvm::outs() << llvm::formatv(
      "benchmark: {0} runs, median {1:f3} ms, min {2:f3} ms, p90 {3:f3} ms, "
      "max {4:f3} ms\n",
      ms.size(), at(0.5), ms.front(), at(0.9), ms.back());
}

/// Prints the simulator's report and writes its trace; non-zero if the
/// trace cannot be written.
int reportSimulation(AnvilModel *model) {
  char *report = anvilModelSimReport(
      model, reportFormat == ReportFormat::Json ? ANVIL_SIM_REPORT_JSON
                                                : ANVIL_SIM_REPORT_TEXT);
  llvm::outs() << report;
  anvilFreeError(report);
  if (tracePath.empty())
    return 0;
  std::error_code ec;
  llvm::raw_fd_ostream os(tracePath, ec);
  if (ec) {
    fail(kExitUsage, "cannot write '" + tracePath + "': " + ec.message());
    return 1;
  }
  char *trace = anvilModelSimReport(model, ANVIL_SIM_REPORT_TRACE);
  os << trace;
  anvilFreeError(trace);
  return 0;
}

int run() {
  char *err = nullptr;
  std::unique_ptr<AnvilModel, void (*)(AnvilModel *)> owned(
      anvilModelLoad(artifactPath.c_str(), &err), anvilModelFree);
  AnvilModel *model = owned.get();
  if (!model)
    return failFreeing(kExitInvalidInput, err);
  anvilSetNumThreads(numThreads);
  std::string modelDevice = anvilModelDevice(model);
  if (!device.empty() && device != modelDevice)
    return fail(kExitUsage,
                device == "sim"
                    ? "the artifact was compiled for the host; compile with "
                      "--target=mtia-v1 (or another machine) to simulate"
                    : "the artifact was compiled for an accelerator target; "
                      "it runs on the simulator (--device=sim)");
  if (!tracePath.empty() && modelDevice != "sim")
    return fail(kExitUsage, "--trace needs an artifact that runs on the "
                            "simulator");
  anvilModelSetSimTrace(model, !tracePath.empty());
  std::vector<HostTensor> inputs, outputs;
  for (const std::string &path : inputFiles) {
    auto t = readTensorFile(path);
    if (!t)
      return fail(kExitInvalidInput, llvm::toString(t.takeError()));
    t->name.clear(); // Bound by position; TensorProto names are informative.
    inputs.push_back(std::move(*t));
  }
  for (int32_t i = 0; i < anvilModelNumOutputs(model); ++i) {
    AnvilTensor info = anvilModelOutput(model, i);
    HostTensor t;
    t.dtype = info.dtype;
    t.shape.assign(info.shape, info.shape + info.rank);
    t.data.resize(t.numElements() * anvilDTypeSize(t.dtype));
    outputs.push_back(std::move(t));
  }
  std::vector<AnvilTensor> ins, outs;
  for (HostTensor &t : inputs)
    ins.push_back(t.view());
  for (HostTensor &t : outputs)
    outs.push_back(t.view());
  auto start = std::chrono::steady_clock::now();
  if (anvilModelRun(model, ins.data(), ins.size(), outs.data(), outs.size(),
                    &err))
    return failFreeing(kExitInvalidInput, err);
  double firstMs = std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  // With a JSON report, stdout holds that report alone, for tools to parse.
  bool jsonReport = modelDevice == "sim" && reportFormat == ReportFormat::Json;
  (jsonReport ? llvm::errs() : llvm::outs())
      << llvm::formatv("ran in {0:f3} ms\n", firstMs);
  if (modelDevice == "sim" && reportSimulation(model))
    return kExitUsage;

  if (!outputDir.empty()) {
    llvm::sys::fs::create_directories(outputDir);
    for (auto [i, t] : llvm::enumerate(outputs)) {
      llvm::SmallString<256> path(outputDir);
      llvm::sys::path::append(path, "output" + std::to_string(i) + ".npy");
      if (llvm::Error e = writeNpy(path, t))
        return fail(kExitUsage, llvm::toString(std::move(e)));
    }
  }

  int code = kExitSuccess;
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
                  llvm::formatv("output {0} ('{1}') is {2}, {3} expects {4}",
                                i, info.name, anvilDTypeName(outputs[i].dtype),
                                path, anvilDTypeName(want->dtype))
                          .str() +
                      " or another shape");
    Comparison c = compare(outputs[i], *want);
    llvm::outs() << llvm::formatv(
        "output {0} '{1}': max abs error {2:e2}, max rel error {3:e2}, "
        "{4} of {5} elements beyond tolerance: {6}\n",
        i, info.name, c.maxAbs, c.maxRel, c.mismatches,
        outputs[i].numElements(), c.mismatches ? "FAIL" : "ok");
    if (c.mismatches)
      code = kExitMismatch;
  }
  if (benchmark)
    reportBenchmark(model, ins, outs);
  return code;
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
  cl::ParseCommandLineOptions(argc, argv,
                              "Run, check and benchmark an Anvil artifact\n");
  return run();
}
