//===- Json.h - JSON from a user's files, bounded ---------------*- C++ -*-===//
//
// llvm::json::parse recurses once per nested array or object, so a file
// nested a hundred thousand deep (a machine description, a .pt2's
// model.json, an artifact's metadata) would overflow the stack. parseJson
// measures the nesting first, without recursion, and refuses what is deeper
// than any file Anvil reads needs.
//
// Header-only; depends on LLVMSupport.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_SUPPORT_JSON_H
#define ANVIL_SUPPORT_JSON_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstddef>

namespace anvil {

/// Deeper than any JSON Anvil reads or writes (a .pt2 graph nests a few
/// dozen levels).
inline constexpr size_t kMaxJsonDepth = 512;

/// The deepest nesting of arrays and objects in `text`, counting only
/// brackets outside strings.
inline size_t jsonDepth(llvm::StringRef text) {
  size_t depth = 0, deepest = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    else if (c == '[' || c == '{')
      deepest = std::max(deepest, ++depth);
    else if ((c == ']' || c == '}') && depth > 0)
      --depth;
  }
  return deepest;
}

/// llvm::json::parse, refusing text nested deeper than `maxDepth`.
inline llvm::Expected<llvm::json::Value>
parseJson(llvm::StringRef text, size_t maxDepth = kMaxJsonDepth) {
  if (jsonDepth(text) > maxDepth)
    return llvm::createStringError(
        "JSON nested deeper than " + std::to_string(maxDepth) + " levels");
  return llvm::json::parse(text);
}

} // namespace anvil

#endif // ANVIL_SUPPORT_JSON_H
