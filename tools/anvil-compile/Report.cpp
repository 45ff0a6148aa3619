//===- Report.cpp - anvil-compile's --check and --list-ops output ---------===//

#include "Report.h"

#include "anvil/Import/ONNX.h"
#include "anvil/Import/Torch.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

using namespace anvil;

namespace {

llvm::StringRef kindName(NodeStatus::Kind kind) {
  switch (kind) {
  case NodeStatus::Kind::Supported:
    return "supported";
  case NodeStatus::Kind::Unsupported:
    return "unsupported";
  case NodeStatus::Kind::Invalid:
    return "invalid";
  case NodeStatus::Kind::Unchecked:
    return "unchecked";
  }
  return "";
}

llvm::StringRef resultName(ImportStatus status) {
  switch (status) {
  case ImportStatus::Success:
    return "supported";
  case ImportStatus::Unsupported:
    return "unsupported";
  case ImportStatus::InvalidInput:
    return "invalid";
  }
  return "";
}

/// Attributes shared by nodes and problems; empty ones are left out.
void writeIdentity(llvm::json::OStream &j, llvm::StringRef name,
                   llvm::StringRef opType, llvm::StringRef domain,
                   int64_t opset, llvm::StringRef source) {
  j.attribute("name", name);
  j.attribute("op_type", opType);
  if (!domain.empty())
    j.attribute("domain", domain);
  if (opset)
    j.attribute("opset", opset);
  if (!source.empty())
    j.attribute("source", source);
}

void writeCounts(llvm::json::OStream &j, const ImportResult &result) {
  int64_t counts[4] = {0, 0, 0, 0};
  for (const NodeStatus &node : result.nodes)
    ++counts[static_cast<int>(node.kind)];
  j.attributeObject("counts", [&] {
    j.attribute("nodes", static_cast<int64_t>(result.nodes.size()));
    for (int k = 0; k < 4; ++k)
      j.attribute(kindName(static_cast<NodeStatus::Kind>(k)), counts[k]);
  });
}

} // namespace

void anvil::writeCheckJson(llvm::raw_ostream &os, llvm::StringRef model,
                           llvm::StringRef format, const ImportResult &result,
                           int exitCode) {
  llvm::json::OStream j(os, 2);
  j.object([&] {
    j.attribute("schema", "anvil-check/1");
    j.attribute("model", model);
    j.attribute("format", format);
    j.attribute("result", resultName(result.status));
    j.attribute("exit_code", exitCode);
    writeCounts(j, result);
    j.attributeArray("nodes", [&] {
      for (const NodeStatus &node : result.nodes)
        j.object([&] {
          writeIdentity(j, node.nodeName, node.opType, node.domain, node.opset,
                        node.source);
          j.attribute("status", kindName(node.kind));
          if (!node.reason.empty())
            j.attribute("reason", node.reason);
        });
    });
    j.attributeArray("problems", [&] {
      for (const Problem &p : result.problems)
        j.object([&] {
          writeIdentity(j, p.nodeName, p.opType, p.domain, p.opset, p.source);
          j.attribute("kind", p.unsupported ? "unsupported" : "invalid");
          j.attribute("reason", p.reason);
        });
    });
  });
  os << "\n";
}

void anvil::writeOpList(llvm::raw_ostream &os, bool json) {
  std::vector<onnx_import::SupportedOp> onnxOps = onnx_import::supportedOps();
  std::vector<std::string> atenOps = torch_import::supportedTargets();
  if (!json) {
    os << "ONNX operators (default domain; opsets through "
       << onnx_import::kNewestOpset << "):\n";
    for (const auto &op : onnxOps)
      os << "  " << op.name << " " << op.sinceOpset << "-"
         << onnx_import::kNewestOpset << "\n";
    os << "torch.export operators (every overload unless one is named):\n";
    for (const std::string &op : atenOps)
      os << "  " << op << "\n";
    return;
  }
  llvm::json::OStream j(os, 2);
  j.object([&] {
    j.attribute("schema", "anvil-ops/1");
    j.attributeArray("onnx", [&] {
      for (const auto &op : onnxOps)
        j.object([&] {
          j.attribute("op_type", op.name);
          j.attribute("since_opset", op.sinceOpset);
          j.attribute("until_opset", onnx_import::kNewestOpset);
        });
    });
    j.attributeArray("aten", [&] {
      for (const std::string &op : atenOps)
        j.value(op);
    });
  });
  os << "\n";
}

void anvil::CheckSummary::add(int exitCode) {
  ++models;
  if (exitCode == 0)
    ++supported;
  else if (exitCode == 3)
    ++unsupported;
  else
    ++invalid;
}

int anvil::CheckSummary::exitCode() const {
  return invalid ? 2 : unsupported ? 3 : 0;
}

std::string anvil::CheckSummary::text() const {
  return "checked " + std::to_string(models) +
         " model(s): " + std::to_string(supported) + " supported, " +
         std::to_string(unsupported) + " unsupported, " +
         std::to_string(invalid) + " invalid";
}

void anvil::writeCheckSetJson(llvm::raw_ostream &os,
                              const std::vector<std::string> &reports,
                              const CheckSummary &summary) {
  llvm::json::Array models;
  for (const std::string &report : reports) {
    llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(report);
    if (parsed)
      models.push_back(std::move(*parsed));
    else
      llvm::consumeError(parsed.takeError());
  }
  llvm::json::Object root{
      {"schema", "anvil-check-set/1"},
      {"exit_code", summary.exitCode()},
      {"summary", llvm::json::Object{{"models", summary.models},
                                     {"supported", summary.supported},
                                     {"unsupported", summary.unsupported},
                                     {"invalid", summary.invalid}}},
      {"models", std::move(models)}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

std::vector<std::string>
anvil::modelsToCheck(llvm::ArrayRef<std::string> paths) {
  std::vector<std::string> models;
  for (const std::string &path : paths) {
    if (!llvm::sys::fs::is_directory(path)) {
      models.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    std::error_code ec;
    for (llvm::sys::fs::recursive_directory_iterator it(path, ec), end;
         it != end && !ec; it.increment(ec)) {
      llvm::StringRef ext = llvm::sys::path::extension(it->path());
      if (ext == ".onnx" || ext == ".pt2" || ext == ".mlir")
        found.push_back(it->path());
    }
    llvm::sort(found);
    models.insert(models.end(), found.begin(), found.end());
  }
  return models;
}
