//===- Report.h - anvil-compile's --check and --list-ops output -*- C++ -*-===//
//
// The JSON forms are a documented interface (docs/CheckReport.md and
// docs/check-report.schema.json): CI pipelines parse them.
//
//===----------------------------------------------------------------------===//
#ifndef ANVIL_TOOLS_ANVIL_COMPILE_REPORT_H
#define ANVIL_TOOLS_ANVIL_COMPILE_REPORT_H

#include "anvil/Import/Import.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace anvil {

/// Writes the --check report of `model` as JSON: every node with its
/// status, every problem, and the exit code anvil-compile returns.
void writeCheckJson(llvm::raw_ostream &os, llvm::StringRef model,
                    llvm::StringRef format, const ImportResult &result,
                    int exitCode);

/// The models --check is given: files as named, directories searched for
/// .onnx, .pt2 and .mlir files (sorted).
std::vector<std::string> modelsToCheck(llvm::ArrayRef<std::string> paths);

/// How the models of one --check run fared.
struct CheckSummary {
  int models = 0, supported = 0, unsupported = 0, invalid = 0;
  void add(int exitCode);
  /// 2 if any model is invalid, else 3 if any is unsupported, else 0.
  int exitCode() const;
  std::string text() const;
};

/// --check of several models as JSON: each model's report (as
/// writeCheckJson wrote it) and the summary.
void writeCheckSetJson(llvm::raw_ostream &os,
                       const std::vector<std::string> &reports,
                       const CheckSummary &summary);

/// --list-ops, as text or JSON: ONNX ops with their opset ranges and the
/// ATen ops of torch.export archives.
void writeOpList(llvm::raw_ostream &os, bool json);

} // namespace anvil

#endif // ANVIL_TOOLS_ANVIL_COMPILE_REPORT_H
