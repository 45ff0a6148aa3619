//===- Bundle.cpp - Objects with entry points of their own ----------------===//
//
// `--emit=obj --entry-prefix=NAME` gives a model's object the entry points
// NAME_run, NAME_release and NAME_metadata instead of an artifact's, so that
// several models link into one program, and a header declares them.
//
//===----------------------------------------------------------------------===//

#include "anvil/Target/Host/Artifact.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using llvm::StringRef;

bool anvil::host::isEntryPrefix(StringRef prefix) {
  return !prefix.empty() && !llvm::isDigit(prefix.front()) &&
         llvm::all_of(prefix,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

void anvil::host::prefixEntryPoints(llvm::Module &module, StringRef prefix) {
  std::pair<StringRef, StringRef> renames[] = {{kEntrySymbol, "_run"},
                                               {kMetadataSymbol, "_metadata"},
                                               {kReleaseSymbol, "_release"}};
  for (auto [from, suffix] : renames)
    if (llvm::GlobalValue *symbol = module.getNamedValue(from))
      symbol->setName(prefix + suffix);
}

static std::string shapeText(const anvil::host::TensorSignature &t) {
  std::string text = t.dtype + "[";
  for (auto [i, d] : llvm::enumerate(t.shape))
    text += (i ? "x" : "") + std::to_string(d);
  return text + "]";
}

static int64_t elements(const anvil::host::TensorSignature &t) {
  int64_t count = 1;
  for (int64_t d : t.shape)
    count *= d;
  return count;
}

void anvil::host::writeEntryHeader(llvm::raw_ostream &os, StringRef prefix,
                                   StringRef model,
                                   const ModelSignature &signature) {
  std::string upper = prefix.upper();
  std::string guard = upper + "_H";
  os << "/* " << prefix << ".h: the entry points of '"
     << llvm::sys::path::filename(model)
     << "', compiled by\n * anvil-compile --emit=obj --entry-prefix=" << prefix
     << ". Link the object with Anvil's\n * lib/anvil/libanvil_host_kernels.a "
        "and libanvil_builtins.a, OpenMP (-lomp)\n * and -lm "
        "(find_package(Anvil)'s anvil_add_model does). */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  os << "/* buffers[] holds the inputs, then the outputs, each dense "
        "row-major:\n";
  auto list = [&](StringRef role, const std::vector<TensorSignature> &ts,
                  size_t first) {
    for (auto [i, t] : llvm::enumerate(ts))
      os << " *   buffers[" << first + i << "] " << role << " " << i << " '"
         << t.name << "': " << shapeText(t) << "\n";
  };
  list("input", signature.inputs, 0);
  list("output", signature.outputs, signature.inputs.size());
  os << " */\nenum {\n  " << upper
     << "_NUM_INPUTS = " << signature.inputs.size() << ",\n  " << upper
     << "_NUM_OUTPUTS = " << signature.outputs.size() << ",\n";
  auto counts = [&](StringRef role, const std::vector<TensorSignature> &ts) {
    for (auto [i, t] : llvm::enumerate(ts))
      os << "  " << upper << "_" << role << "_" << i
         << "_ELEMENTS = " << elements(t) << ",\n";
  };
  counts("INPUT", signature.inputs);
  counts("OUTPUT", signature.outputs);
  os << "};\n\n"
     << "/* Runs the model: 0, or ANVIL_RUN_OUT_OF_MEMORY (2) where a buffer "
        "could\n * not be allocated. Runs may come from several threads at "
        "once. */\n"
     << "int " << prefix << "_run(void **buffers);\n\n"
     << "/* Frees the buffers runs keep for reuse, on every thread. */\n"
     << "void " << prefix << "_release(void);\n\n"
     << "/* The model's metadata JSON (docs/schemas/artifact-metadata.schema."
        "json). */\n"
     << "extern const char " << prefix << "_metadata[];\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
}
