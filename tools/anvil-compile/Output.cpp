//===- Output.cpp - Writing a binary output safely ------------------------===//

#include "Output.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

using namespace anvil;
namespace fs = llvm::sys::fs;

static llvm::Error cannotWrite(llvm::StringRef path, const llvm::Twine &why) {
  return llvm::createStringError("cannot write '" + path + "': " + why);
}

llvm::Expected<BinaryOutput> BinaryOutput::open(llvm::StringRef path) {
  BinaryOutput out;
  out.path = path.str();
  fs::file_status status;
  bool exists = !fs::status(path, status);
  if (exists && fs::is_directory(status))
    return cannotWrite(path, "it is a directory");
  out.intoDevice = exists && !fs::is_regular_file(status);
  int fd = -1;
  std::error_code ec;
  if (out.intoDevice) {
    ec = fs::createTemporaryFile("anvil-output", "partial", fd, out.tempPath);
  } else {
    llvm::SmallString<128> model(path);
    model += "-%%%%%%%%.partial";
    ec = fs::createUniqueFile(model, fd, out.tempPath);
  }
  if (ec)
    return cannotWrite(path, ec.message());
  fs::closeFile(fd);
  llvm::sys::RemoveFileOnSignal(out.tempPath);
  return std::move(out);
}

BinaryOutput::BinaryOutput(BinaryOutput &&other)
    : path(std::move(other.path)), tempPath(std::move(other.tempPath)),
      intoDevice(other.intoDevice) {
  other.tempPath.clear();
}

BinaryOutput::~BinaryOutput() { discard(); }

void BinaryOutput::discard() {
  if (tempPath.empty())
    return;
  fs::remove(tempPath);
  llvm::sys::DontRemoveFileOnSignal(tempPath);
  tempPath.clear();
}

llvm::Error BinaryOutput::commit() {
  if (!intoDevice) {
    if (std::error_code ec = fs::rename(tempPath, path))
      return cannotWrite(path, ec.message());
    llvm::sys::DontRemoveFileOnSignal(tempPath);
    tempPath.clear();
    return llvm::Error::success();
  }
  auto bytes = llvm::MemoryBuffer::getFile(tempPath, /*IsText=*/false);
  if (!bytes)
    return cannotWrite(path, bytes.getError().message());
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, fs::OF_None);
  if (!ec) {
    os << (*bytes)->getBuffer();
    os.close();
    ec = os.error();
    // Reported here; an unchecked stream error would abort the compiler.
    os.clear_error();
  }
  if (ec)
    return cannotWrite(path, ec.message());
  discard();
  return llvm::Error::success();
}
