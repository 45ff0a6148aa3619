//===- HostDesc.cpp - The host CPU as a machine description ---------------===//

#include "anvil/Target/HostDesc.h"
#include "anvil/Support/Json.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"

#include <unistd.h>

using namespace anvil::target;
namespace json = llvm::json;

const CacheDesc *HostDesc::cache(int64_t level) const {
  for (const CacheDesc &c : caches)
    if (c.level == level)
      return &c;
  return nullptr;
}

namespace anvil::target {
// ObjectMapper finds these by argument-dependent lookup.
static bool fromJSON(const json::Value &value, CacheDesc &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("level", out.level) &&
         o.map("capacity_bytes", out.capacityBytes) &&
         o.map("line_bytes", out.lineBytes) &&
         o.mapOptional("shared_by_cores", out.sharedByCores);
}

namespace {
/// The description as the JSON file has it.
struct RawVector {
  int64_t lanes = 0, registers = 0;
};
struct RawHost {
  std::string name, kind, cpu;
  int64_t cores = 0, dramBytes = 0;
  RawVector vector;
  std::vector<CacheDesc> caches;
};

bool fromJSON(const json::Value &value, RawVector &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("f32_lanes", out.lanes) &&
         o.map("registers", out.registers);
}

bool fromJSON(const json::Value &value, RawHost &out, json::Path p) {
  json::ObjectMapper o(value, p);
  return o && o.map("name", out.name) && o.map("kind", out.kind) &&
         o.mapOptional("cpu", out.cpu) && o.map("cores", out.cores) &&
         o.map("vector", out.vector) && o.map("caches", out.caches) &&
         o.map("dram_bytes", out.dramBytes);
}
} // namespace
} // namespace anvil::target

namespace {

/// The first line of a sysfs file, or "".
std::string readLine(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return "";
  return (*buffer)->getBuffer().split('\n').first.trim().str();
}

/// "48K", "1024K", "32M" in bytes; 0 when unreadable.
int64_t sizeBytes(llvm::StringRef text) {
  int64_t scale = 1;
  if (text.consume_back("K"))
    scale = 1024;
  else if (text.consume_back("M"))
    scale = 1024 * 1024;
  int64_t value = 0;
  return text.getAsInteger(10, value) ? 0 : value * scale;
}

/// CPUs in a sysfs list such as "0-3,8".
int64_t countCPUs(llvm::StringRef list) {
  int64_t count = 0;
  while (!list.empty()) {
    auto [range, rest] = list.split(',');
    auto [first, last] = range.split('-');
    int64_t a = 0, b = 0;
    if (!first.getAsInteger(10, a))
      count += last.empty() || last.getAsInteger(10, b) ? 1 : b - a + 1;
    list = rest;
  }
  return count;
}

/// The data and unified caches of CPU 0, from sysfs.
llvm::SmallVector<CacheDesc> detectCaches() {
  llvm::SmallVector<CacheDesc> caches;
  for (int index = 0;; ++index) {
    std::string dir =
        llvm::formatv("/sys/devices/system/cpu/cpu0/cache/index{0}/", index);
    std::string type = readLine(dir + "type");
    if (type.empty())
      break;
    if (type == "Instruction")
      continue;
    CacheDesc c;
    llvm::StringRef(readLine(dir + "level")).getAsInteger(10, c.level);
    c.capacityBytes = sizeBytes(readLine(dir + "size"));
    llvm::StringRef(readLine(dir + "coherency_line_size"))
        .getAsInteger(10, c.lineBytes);
    c.sharedByCores =
        std::max<int64_t>(1, countCPUs(readLine(dir + "shared_cpu_list")));
    if (c.level > 0 && c.capacityBytes > 0 && c.lineBytes > 0)
      caches.push_back(c);
  }
  llvm::sort(caches, [](const CacheDesc &a, const CacheDesc &b) {
    return a.level < b.level;
  });
  return caches;
}

/// The data and unified caches as the C library reads them from the CPU
/// (CPUID on x86), for systems whose sysfs lists none (some containers and
/// virtual machines). The C library does not say which cores share a
/// level: the first two are taken as a core's own, the third as shared by
/// all `cores`.
llvm::SmallVector<CacheDesc> cachesFromLibc(int64_t cores) {
  llvm::SmallVector<CacheDesc> caches;
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL3_CACHE_LINESIZE)
  const int names[][2] = {
      {_SC_LEVEL1_DCACHE_SIZE, _SC_LEVEL1_DCACHE_LINESIZE},
      {_SC_LEVEL2_CACHE_SIZE, _SC_LEVEL2_CACHE_LINESIZE},
      {_SC_LEVEL3_CACHE_SIZE, _SC_LEVEL3_CACHE_LINESIZE}};
  for (auto [index, name] : llvm::enumerate(names)) {
    CacheDesc c;
    c.level = static_cast<int64_t>(index) + 1;
    c.capacityBytes = sysconf(name[0]);
    c.lineBytes = sysconf(name[1]);
    c.sharedByCores = c.level == 3 ? cores : 1;
    if (c.capacityBytes <= 0 || c.lineBytes <= 0)
      break;
    caches.push_back(c);
  }
#else
  (void)cores;
#endif
  return caches;
}

