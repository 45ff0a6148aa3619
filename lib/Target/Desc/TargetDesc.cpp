//===- TargetDesc.cpp - Load and validate machine descriptions ------------===//
//
// Parsing is two steps: llvm::json's ObjectMapper reads the structure (and
// reports a wrong type with the field's path), then validate() checks what
// JSON cannot say: positive sizes, known type names, no unknown fields, and
// the consistency between levels that every pass relies on.
//
//===----------------------------------------------------------------------===//

#include "anvil/Target/TargetDesc.h"
#include "anvil/Support/Paths.h"
#include "anvil/Support/Json.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstdlib>
#include <map>

using namespace anvil::target;
namespace json = llvm::json;

std::optional<DType> anvil::target::parseDType(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<DType>>(name)
      .Case("i8", DType::I8)
      .Case("i32", DType::I32)
      .Case("f16", DType::F16)
      .Case("bf16", DType::BF16)
      .Case("f32", DType::F32)
      .Default(std::nullopt);
}

llvm::StringRef anvil::target::dtypeName(DType type) {
  switch (type) {
  case DType::I8:
    return "i8";
  case DType::I32:
    return "i32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::F32:
    return "f32";
  }
  llvm_unreachable("unknown dtype");
}

int64_t anvil::target::dtypeBytes(DType type) {
  switch (type) {
  case DType::I8:
    return 1;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I32:
  case DType::F32:
    return 4;
  }
  llvm_unreachable("unknown dtype");
}

llvm::StringRef anvil::target::memoryLevelName(MemoryLevel level) {
  switch (level) {
  case MemoryLevel::DRAM:
    return "dram";
  case MemoryLevel::SRAM:
    return "sram";
  case MemoryLevel::Local:
    return "local";
  }
  llvm_unreachable("unknown memory level");
}

//===----------------------------------------------------------------------===//
// Derived figures
//===----------------------------------------------------------------------===//

double TargetDesc::bytesPerCycle(MemoryLevel l) const {
  // GB/s over cycles/s: 1e9 / (clockMHz * 1e6).
  return level(l).bandwidthGBps * 1e3 / clockMHz;
}

std::optional<DType> TargetDesc::dpeAccumulator(DType input) const {
  for (const DPETypeDesc &t : dpe.types)
    if (t.input == input)
      return t.accumulator;
  return std::nullopt;
}

int64_t TargetDesc::dpeMacsPerCycle(DType input) const {
  if (!dpeAccumulator(input))
    return 0;
  return dpe.tileRows * (dpe.tileRowBytes / dtypeBytes(input)) * dpe.arrays;
}

static int64_t lookupLanes(llvm::ArrayRef<LaneDesc> lanes, DType type) {
  for (DType t : {type, DType::F32})
    for (const LaneDesc &l : lanes)
      if (l.type == t)
        return l.opsPerCycle;
  llvm_unreachable("validated descriptions list f32");
}

int64_t TargetDesc::seOpsPerCycle(DType type) const {
  return lookupLanes(se, type);
}

int64_t TargetDesc::vectorOpsPerCycle(DType type) const {
  return lookupLanes(vectorCore, type);
}

double TargetDesc::dpePeakOpsPerSecond(DType input) const {
  return 2.0 * dpeMacsPerCycle(input) * numPEs() * clockMHz * 1e6;
}

//===----------------------------------------------------------------------===//
// Structure: JSON to the raw description
//===----------------------------------------------------------------------===//

namespace {

/// The file as written, before names become enums.
struct RawGrid {
  int64_t rows = 0, cols = 0;
};
struct RawMemory {
  MemoryDesc dram, sram, local;
};
struct RawDPEType {
  std::string input, accumulator;
};
struct RawDPE {
  DPEDesc desc;
  std::vector<RawDPEType> types;
};
struct RawLanes {
  int64_t vectorBytes = 0;
  std::map<std::string, int64_t> opsPerCycle;
};
struct RawTarget {
  TargetDesc desc;
  RawGrid grid;
  RawMemory memory;
  RawDPE dpe;
  RawLanes se, vector;
};

} // namespace

