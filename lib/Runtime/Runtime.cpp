//===- Runtime.cpp - Load and run compiled artifacts ----------------------===//
#include "anvil-c/Runtime.h"
#include "Metadata.h"
#include "anvil-c/Kernels.h"

#include "anvil/Sim/Simulator.h"
#include "anvil/Target/HostDesc.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

/// The ELF header of the executable or library this code is linked into
/// (GNU ld and lld define it).
extern "C" const char __ehdr_start;
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using anvil::runtime::TensorInfo;

namespace {

using EntryFn = int (*)(void **);
using SetThreadsFn = void (*)(int);

void setError(char **error, const std::string &message) {
  if (error)
    *error = strdup(message.c_str());
}

std::string shapeString(const int64_t *shape, int32_t rank) {
  std::string s = "[";
  for (int32_t i = 0; i < rank; ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s + "]";
}

/// Checks one caller tensor against the model's; "" when it fits.
std::string mismatch(const char *role, int32_t index, const TensorInfo &want,
                     const AnvilTensor &got) {
  std::string who = std::string(role) + " " + std::to_string(index) + " ('" +
                    want.name + "')";
  if (got.name && *got.name && want.name != got.name)
    return who + " was given a tensor named '" + got.name + "'";
  if (got.dtype != want.dtype)
    return who + " expects " + anvilDTypeName(want.dtype) + ", got " +
           anvilDTypeName(got.dtype);
  if (got.rank != static_cast<int32_t>(want.shape.size()) ||
      !std::equal(want.shape.begin(), want.shape.end(), got.shape))
    return who + " expects shape " +
           shapeString(want.shape.data(), want.shape.size()) + ", got " +
           shapeString(got.shape, got.rank);
  if (!got.data && want.byteSize != 0)
    return who + " has no data";
  return "";
}

int32_t gNumThreads = 0;

} // namespace

struct AnvilModel {
  void *handle = nullptr;
  EntryFn entry = nullptr;
  /// omp_set_num_threads of the OpenMP runtime the artifact links, if any.
  SetThreadsFn setThreads = nullptr;
  std::string metadata;
  std::vector<TensorInfo> inputs, outputs;
  /// The artifact's constants: every run reads them from DRAM at least once.
  int64_t weightBytes = 0;
  /// The machine an MTIA-target artifact was compiled for; it runs on the
  /// simulator of that machine.
  std::optional<anvil::target::TargetDesc> machine;
  std::atomic<bool> trace{false};
  /// The simulator of the last run to finish, for its report and trace.
  /// Each run simulates on a machine of its own; `lastRunLock` guards only
  /// the hand-over and the reading of the report.
  std::unique_ptr<anvil::sim::Simulator> lastRun;
  mutable std::mutex lastRunLock;
  /// The artifact's anvil_release_buffers: frees the buffers its runs left
  /// for reuse, on every thread (none in artifacts of older compilers).
  void (*releaseBuffers)() = nullptr;
};

/// Why the file at `path` is no shared library for this process to load,
/// or empty where it may be one (dlopen then has the last word).
static std::string notLoadable(const char *path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return buffer.getError().message();
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (llvm::identify_magic(bytes) != llvm::file_magic::elf_shared_object)
    return "not a shared library (an Anvil artifact is one)";
  if (bytes.size() <= llvm::ELF::EI_CLASS ||
      bytes[llvm::ELF::EI_CLASS] != llvm::ELF::ELFCLASS64)
    return "a 32-bit shared library; artifacts are 64-bit";
  // The header and the program headers are read by hand: LLVM's ELF reader
  // would bring its object library into the runtime.
  llvm::ELF::Elf64_Ehdr header;
  if (bytes.size() < sizeof(header))
    return "a damaged shared library (its ELF header does not fit the file)";
  std::memcpy(&header, bytes.data(), sizeof(header));
  uint16_t self = llvm::support::endian::read16le(
      &__ehdr_start + offsetof(llvm::ELF::Elf64_Ehdr, e_machine));
  if (header.e_machine != self)
    return "a shared library for another machine (ELF machine " +
           std::to_string(header.e_machine) + ", this host's is " +
           std::to_string(self) + ")";
  uint64_t tableBytes =
      uint64_t(header.e_phnum) * sizeof(llvm::ELF::Elf64_Phdr);
  if (header.e_phentsize != sizeof(llvm::ELF::Elf64_Phdr) ||
      header.e_phoff > bytes.size() ||
      tableBytes > bytes.size() - header.e_phoff)
    return "a damaged shared library (its program headers do not fit)";
  // The loader maps each segment from the file; one that ends past the
  // end of a truncated file faults (SIGBUS) when touched.
  for (uint16_t i = 0; i < header.e_phnum; ++i) {
    llvm::ELF::Elf64_Phdr segment;
    std::memcpy(&segment, bytes.data() + header.e_phoff + i * sizeof(segment),
                sizeof(segment));
    if (segment.p_type == llvm::ELF::PT_LOAD &&
        (segment.p_offset > bytes.size() ||
         segment.p_filesz > bytes.size() - segment.p_offset))
      return "a truncated or damaged shared library (a segment ends past "
             "the end of the file)";
  }
  return "";
}

/// Runs an accelerator artifact on a simulator of its own: the artifact's
/// code calls the PE operations, which the simulator implements; its last
/// arguments are the PEs' local memories and the SRAM scratchpad. The
/// simulator becomes the model's last run.
static int runSimulated(AnvilModel &model, std::vector<void *> &buffers,
                        char **error) {
  anvil::sim::SimOptions options;
  options.trace = model.trace;
  auto sim = std::make_unique<anvil::sim::Simulator>(*model.machine, options);
  for (const TensorInfo &t : model.inputs)
    sim->addCompulsoryDRAMBytes(t.byteSize);
  for (const TensorInfo &t : model.outputs)
    sim->addCompulsoryDRAMBytes(t.byteSize);
  sim->addCompulsoryDRAMBytes(model.weightBytes);
  buffers.push_back(sim->localMemories());
  buffers.push_back(sim->sramBase());
  int status;
  {
    anvil::sim::Simulator::Scope scope(*sim);
    status = model.entry(buffers.data());
  }
  if (sim->faulted()) {
    setError(error, "the simulated machine faulted: " + sim->faultText());
    status = 1;
  }
  std::lock_guard<std::mutex> lock(model.lastRunLock);
  model.lastRun = std::move(sim);
  return status;
}

extern "C" {

size_t anvilDTypeSize(AnvilDType dtype) {
  switch (dtype) {
  case ANVIL_DTYPE_FLOAT64:
  case ANVIL_DTYPE_INT64:
  case ANVIL_DTYPE_UINT64:
    return 8;
  case ANVIL_DTYPE_FLOAT32:
  case ANVIL_DTYPE_INT32:
  case ANVIL_DTYPE_UINT32:
    return 4;
  case ANVIL_DTYPE_FLOAT16:
  case ANVIL_DTYPE_INT16:
  case ANVIL_DTYPE_UINT16:
    return 2;
  case ANVIL_DTYPE_INT8:
  case ANVIL_DTYPE_BOOL:
  case ANVIL_DTYPE_UINT8:
    return 1;
  case ANVIL_DTYPE_INVALID:
    break;
  }
  return 0;
}

const char *anvilDTypeName(AnvilDType dtype) {
  static const char *names[] = {
      "invalid", "float32", "float64", "float16", "int8",   "int16", "int32",
      "int64",   "bool",    "uint8",   "uint16",  "uint32", "uint64"};
  return dtype >= ANVIL_DTYPE_INVALID && dtype <= ANVIL_DTYPE_UINT64
             ? names[dtype]
             : "invalid";
}

/// dlopen of the artifact at `path`, or null with the reason in `error`.
static void *openArtifact(const char *path, int mode, char **error) {
  // dlopen says "No such file or directory" of a library for another
  // machine; say what is wrong with the file first.
  if (std::string why = notLoadable(path); !why.empty()) {
    setError(error, std::string("cannot load artifact '") + path + "': " + why);
    return nullptr;
  }
  // dlopen searches the library path for a bare file name; an artifact
  // path always means a file.
  std::string file = std::strchr(path, '/') ? path : std::string("./") + path;
  void *handle = dlopen(file.c_str(), mode);
  if (!handle)
    setError(error, std::string("cannot load artifact: ") + dlerror());
  return handle;
}

char *anvilArtifactMetadata(const char *path, char **error) {
  if (error)
    *error = nullptr;
  // Lazily bound, for its data alone: an artifact for another CPU, or one
  // whose simulator is not loaded, still says what it is.
  void *handle = openArtifact(path, RTLD_LAZY | RTLD_LOCAL, error);
  if (!handle)
    return nullptr;
  auto *metadata =
      reinterpret_cast<const char *>(dlsym(handle, "anvil_model_metadata"));
  char *copy = metadata ? strdup(metadata) : nullptr;
  if (!metadata)
    setError(error,
             std::string(path) + ": not an Anvil artifact (no metadata)");
  dlclose(handle);
  return copy;
}

AnvilModel *anvilModelLoad(const char *path, char **error) {
  void *handle = openArtifact(path, RTLD_NOW | RTLD_LOCAL, error);
  if (!handle)
    return nullptr;
  auto fail = [&](const std::string &message) -> AnvilModel * {
    dlclose(handle);
    setError(error, std::string(path) + ": " + message);
    return nullptr;
  };
  auto *metadata =
      reinterpret_cast<const char *>(dlsym(handle, "anvil_model_metadata"));
  auto entry = reinterpret_cast<EntryFn>(dlsym(handle, "anvil_model_run"));
  if (!metadata || !entry)
    return fail("not an Anvil artifact (no metadata or entry point)");
  llvm::Expected<anvil::runtime::ArtifactMetadata> parsed =
      anvil::runtime::parseArtifactMetadata(metadata);
  if (!parsed)
    return fail(llvm::toString(parsed.takeError()));
  std::vector<std::string> missing =
      anvil::target::missingHostFeatures(parsed->cpuFeatures);
  if (!missing.empty())
    return fail("compiled for a CPU with features this one lacks (" +
                llvm::join(missing, ", ") + "; compiled on '" +
                parsed->cpuName + "'); recompile the model on this machine");
  auto *model = new AnvilModel;
  model->inputs = std::move(parsed->inputs);
  model->outputs = std::move(parsed->outputs);
  model->weightBytes = parsed->weightBytes;
  model->machine = std::move(parsed->machine);
  model->handle = handle;
  model->entry = entry;
  model->setThreads =
      reinterpret_cast<SetThreadsFn>(dlsym(handle, "omp_set_num_threads"));
  model->releaseBuffers =
      reinterpret_cast<void (*)()>(dlsym(handle, "anvil_model_release"));
  model->metadata = metadata;
  return model;
}

void anvilModelFree(AnvilModel *model) {
  if (!model)
    return;
  if (model->releaseBuffers)
    model->releaseBuffers();
  dlclose(model->handle);
  delete model;
}

int32_t anvilModelNumInputs(const AnvilModel *model) {
  return model->inputs.size();
}
int32_t anvilModelNumOutputs(const AnvilModel *model) {
  return model->outputs.size();
}
/// The view of tensor `index` of `all`, or an invalid one (NULL name and
/// shape, dtype ANVIL_DTYPE_INVALID) where there is none.
static AnvilTensor viewAt(const std::vector<TensorInfo> &all, int32_t index) {
  if (index < 0 || static_cast<size_t>(index) >= all.size())
    return {nullptr, ANVIL_DTYPE_INVALID, 0, nullptr, nullptr};
  return all[index].view();
}
AnvilTensor anvilModelInput(const AnvilModel *model, int32_t index) {
  return viewAt(model->inputs, index);
}
AnvilTensor anvilModelOutput(const AnvilModel *model, int32_t index) {
  return viewAt(model->outputs, index);
}
const char *anvilModelMetadata(const AnvilModel *model) {
  return model->metadata.c_str();
}

void anvilSetNumThreads(int32_t threads) { gNumThreads = threads; }

int anvilModelRun(AnvilModel *model, const AnvilTensor *inputs,
                  int32_t numInputs, AnvilTensor *outputs, int32_t numOutputs,
                  char **error) {
  if (error)
    *error = nullptr;
  if (numInputs != static_cast<int32_t>(model->inputs.size()) ||
      numOutputs != static_cast<int32_t>(model->outputs.size())) {
    setError(error, "the model takes " + std::to_string(model->inputs.size()) +
                        " input(s) and " +
                        std::to_string(model->outputs.size()) +
                        " output(s), got " + std::to_string(numInputs) +
                        " and " + std::to_string(numOutputs));
    return 1;
  }
  std::vector<void *> buffers;
  for (int32_t i = 0; i < numInputs; ++i) {
    std::string problem = mismatch("input", i, model->inputs[i], inputs[i]);
    if (!problem.empty()) {
      setError(error, problem);
      return 1;
    }
    buffers.push_back(inputs[i].data);
  }
  for (int32_t i = 0; i < numOutputs; ++i) {
    std::string problem = mismatch("output", i, model->outputs[i], outputs[i]);
    if (!problem.empty()) {
      setError(error, problem);
      return 1;
    }
    buffers.push_back(outputs[i].data);
  }
  if (model->setThreads && gNumThreads > 0)
    model->setThreads(gNumThreads);
  int status = model->machine ? runSimulated(*model, buffers, error)
                              : model->entry(buffers.data());
  if (status == ANVIL_RUN_OUT_OF_MEMORY && error && !*error)
    setError(error, "out of memory: the run could not allocate a buffer");
  if (status != 0 && error && !*error)
    setError(error,
             "the model's code failed (status " + std::to_string(status) + ")");
  return status == 0 ? 0 : 1;
}

const char *anvilModelDevice(const AnvilModel *model) {
  return model->machine ? "sim" : "host";
}

void anvilModelSetSimTrace(AnvilModel *model, int32_t enabled) {
  model->trace = enabled != 0;
}

char *anvilModelSimReport(const AnvilModel *model, int32_t format) {
  std::lock_guard<std::mutex> lock(model->lastRunLock);
  if (!model->lastRun)
    return nullptr;
  std::string text;
  llvm::raw_string_ostream os(text);
  switch (format) {
  case ANVIL_SIM_REPORT_JSON:
    model->lastRun->writeReportJSON(os);
    break;
  case ANVIL_SIM_REPORT_TRACE:
    model->lastRun->writeTrace(os);
    break;
  default:
    model->lastRun->printReport(os);
    break;
  }
  return strdup(text.c_str());
}

void anvilFreeError(char *error) { free(error); }

} // extern "C"
