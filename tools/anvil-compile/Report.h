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

namespace anvil {

/// Writes the --check report of `model` as JSON: every node with its
/// status, every problem, and the exit code anvil-compile returns.
void writeCheckJson(llvm::raw_ostream &os, llvm::StringRef model,
                    llvm::StringRef format, const ImportResult &result,
                    int exitCode);

/// --list-ops, as text or JSON: ONNX ops with their opset ranges and the
/// ATen ops of torch.export archives.
void writeOpList(llvm::raw_ostream &os, bool json);

} // namespace anvil

#endif // ANVIL_TOOLS_ANVIL_COMPILE_REPORT_H