// ObjectMapper finds these by argument-dependent lookup.
namespace anvil::target {

static bool fromJSON(const json::Value &value, MemoryDesc &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("capacity_bytes", out.capacityBytes) &&
         o.map("bandwidth_gb_per_s", out.bandwidthGBps) &&
         o.map("latency_cycles", out.latencyCycles) &&
         o.map("transaction_bytes", out.transactionBytes) &&
         o.map("shared", out.shared);
}

static bool fromJSON(const json::Value &value, DMADesc &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("bytes_per_cycle", out.bytesPerCycle) &&
         o.map("broadcast", out.broadcast) && o.map("gather", out.gather) &&
         o.map("dram_prefetch", out.dramPrefetch);
}

static bool fromJSON(const json::Value &value, CostsDesc &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("launch_cycles", out.launchCycles) &&
         o.map("barrier_cycles", out.barrierCycles) &&
         o.map("issue_cycles", out.issueCycles);
}

} // namespace anvil::target

namespace {

bool fromJSON(const json::Value &value, RawGrid &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("rows", out.rows) && o.map("cols", out.cols);
}

bool fromJSON(const json::Value &value, RawMemory &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("dram", out.dram) && o.map("sram", out.sram) &&
         o.map("local", out.local);
}

bool fromJSON(const json::Value &value, RawDPEType &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("input", out.input) &&
         o.map("accumulator", out.accumulator);
}

bool fromJSON(const json::Value &value, RawDPE &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("tile_rows", out.desc.tileRows) &&
         o.map("tile_row_bytes", out.desc.tileRowBytes) &&
         o.map("arrays", out.desc.arrays) &&
         o.map("reload_cycles", out.desc.reloadCycles) &&
         o.map("types", out.types);
}

bool fromJSON(const json::Value &value, RawLanes &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.mapOptional("vector_bytes", out.vectorBytes) &&
         o.map("ops_per_cycle", out.opsPerCycle);
}

bool fromJSON(const json::Value &value, RawTarget &raw, json::Path p) {
  TargetDesc &d = raw.desc;
  json::ObjectMapper o(value, p);
  return o && o.map("name", d.name) &&
         o.mapOptional("description", d.description) &&
         o.map("clock_mhz", d.clockMHz) && o.map("pe_grid", raw.grid) &&
         o.map("memory", raw.memory) && o.map("dma", d.dma) &&
         o.map("dpe", raw.dpe) && o.map("se", raw.se) &&
         o.map("vector_core", raw.vector) && o.map("costs", d.costs) &&
         o.map("host_link_gb_per_s", d.hostLinkGBps);
}

} // namespace

//===----------------------------------------------------------------------===//
// Meaning: what JSON cannot check
//===----------------------------------------------------------------------===//

namespace {

/// Collects every problem of a description, each naming its field.
class Validator {
public:
  explicit Validator(llvm::StringRef source) : source(source) {}

  void fail(const llvm::Twine &field, const llvm::Twine &why) {
    problems.push_back((field + ": " + why).str());
  }
  void positive(llvm::StringRef field, double value) {
    if (!(value > 0) || !std::isfinite(value))
      fail(field, "must be positive (got " + llvm::formatv("{0}", value) + ")");
  }
  void positive(llvm::StringRef field, int64_t value) {
    if (value <= 0)
      fail(field, "must be positive (got " + llvm::Twine(value) + ")");
  }
  /// Figures past `limit` are no machine Anvil models, and products of
  /// them would overflow.
  void atMost(llvm::StringRef field, int64_t value, int64_t limit) {
    // Large negative figures are as far out (and refused again below).
    if (value > limit || value < -limit)
      fail(field, "is larger than Anvil models (at most " +
                      llvm::Twine(limit) + ", got " + llvm::Twine(value) + ")");
  }
  void atMost(llvm::StringRef field, double value, double limit) {
    if (value > limit || value < -limit)
      fail(field, "is larger than Anvil models (at most " +
                      llvm::formatv("{0:e}", limit) + ", got " +
                      llvm::formatv("{0:e}", value) + ")");
  }
  bool failed() const { return !problems.empty(); }
  void nonNegative(llvm::StringRef field, int64_t value) {
    if (value < 0)
      fail(field, "must not be negative (got " + llvm::Twine(value) + ")");
  }

