//===- pt2_importer.cpp - Fuzz the torch.export (.pt2) importer -----------===//
//
// The input is a .pt2's models/model.json, optionally followed by a NUL and
// its data/weights/model_weights_config.json. They are written into a copy
// of a template archive (a small MLP's, ANVIL_FUZZ_PT2_TEMPLATE) whose
// weights they refer to, and the archive is imported: the mutations reach
// the graph and the weights' sizes, strides and offsets, which a mutated
// zip would seldom get past its checksums. Damaged archives themselves are
// cases of the malformed-input corpus (test/malformed).
//
//===----------------------------------------------------------------------===//

#include "FuzzContext.h"
#include "FuzzFiles.h"

#include "anvil/Import/Torch.h"

#include <zip.h>

#include <map>
#include <memory>
#include <string>

namespace {

/// The template's entries, by their path inside the archive.
const std::map<std::string, std::string> &templateEntries() {
  static std::map<std::string, std::string> entries = [] {
    std::map<std::string, std::string> out;
    int error = 0;
    zip_t *zip = zip_open(ANVIL_FUZZ_PT2_TEMPLATE, ZIP_RDONLY, &error);
    if (!zip)
      std::abort();
    for (zip_int64_t i = 0, n = zip_get_num_entries(zip, 0); i < n; ++i) {
      zip_stat_t stat;
      zip_stat_index(zip, i, 0, &stat);
      std::string bytes(stat.size, '\0');
      zip_file_t *file = zip_fopen_index(zip, i, 0);
      if (!file || zip_fread(file, bytes.data(), stat.size) !=
                       static_cast<zip_int64_t>(stat.size))
        std::abort();
      zip_fclose(file);
      out[stat.name] = std::move(bytes);
    }
    zip_close(zip);
    return out;
  }();
  return entries;
}

/// Writes the template with the entries ending in `replaced`'s keys
/// replaced; returns the archive's path.
std::string writeArchive(const std::map<std::string, std::string> &replaced) {
  std::string path = anvil::fuzz::writeScratch("model.pt2", nullptr, 0);
  int error = 0;
  zip_t *zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!zip)
    std::abort();
  for (const auto &[name, bytes] : templateEntries()) {
    const std::string *content = &bytes;
    for (const auto &[suffix, text] : replaced)
      if (llvm::StringRef(name).ends_with(suffix))
        content = &text;
    zip_source_t *source =
        zip_source_buffer(zip, content->data(), content->size(), 0);
    if (!source || zip_file_add(zip, name.c_str(), source, 0) < 0)
      std::abort();
    zip_set_file_compression(zip, zip_name_locate(zip, name.c_str(), 0),
                             ZIP_CM_STORE, 0);
  }
  if (zip_close(zip) != 0)
    std::abort();
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef input(reinterpret_cast<const char *>(data), size);
  auto [model, config] = input.split('\0');
  std::map<std::string, std::string> replaced = {
      {"/models/model.json", model.str()}};
  if (model.size() < input.size())
    replaced["/data/weights/model_weights_config.json"] = config.str();
  anvil::torch_import::importArchive(anvil::fuzz::renewedContext(),
                                     writeArchive(replaced));
  return 0;
}