json::Value toJSON(const HostDesc &d) {
  json::Array caches;
  for (const CacheDesc &c : d.caches)
    caches.push_back(json::Object{{"level", c.level},
                                  {"capacity_bytes", c.capacityBytes},
                                  {"line_bytes", c.lineBytes},
                                  {"shared_by_cores", c.sharedByCores}});
  return json::Object{
      {"name", d.name},
      {"kind", "cpu"},
      {"cpu", d.cpu},
      {"cores", d.cores},
      {"vector", json::Object{{"f32_lanes", d.vectorLanes},
                              {"registers", d.vectorRegisters}}},
      {"caches", std::move(caches)},
      {"dram_bytes", d.dramBytes}};
}

/// Fields the format does not define: a misspelt key would otherwise pass
/// unnoticed.
std::vector<std::string> unknownFields(const json::Object &root) {
  std::vector<std::string> problems;
  auto check = [&](const json::Object *object, llvm::StringRef where,
                   std::initializer_list<llvm::StringRef> keys) {
    if (!object)
      return;
    for (const auto &entry : *object)
      if (!llvm::is_contained(keys, entry.first.str()))
        problems.push_back((where + entry.first.str() +
                            ": unknown field (see docs/Targets.md)")
                               .str());
  };
  check(&root, "",
        {"name", "kind", "cpu", "cores", "vector", "caches", "dram_bytes"});
  check(root.getObject("vector"), "vector.", {"f32_lanes", "registers"});
  if (const json::Array *caches = root.getArray("caches"))
    for (auto [i, cache] : llvm::enumerate(*caches))
      check(cache.getAsObject(), llvm::formatv("caches[{0}].", i).str(),
            {"level", "capacity_bytes", "line_bytes", "shared_by_cores"});
  return problems;
}

/// What JSON cannot say; each problem names its field.
std::vector<std::string> problemsOf(const HostDesc &d) {
  std::vector<std::string> problems;
  auto fail = [&](const llvm::Twine &field, const llvm::Twine &why) {
    problems.push_back((field + ": " + why).str());
  };
  // Past these no machine exists, and the tiling policies' products of
  // cores and cache sizes would overflow.
  constexpr int64_t kMaxCores = 1 << 16, kMaxBytes = int64_t(1) << 48;
  if (d.cores < 1 || d.cores > kMaxCores)
    fail("cores", "must be between 1 and " + llvm::Twine(kMaxCores));
  if (d.vectorLanes != 4 && d.vectorLanes != 8 && d.vectorLanes != 16)
    fail("vector.f32_lanes", "must be 4 (SSE), 8 (AVX2) or 16 (AVX-512)");
  if (d.vectorRegisters != 16 && d.vectorRegisters != 32)
    fail("vector.registers", "must be 16 or 32");
  if (d.dramBytes <= 0 || d.dramBytes > kMaxBytes)
    fail("dram_bytes", "must be positive and at most 2^48");
  int64_t previous = 0;
  for (auto [i, c] : llvm::enumerate(d.caches)) {
    std::string at = llvm::formatv("caches[{0}]", i);
    if (c.level <= previous)
      fail(at + ".level", "levels must rise from the innermost (1, 2, 3)");
    previous = c.level;
    if (c.capacityBytes <= 0 || c.capacityBytes > kMaxBytes)
      fail(at + ".capacity_bytes", "must be positive and at most 2^48");
    if (c.lineBytes <= 0 || c.lineBytes > 4096 ||
        !llvm::isPowerOf2_64(c.lineBytes))
      fail(at + ".line_bytes", "must be a power of two, at most 4096");
    if (c.sharedByCores < 1 || c.sharedByCores > d.cores)
      fail(at + ".shared_by_cores", "must be between 1 and cores");
  }
  return problems;
}

} // namespace