  /// Fields of `object` that the format does not define: a misspelt key
  /// would otherwise leave a figure at zero without a word.
  void knownKeys(const json::Object *object, llvm::StringRef where,
                 std::initializer_list<llvm::StringRef> keys) {
    if (!object)
      return;
    for (const auto &entry : *object)
      if (!llvm::is_contained(keys, entry.first.str()))
        fail(where.empty() ? entry.first.str()
                           : (where + "." + entry.first.str()).str(),
             "unknown field (see docs/Targets.md)");
  }

  llvm::Error result() const {
    if (problems.empty())
      return llvm::Error::success();
    std::string message = source.str() + ": invalid machine description:";
    for (const std::string &p : problems)
      message += "\n  " + p;
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  }

private:
  llvm::StringRef source;
  std::vector<std::string> problems;
};

} // namespace

static void checkUnknownFields(const json::Object &root, Validator &v) {
  v.knownKeys(&root, "",
              {"name", "description", "clock_mhz", "pe_grid", "memory", "dma",
               "dpe", "se", "vector_core", "costs", "host_link_gb_per_s"});
  v.knownKeys(root.getObject("pe_grid"), "pe_grid", {"rows", "cols"});
  if (const json::Object *memory = root.getObject("memory")) {
    v.knownKeys(memory, "memory", {"dram", "sram", "local"});
    for (llvm::StringRef level : {"dram", "sram", "local"})
      v.knownKeys(memory->getObject(level), ("memory." + level).str(),
                  {"capacity_bytes", "bandwidth_gb_per_s", "latency_cycles",
                   "transaction_bytes", "shared"});
  }
  v.knownKeys(root.getObject("dma"), "dma",
              {"bytes_per_cycle", "broadcast", "gather", "dram_prefetch"});
  v.knownKeys(
      root.getObject("dpe"), "dpe",
      {"tile_rows", "tile_row_bytes", "arrays", "reload_cycles", "types"});
  v.knownKeys(root.getObject("se"), "se", {"ops_per_cycle"});
  v.knownKeys(root.getObject("vector_core"), "vector_core",
              {"vector_bytes", "ops_per_cycle"});
  v.knownKeys(root.getObject("costs"), "costs",
              {"launch_cycles", "barrier_cycles", "issue_cycles"});
}

static void convertLanes(const std::map<std::string, int64_t> &raw,
                         llvm::StringRef field,
                         llvm::SmallVector<LaneDesc> &out, Validator &v) {
  if (!raw.count("f32"))
    v.fail(field, "must list f32 (types it does not list run at that rate)");
  for (const auto &[name, ops] : raw) {
    std::string where = (field + "." + name).str();
    std::optional<DType> type = parseDType(name);
    if (!type)
      v.fail(where, "unknown type (expected i8, i32, f16, bf16 or f32)");
    else
      out.push_back({*type, ops});
    v.positive(where, ops);
  }
}

static void convertDPETypes(llvm::ArrayRef<RawDPEType> raw, DPEDesc &dpe,
                            Validator &v) {
  if (raw.empty())
    v.fail("dpe.types", "must list at least one input type");
  for (auto [i, t] : llvm::enumerate(raw)) {
    std::string where = llvm::formatv("dpe.types[{0}]", i).str();
    std::optional<DType> input = parseDType(t.input);
    std::optional<DType> acc = parseDType(t.accumulator);
    if (!input)
      v.fail(where + ".input", "unknown type '" + t.input + "'");
    if (!acc)
      v.fail(where + ".accumulator", "unknown type '" + t.accumulator + "'");
    if (!input || !acc)
      continue;
    if (dtypeBytes(*acc) <= dtypeBytes(*input))
      v.fail(where, "the accumulator (" + t.accumulator +
                        ") must be wider than the input (" + t.input + ")");
    else if (dpe.tileRowBytes % dtypeBytes(*input) != 0)
      v.fail(where,
             "dpe.tile_row_bytes must hold whole " + t.input + " elements");
    dpe.types.push_back({*input, *acc});
  }
}

