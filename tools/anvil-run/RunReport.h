//===- RunReport.h - What anvil-run prints --------------------*- C++ -*-===//
//
// A run's results, printed for people or as one JSON document
// (docs/schemas/run-report.schema.json), and an artifact's description
// (--info; docs/schemas/info.schema.json).
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TOOLS_ANVIL_RUN_RUNREPORT_H
#define ANVIL_TOOLS_ANVIL_RUN_RUNREPORT_H

#include "anvil-c/Runtime.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace anvil::run {

/// An output against its --expected file.
struct OutputCheck {
  std::string expected;
  double maxAbs = 0, maxRel = 0;
  int64_t mismatches = 0, elements = 0;
};

struct OutputResult {
  std::string name;
  AnvilDType dtype = ANVIL_DTYPE_INVALID;
  std::vector<int64_t> shape;
  std::optional<OutputCheck> check;
};

struct BenchmarkStats {
  size_t runs = 0, warmup = 0;
  double median = 0, min = 0, p90 = 0, max = 0;
};

struct RunReport {
  std::string artifact, target, device;
  double firstRunMs = 0;
  std::vector<OutputResult> outputs;
  std::optional<BenchmarkStats> benchmark;
  /// The simulator's report (text or JSON, as asked), empty on the host.
  std::string simulation;
};

/// The "ran in" line, the simulator's report, the comparisons and the
/// benchmark, as anvil-run has always printed them.
void printText(llvm::raw_ostream &os, const RunReport &report);

/// The whole report as one JSON document.
void printJson(llvm::raw_ostream &os, const RunReport &report);

/// Describes an artifact from its metadata JSON: inputs, outputs, target,
/// compiler, and the CPU features it needs that this machine lacks. False
/// where the metadata does not parse.
bool printInfo(llvm::raw_ostream &os, llvm::StringRef artifact,
               llvm::StringRef metadata, bool json);

} // namespace anvil::run

#endif // ANVIL_TOOLS_ANVIL_RUN_RUNREPORT_H
