//===- Archive.h - Reading a torch.export .pt2 zip archive ------*- C++ -*-===//
#ifndef ANVIL_LIB_IMPORT_TORCH_ARCHIVE_H
#define ANVIL_LIB_IMPORT_TORCH_ARCHIVE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace anvil::torch_import {

/// A .pt2 archive: a zip whose entries all sit under one folder named after
/// the model ("mlp/models/model.json", "mlp/data/weights/weight_0", ...).
/// Paths given to `read` are relative to that folder.
class Archive {
public:
  static llvm::Expected<std::unique_ptr<Archive>> open(llvm::StringRef path);
  ~Archive();

  /// The entry's bytes; an error names the entry when it is missing or
  /// cannot be decompressed.
  llvm::Expected<std::string> read(llvm::StringRef relativePath) const;
  bool contains(llvm::StringRef relativePath) const;
  llvm::StringRef prefix() const { return root; }

private:
  Archive(void *zip, std::string root) : zip(zip), root(std::move(root)) {}
  void *zip;
  std::string root;
};

} // namespace anvil::torch_import

#endif // ANVIL_LIB_IMPORT_TORCH_ARCHIVE_H
