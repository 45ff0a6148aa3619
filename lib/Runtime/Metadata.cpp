//===- Metadata.cpp - What an artifact says about itself ------------------===//
#include "Metadata.h"

#include "anvil/Support/Json.h"
#include "anvil/Support/Sizes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"
#include "llvm/TargetParser/Host.h"

using namespace anvil::runtime;

namespace {

AnvilDType parseDType(llvm::StringRef name) {
  for (int d = ANVIL_DTYPE_FLOAT32; d <= ANVIL_DTYPE_UINT64; ++d)
    if (name == anvilDTypeName(static_cast<AnvilDType>(d)))
      return static_cast<AnvilDType>(d);
  return ANVIL_DTYPE_INVALID;
}

/// One tensor of the metadata, or nullopt where it is malformed: a field
/// missing, a type unknown, a dimension negative or a size past int64_t.
std::optional<TensorInfo> parseTensor(const llvm::json::Value &value) {
  const llvm::json::Object *o = value.getAsObject();
  if (!o)
    return std::nullopt;
  auto name = o->getString("name");
  auto dtype = o->getString("dtype");
  const llvm::json::Array *shape = o->getArray("shape");
  if (!name || !dtype || !shape)
    return std::nullopt;
  TensorInfo info;
  info.name = name->str();
  info.dtype = parseDType(*dtype);
  if (info.dtype == ANVIL_DTYPE_INVALID)
    return std::nullopt;
  for (const llvm::json::Value &d : *shape) {
    std::optional<int64_t> size = d.getAsInteger();
    if (!size)
      return std::nullopt;
    info.shape.push_back(*size);
  }
  std::optional<int64_t> bytes =
      anvil::checkedByteCount(info.shape, anvilDTypeSize(info.dtype));
  if (!bytes)
    return std::nullopt;
  info.byteSize = *bytes;
  return info;
}

bool parseTensors(const llvm::json::Array *array,
                  std::vector<TensorInfo> &out) {
  if (!array)
    return false;
  for (const llvm::json::Value &v : *array) {
    std::optional<TensorInfo> info = parseTensor(v);
    if (!info)
      return false;
    out.push_back(std::move(*info));
  }
  return true;
}

llvm::Error problem(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

} // namespace

llvm::Expected<ArtifactMetadata>
anvil::runtime::parseArtifactMetadata(llvm::StringRef text) {
  llvm::Expected<llvm::json::Value> json = anvil::parseJson(text);
  if (!json) {
    llvm::consumeError(json.takeError());
    return problem("artifact metadata is not valid JSON");
  }
  const llvm::json::Object *root = json->getAsObject();
  auto version = root ? root->getInteger("format_version") : std::nullopt;
  if (!version)
    return problem("artifact metadata has no format_version");
  if (*version != ANVIL_ARTIFACT_FORMAT_VERSION)
    return problem("artifact format version " + llvm::Twine(*version) +
                   " is not supported by this runtime (which reads version " +
                   llvm::Twine(ANVIL_ARTIFACT_FORMAT_VERSION) +
                   "); recompile the model");
  ArtifactMetadata metadata;
  if (!parseTensors(root->getArray("inputs"), metadata.inputs) ||
      !parseTensors(root->getArray("outputs"), metadata.outputs))
    return problem("artifact metadata has malformed inputs or outputs");
  metadata.weightBytes = root->getInteger("weight_bytes").value_or(0);
  if (metadata.weightBytes < 0)
    return problem("artifact metadata has a negative weight_bytes");
  if (const llvm::json::Object *cpu = root->getObject("host_cpu")) {
    metadata.cpuName = cpu->getString("name").value_or("").str();
    if (const llvm::json::Array *features = cpu->getArray("features"))
      for (const llvm::json::Value &f : *features)
        if (auto name = f.getAsString())
          metadata.cpuFeatures.push_back(name->str());
  }
  if (auto description = root->getString("machine_description")) {
    llvm::Expected<anvil::target::TargetDesc> machine =
        anvil::target::parseTargetDesc(*description, "the artifact's machine");
    if (!machine)
      return machine.takeError();
    metadata.machine = std::move(*machine);
  }
  return std::move(metadata);
}
