//===- Archive.cpp - Reading a torch.export .pt2 zip archive --------------===//

#include "Archive.h"

#include "anvil/Import/OpBuilding.h"

#include "llvm/ADT/Twine.h"

#include <zip.h>

using namespace anvil::torch_import;
using llvm::Expected;
using llvm::StringRef;

namespace {

constexpr StringRef kModelJson = "models/model.json";

llvm::Error archiveError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The folder that holds models/model.json; torch.export names it after the
/// model, and older writers put it at the root.
std::optional<std::string> findRoot(zip_t *zip) {
  zip_int64_t count = zip_get_num_entries(zip, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char *name = zip_get_name(zip, i, 0);
    if (!name)
      continue;
    StringRef entry(name);
    if (entry == kModelJson)
      return std::string();
    if (entry.ends_with(kModelJson) &&
        entry.drop_back(kModelJson.size()).count('/') == 1)
      return entry.drop_back(kModelJson.size()).str();
  }
  return std::nullopt;
}

} // namespace

Expected<std::unique_ptr<Archive>> Archive::open(StringRef path) {
  int code = 0;
  zip_t *zip = zip_open(path.str().c_str(), ZIP_RDONLY, &code);
  if (!zip) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    return archiveError("'" + path + "' is not a readable .pt2 archive (" +
                        reason + ")");
  }
  std::optional<std::string> root = findRoot(zip);
  if (!root) {
    zip_discard(zip);
    return archiveError("'" + path + "' is a zip archive without " +
                        kModelJson +
                        "; not a torch.export archive (torch.export.save "
                        "writes one)");
  }
  return std::unique_ptr<Archive>(new Archive(zip, *root));
}

Archive::~Archive() { zip_discard(static_cast<zip_t *>(zip)); }

bool Archive::contains(StringRef relativePath) const {
  std::string name = root + relativePath.str();
  return zip_name_locate(static_cast<zip_t *>(zip), name.c_str(), 0) >= 0;
}

Expected<std::string> Archive::read(StringRef relativePath) const {
  auto *z = static_cast<zip_t *>(zip);
  std::string name = root + relativePath.str();
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat(z, name.c_str(), 0, &stat) != 0 || !(stat.valid & ZIP_STAT_SIZE))
    return archiveError("the archive has no entry '" + name + "'");
  // A weight larger than the biggest tensor Anvil builds is corruption.
  if (stat.size > uint64_t(kMaxTensorElements) * 8)
    return archiveError("entry '" + name + "' claims " +
                        llvm::Twine(stat.size) + " bytes");
  zip_file_t *file = zip_fopen(z, name.c_str(), 0);
  if (!file)
    return archiveError("cannot open entry '" + name + "': " + zip_strerror(z));
  std::string bytes(stat.size, '\0');
  zip_int64_t got = zip_fread(file, bytes.data(), stat.size);
  // libzip checks the entry's CRC when a read reaches the end of the data.
  char probe;
  if (got >= 0 && zip_fread(file, &probe, 1) != 0)
    got = -1;
  std::string reason = got < 0 ? zip_file_strerror(file) : "";
  zip_fclose(file);
  if (got < 0 || static_cast<uint64_t>(got) != stat.size)
    return archiveError("entry '" + name + "' is corrupted" +
                        (reason.empty() ? "" : " (" + reason + ")"));
  return bytes;
}
