//===- TargetDesc.h - Machine descriptions of accelerator targets -*- C++
//-*-===//
//
// A TargetDesc is what Anvil knows of an accelerator: clock, PE grid, memory
// levels, the dot-product engine (DPE), the SIMD engine (SE), the vector core
// and the fixed costs of launching and synchronizing. It is read from a JSON
// file (targets/*.json, or the user's own) and validated once; every pass,
// the cost model and the simulator read their figures from it and hold none
// of their own. docs/Targets.md describes the file format.
//
// The library depends on LLVMSupport only, so that the runtime's simulator
// links it without MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_TARGET_TARGETDESC_H
#define ANVIL_TARGET_TARGETDESC_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace anvil::target {

/// Element types the fixed-function units know.
enum class DType { I8, I32, F16, BF16, F32 };

std::optional<DType> parseDType(llvm::StringRef name);
llvm::StringRef dtypeName(DType type);
int64_t dtypeBytes(DType type);

/// A memory level as the DMA engines see it.
enum class MemoryLevel { DRAM, SRAM, Local };
constexpr int kNumMemoryLevels = 3;
llvm::StringRef memoryLevelName(MemoryLevel level);

struct MemoryDesc {
  int64_t capacityBytes = 0;
  /// Bandwidth of the whole level; shared by all PEs when `shared`.
  double bandwidthGBps = 0;
  int64_t latencyCycles = 0;
  /// Smallest unit a transfer moves: partial transactions cost a whole one.
  int64_t transactionBytes = 0;
  bool shared = false;
};

/// Per-dtype throughput of a SIMD unit (SE or vector core), in element
/// operations per cycle per PE.
struct LaneDesc {
  DType type;
  int64_t opsPerCycle;
};

struct DPETypeDesc {
  DType input;
  DType accumulator;
};

struct DPEDesc {
  /// Rows of the native tile (the cached operand's rows).
  int64_t tileRows = 0;
  /// Bytes of the reduction dimension one row consumes per cycle: a tile
  /// reduces tileRowBytes / bytes(input) elements per streamed column.
  int64_t tileRowBytes = 0;
  int64_t arrays = 1;
  /// Cycles to load a new cached operand before streaming resumes.
  int64_t reloadCycles = 0;
  llvm::SmallVector<DPETypeDesc> types;
};

struct DMADesc {
  /// What one PE's DMA engine moves per cycle.
  int64_t bytesPerCycle = 0;
  bool broadcast = false;
  bool gather = false;
  bool dramPrefetch = false;
};

struct CostsDesc {
  int64_t launchCycles = 0;
  int64_t barrierCycles = 0;
  int64_t issueCycles = 0;
};

struct TargetDesc {
  std::string name;
  std::string description;
  double clockMHz = 0;
  int64_t peRows = 0, peCols = 0;
  MemoryDesc memory[kNumMemoryLevels];
  DMADesc dma;
  DPEDesc dpe;
  llvm::SmallVector<LaneDesc> se;
  int64_t vectorBytes = 0;
  llvm::SmallVector<LaneDesc> vectorCore;
  CostsDesc costs;
  double hostLinkGBps = 0;
  /// The JSON text it was read from: artifacts carry it, so that the
  /// simulator runs the machine the code was compiled for.
  std::string json;

  int64_t numPEs() const { return peRows * peCols; }
  const MemoryDesc &level(MemoryLevel l) const {
    return memory[static_cast<int>(l)];
  }
  /// A level's bandwidth in bytes per clock cycle (the whole level).
  double bytesPerCycle(MemoryLevel l) const;
  /// The DPE's accumulator type for `input`, if the DPE takes it.
  std::optional<DType> dpeAccumulator(DType input) const;
  /// Multiply-accumulates per cycle of one PE's DPE (all arrays).
  int64_t dpeMacsPerCycle(DType input) const;
  /// Element operations per cycle of one PE's SE / vector core. A type the
  /// unit does not list (i64, f64 or i1 data of a graph, bf16 on v1) runs
  /// at its f32 rate, as the lowering widens or splits it into 32-bit
  /// lanes; every description lists f32.
  int64_t seOpsPerCycle(DType type) const;
  int64_t vectorOpsPerCycle(DType type) const;
  /// The chip's DPE peak in operations (2 per MAC) per second.
  double dpePeakOpsPerSecond(DType input) const;
  double secondsPerCycle() const { return 1e-6 / clockMHz; }
};

/// Parses and validates a description. `source` names the text in errors
/// (usually its path). Errors name the offending field.
llvm::Expected<TargetDesc> parseTargetDesc(llvm::StringRef json,
                                           llvm::StringRef source);

/// Reads a description from a file.
llvm::Expected<TargetDesc> loadTargetDesc(llvm::StringRef path);

/// Where `--target=NAME` looks for NAME.json: $ANVIL_TARGETS_DIR, else the
/// installation's share/anvil/targets (anvil/Support/Paths.h).
std::string targetsDirectory();

/// Resolves a `--target` value: a path (it contains '/' or ends in .json)
/// is read as given; a bare name is looked up in targetsDirectory().
llvm::Expected<TargetDesc> resolveTarget(llvm::StringRef nameOrPath);

/// The names of the descriptions in targetsDirectory(), sorted.
llvm::SmallVector<std::string> availableTargets();

} // namespace anvil::target

#endif // ANVIL_TARGET_TARGETDESC_H