HostDesc anvil::target::detectHostDesc() {
  HostDesc d;
  d.cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f")) {
    d.vectorLanes = 16;
    d.vectorRegisters = 32;
  } else if (features.lookup("avx2") || features.lookup("avx")) {
    d.vectorLanes = 8;
  }
  d.cores = std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN));
  d.caches = detectCaches();
  if (d.caches.empty())
    d.caches = cachesFromLibc(d.cores);
  d.dramBytes = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) *
                static_cast<int64_t>(sysconf(_SC_PAGESIZE));
  std::string text;
  llvm::raw_string_ostream os(text);
  os << toJSON(d);
  d.json = text;
  return d;
}

llvm::Expected<HostDesc> anvil::target::parseHostDesc(llvm::StringRef text,
                                                      llvm::StringRef source) {
  llvm::Expected<json::Value> value = anvil::parseJson(text);
  if (!value)
    return llvm::createStringError("%s: not valid JSON: %s",
                                   source.str().c_str(),
                                   llvm::toString(value.takeError()).c_str());
  json::Path::Root root(source);
  RawHost raw;
  if (!fromJSON(*value, raw, root))
    return llvm::createStringError("%s: invalid host description: %s",
                                   source.str().c_str(),
                                   llvm::toString(root.getError()).c_str());
  if (raw.kind != "cpu")
    return llvm::createStringError(
        "%s: invalid host description:\n  kind: must be \"cpu\" (got \"%s\")",
        source.str().c_str(), raw.kind.c_str());
  HostDesc d;
  d.name = raw.name;
  d.cpu = raw.cpu;
  d.cores = raw.cores;
  d.vectorLanes = raw.vector.lanes;
  d.vectorRegisters = raw.vector.registers;
  d.caches.assign(raw.caches.begin(), raw.caches.end());
  d.dramBytes = raw.dramBytes;
  std::vector<std::string> problems = unknownFields(*value->getAsObject());
  llvm::append_range(problems, problemsOf(d));
  if (!problems.empty()) {
    std::string message = source.str() + ": invalid host description:";
    for (const std::string &p : problems)
      message += "\n  " + p;
    return llvm::createStringError(message);
  }
  d.json = text.str();
  return d;
}

bool anvil::target::isHostTarget(llvm::StringRef target) {
  return target == "host" || target.starts_with("host:");
}

llvm::Expected<HostDesc>
anvil::target::resolveHostTarget(llvm::StringRef target) {
  if (target == "host")
    return detectHostDesc();
  llvm::StringRef path = target.drop_front(llvm::StringRef("host:").size());
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError(
        buffer.getError(), "cannot read host description '%s': %s",
        path.str().c_str(), buffer.getError().message().c_str());
  return parseHostDesc((*buffer)->getBuffer(), path);
}

std::vector<std::string>
anvil::target::missingHostFeatures(llvm::ArrayRef<std::string> required) {
  llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> missing;
  for (const std::string &feature : required)
    if (!host.lookup(feature))
      missing.push_back(feature);
  return missing;
}
