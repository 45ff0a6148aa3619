//===- RunReport.cpp - What anvil-run prints ------------------------------===//

#include "RunReport.h"

#include "anvil/Config.h"
#include "anvil/Target/HostDesc.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <cmath>

using namespace anvil::run;
namespace json = llvm::json;

namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text + "]";
}

bool passed(const OutputResult &o) {
  return !o.check || o.check->mismatches == 0;
}

/// JSON has no infinity or NaN: an error that is (an expected 0, a NaN
/// output) is null.
json::Value finiteOrNull(double value) {
  return std::isfinite(value) ? json::Value(value) : json::Value(nullptr);
}

json::Value outputJson(size_t index, const OutputResult &o) {
  json::Object entry{{"index", static_cast<int64_t>(index)},
                     {"name", o.name},
                     {"dtype", anvilDTypeName(o.dtype)},
                     {"shape", json::Array(o.shape)}};
  if (const std::optional<OutputCheck> &c = o.check) {
    entry["expected"] = c->expected;
    entry["max_abs_error"] = finiteOrNull(c->maxAbs);
    entry["max_rel_error"] = finiteOrNull(c->maxRel);
    entry["beyond_tolerance"] = c->mismatches;
    entry["elements"] = c->elements;
    entry["ok"] = c->mismatches == 0;
  }
  return std::move(entry);
}

/// The features of the artifact's `required` list this CPU lacks.
std::vector<std::string> missingFeatures(const json::Array *required) {
  std::vector<std::string> names;
  if (required)
    for (const json::Value &f : *required)
      if (auto name = f.getAsString())
        names.push_back(name->str());
  return anvil::target::missingHostFeatures(names);
}

void tensorLines(llvm::raw_ostream &os, llvm::StringRef title,
                 const json::Array *tensors) {
  os << title << ":\n";
  if (!tensors)
    return;
  for (auto [i, t] : llvm::enumerate(*tensors)) {
    const json::Object *o = t.getAsObject();
    if (!o)
      continue;
    std::vector<int64_t> shape;
    if (const json::Array *dims = o->getArray("shape"))
      for (const json::Value &d : *dims)
        shape.push_back(d.getAsInteger().value_or(-1));
    os << "  " << i << " '" << o->getString("name").value_or("")
       << "': " << o->getString("dtype").value_or("?") << shapeText(shape)
       << "\n";
  }
}

} // namespace

void anvil::run::printText(llvm::raw_ostream &os, const RunReport &report) {
  os << llvm::formatv("ran in {0:f3} ms\n", report.firstRunMs);
  os << report.simulation;
  for (auto [i, o] : llvm::enumerate(report.outputs)) {
    if (!o.check)
      continue;
    const OutputCheck &c = *o.check;
    os << llvm::formatv(
        "output {0} '{1}': max abs error {2:e2}, max rel error {3:e2}, "
        "{4} of {5} elements beyond tolerance: {6}\n",
        i, o.name, c.maxAbs, c.maxRel, c.mismatches, c.elements,
        c.mismatches ? "FAIL" : "ok");
  }
  if (const std::optional<BenchmarkStats> &b = report.benchmark)
    os << llvm::formatv(
        "benchmark: {0} runs, median {1:f3} ms, min {2:f3} ms, p90 {3:f3} "
        "ms, max {4:f3} ms\n",
        b->runs, b->median, b->min, b->p90, b->max);
}

void anvil::run::printJson(llvm::raw_ostream &os, const RunReport &report) {
  json::Array outputs;
  for (auto [i, o] : llvm::enumerate(report.outputs))
    outputs.push_back(outputJson(i, o));
  json::Object root{{"schema", "anvil-run/1"},
                    {"anvil_version", ANVIL_VERSION},
                    {"artifact", report.artifact},
                    {"target", report.target},
                    {"device", report.device},
                    {"first_run_ms", report.firstRunMs},
                    {"ok", llvm::all_of(report.outputs, passed)},
                    {"outputs", std::move(outputs)}};
  if (const std::optional<BenchmarkStats> &b = report.benchmark)
    root["benchmark"] =
        json::Object{{"runs", static_cast<int64_t>(b->runs)},
                     {"warmup", static_cast<int64_t>(b->warmup)},
                     {"median_ms", b->median},
                     {"min_ms", b->min},
                     {"p90_ms", b->p90},
                     {"max_ms", b->max}};
  if (!report.simulation.empty()) {
    llvm::Expected<json::Value> simulation = json::parse(report.simulation);
    if (simulation)
      root["simulation"] = std::move(*simulation);
    else
      llvm::consumeError(simulation.takeError());
  }
  os << llvm::formatv("{0:2}", json::Value(std::move(root))) << "\n";
}

bool anvil::run::printInfo(llvm::raw_ostream &os, llvm::StringRef artifact,
                           llvm::StringRef metadata, bool asJson) {
  llvm::Expected<json::Value> parsed = json::parse(metadata);
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return false;
  }
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return false;
  const json::Object *cpu = root->getObject("host_cpu");
  std::vector<std::string> missing =
      missingFeatures(cpu ? cpu->getArray("features") : nullptr);
  llvm::StringRef target = root->getString("target").value_or("?");
  llvm::StringRef device = target == "host" ? "host" : "sim";
  if (asJson) {
    json::Object info{{"schema", "anvil-info/1"},
                      {"artifact", artifact},
                      {"device", device},
                      {"runs_here", missing.empty()},
                      {"missing_cpu_features", json::Array(missing)},
                      {"metadata", std::move(*parsed)}};
    os << llvm::formatv("{0:2}", json::Value(std::move(info))) << "\n";
    return true;
  }
  os << "artifact: " << artifact << "\n"
     << "compiler: " << root->getString("compiler").value_or("?") << " "
     << root->getString("compiler_version").value_or("?")
     << " (artifact format " << root->getInteger("format_version").value_or(0)
     << ")\n"
     << "target: " << target
     << (device == "host" ? " (native code)" : " (runs on its simulator)")
     << "\n";
  if (cpu)
    os << "compiled for CPU: " << cpu->getString("name").value_or("?") << " ("
       << (cpu->getArray("features") ? cpu->getArray("features")->size() : 0)
       << " features; "
       << (missing.empty() ? "this machine has them all"
                           : "this machine lacks " + llvm::join(missing, ", "))
       << ")\n";
  os << "weights: " << root->getInteger("weight_bytes").value_or(0)
     << " bytes\n";
  tensorLines(os, "inputs", root->getArray("inputs"));
  tensorLines(os, "outputs", root->getArray("outputs"));
  return true;
}