/// The largest figures Anvil models: products of them (PEs times local
/// memory, a DPE tile's bytes) stay far from overflowing, and the simulator
/// holds the SRAM in host memory.
static void checkCeilings(const TargetDesc &d, Validator &v) {
  constexpr int64_t kCount = int64_t(1) << 32;
  constexpr double kRate = 1e9;
  v.atMost("pe_grid.rows", d.peRows, 1024);
  v.atMost("pe_grid.cols", d.peCols, 1024);
  for (int i = 0; i < kNumMemoryLevels; ++i) {
    const MemoryDesc &m = d.memory[i];
    std::string where = ("memory." + memoryLevelName(MemoryLevel(i))).str();
    v.atMost(where + ".capacity_bytes", m.capacityBytes,
             MemoryLevel(i) == MemoryLevel::DRAM ? int64_t(1) << 48 : kCount);
    v.atMost(where + ".bandwidth_gb_per_s", m.bandwidthGBps, kRate);
    v.atMost(where + ".latency_cycles", m.latencyCycles, kCount);
    v.atMost(where + ".transaction_bytes", m.transactionBytes, kCount);
  }
  v.atMost("clock_mhz", d.clockMHz, kRate);
  v.atMost("host_link_gb_per_s", d.hostLinkGBps, kRate);
  v.atMost("dma.bytes_per_cycle", d.dma.bytesPerCycle, kCount);
  v.atMost("dpe.tile_rows", d.dpe.tileRows, 1 << 16);
  v.atMost("dpe.tile_row_bytes", d.dpe.tileRowBytes, 1 << 16);
  v.atMost("dpe.arrays", d.dpe.arrays, 1 << 16);
  v.atMost("dpe.reload_cycles", d.dpe.reloadCycles, kCount);
  v.atMost("vector_core.vector_bytes", d.vectorBytes, 1 << 16);
  v.atMost("costs.launch_cycles", d.costs.launchCycles, kCount);
  v.atMost("costs.barrier_cycles", d.costs.barrierCycles, kCount);
  v.atMost("costs.issue_cycles", d.costs.issueCycles, kCount);
  for (const LaneDesc &lane : d.se)
    v.atMost("se.ops_per_cycle", lane.opsPerCycle, kCount);
  for (const LaneDesc &lane : d.vectorCore)
    v.atMost("vector_core.ops_per_cycle", lane.opsPerCycle, kCount);
}

static void checkMemory(const TargetDesc &d, Validator &v) {
  for (int i = 0; i < kNumMemoryLevels; ++i) {
    const MemoryDesc &m = d.memory[i];
    std::string where = ("memory." + memoryLevelName(MemoryLevel(i))).str();
    v.positive(where + ".capacity_bytes", m.capacityBytes);
    v.positive(where + ".bandwidth_gb_per_s", m.bandwidthGBps);
    v.nonNegative(where + ".latency_cycles", m.latencyCycles);
    v.positive(where + ".transaction_bytes", m.transactionBytes);
  }
  // The compiler stages DRAM -> SRAM -> local memory: each level must be
  // larger than the one it feeds, and the local memory belongs to one PE.
  const MemoryDesc &dram = d.level(MemoryLevel::DRAM);
  const MemoryDesc &sram = d.level(MemoryLevel::SRAM);
  const MemoryDesc &local = d.level(MemoryLevel::Local);
  if (sram.capacityBytes >= dram.capacityBytes)
    v.fail("memory.sram.capacity_bytes", "must be smaller than DRAM's");
  if (local.capacityBytes * d.numPEs() > sram.capacityBytes)
    v.fail("memory.local.capacity_bytes",
           "all PEs' local memories together must fit in the SRAM they are "
           "staged from");
  if (local.shared)
    v.fail("memory.local.shared", "local memory belongs to one PE (false)");
  if (!dram.shared || !sram.shared)
    v.fail("memory", "DRAM and SRAM are shared by all PEs (shared: true)");
}

static void checkUnits(const TargetDesc &d, Validator &v) {
  v.positive("clock_mhz", d.clockMHz);
  v.positive("pe_grid.rows", d.peRows);
  v.positive("pe_grid.cols", d.peCols);
  v.positive("dma.bytes_per_cycle", d.dma.bytesPerCycle);
  v.positive("dpe.tile_rows", d.dpe.tileRows);
  v.positive("dpe.tile_row_bytes", d.dpe.tileRowBytes);
  v.positive("dpe.arrays", d.dpe.arrays);
  v.nonNegative("dpe.reload_cycles", d.dpe.reloadCycles);
  v.positive("vector_core.vector_bytes", d.vectorBytes);
  v.nonNegative("costs.launch_cycles", d.costs.launchCycles);
  v.nonNegative("costs.barrier_cycles", d.costs.barrierCycles);
  v.nonNegative("costs.issue_cycles", d.costs.issueCycles);
  v.positive("host_link_gb_per_s", d.hostLinkGBps);
  if (d.name.empty())
    v.fail("name", "must not be empty");
  // A kernel holds at least one native tile of each operand and of the
  // accumulator in local memory.
  int64_t tileBytes = d.dpe.tileRows * d.dpe.tileRowBytes;
  if (d.dpe.tileRows > 0 &&
      tileBytes * 6 > d.level(MemoryLevel::Local).capacityBytes)
    v.fail("dpe", llvm::formatv("a native tile ({0} bytes) and its operands "
                                "do not fit in local memory",
                                tileBytes));
}

llvm::Expected<TargetDesc>
anvil::target::parseTargetDesc(llvm::StringRef text, llvm::StringRef source) {
  llvm::Expected<json::Value> value = anvil::parseJson(text);
  if (!value)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(), "%s: not valid JSON: %s",
        source.str().c_str(), llvm::toString(value.takeError()).c_str());
  json::Path::Root root(source);
  RawTarget raw;
  if (!fromJSON(*value, raw, root))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(), "%s: invalid machine description: %s",
        source.str().c_str(), llvm::toString(root.getError()).c_str());

  Validator v(source);
  checkUnknownFields(*value->getAsObject(), v);
  TargetDesc &d = raw.desc;
  d.peRows = raw.grid.rows;
  d.peCols = raw.grid.cols;
  d.memory[int(MemoryLevel::DRAM)] = raw.memory.dram;
  d.memory[int(MemoryLevel::SRAM)] = raw.memory.sram;
  d.memory[int(MemoryLevel::Local)] = raw.memory.local;
  d.dpe = raw.dpe.desc;
  d.vectorBytes = raw.vector.vectorBytes;
  convertDPETypes(raw.dpe.types, d.dpe, v);
  convertLanes(raw.se.opsPerCycle, "se.ops_per_cycle", d.se, v);
  convertLanes(raw.vector.opsPerCycle, "vector_core.ops_per_cycle",
               d.vectorCore, v);
  checkCeilings(d, v);
  // The checks below multiply figures: only once each is in range.
  if (!v.failed()) {
    checkMemory(d, v);
    checkUnits(d, v);
  }
  if (llvm::Error err = v.result())
    return std::move(err);
  d.json = text.str();
  return std::move(d);
}

llvm::Expected<TargetDesc> anvil::target::loadTargetDesc(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError(
        buffer.getError(), "cannot read machine description '%s': %s",
        path.str().c_str(), buffer.getError().message().c_str());
  return parseTargetDesc((*buffer)->getBuffer(), path);
}

std::string anvil::target::targetsDirectory() {
  return paths::targetsDirectory();
}

llvm::SmallVector<std::string> anvil::target::availableTargets() {
  llvm::SmallVector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(targetsDirectory(), ec), end;
       it != end && !ec; it.increment(ec))
    if (llvm::sys::path::extension(it->path()) == ".json")
      names.push_back(llvm::sys::path::stem(it->path()).str());
  llvm::sort(names);
  return names;
}

llvm::Expected<TargetDesc>
anvil::target::resolveTarget(llvm::StringRef nameOrPath) {
  if (nameOrPath.contains('/') || nameOrPath.ends_with(".json"))
    return loadTargetDesc(nameOrPath);
  llvm::SmallString<128> path(targetsDirectory());
  llvm::sys::path::append(path, nameOrPath + ".json");
  if (llvm::sys::fs::exists(path))
    return loadTargetDesc(path);
  std::string known;
  for (const std::string &name : availableTargets())
    known += (known.empty() ? "" : ", ") + name;
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "unknown target '%s' (known: host%s%s; or give a path to a machine "
      "description .json, or host:FILE.json for a host description)",
      nameOrPath.str().c_str(), known.empty() ? "" : ", ", known.c_str());
}
