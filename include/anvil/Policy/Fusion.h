//===- Fusion.h - The fusion seam -------------------------------*- C++ -*-===//
//
// Which ops join the kernel formed around another op. A target's lowering
// says what its kernels are formed around and what each kernel's
// mechanism can fold into itself (a FusionTarget); a FusionPolicy decides
// which of those folds happen and records the decision on the IR, where
// tests read it and where the mechanisms (the host's GEMM calls, the MTIA
// DPE kernels) find it:
//
//   anvil.fusion.kernel = N        on the op a kernel is formed around
//   anvil.fusion.into = N          on each op folded into that kernel,
//   anvil.fusion.role = "init"     with how it folds ("init", "epilogue",
//                                  "padded_input", "elementwise_epilogue")
//
// A mechanism folds exactly the ops recorded as folded into its op, so a
// hand-written decision in a test replays in anvil-opt. The first policy,
// OneOpPerKernel, is the one Welder replaces: every op its own kernel,
// with every fold its mechanism can do.
//
// Before those folds, on linalg on tensors, the policy decides which
// producer-consumer edges between elementwise ops connect inside one
// kernel (their loops merged, the intermediate never written out), and
// records each on the producer:
//
//   anvil.fusion.connect = "local"   the edge to its only reader connects
//                                    in the PE's local memory (registers
//                                    on the host)
//
// anvil-connect-elementwise merges exactly the recorded edges.
//
// After the kernels are decided, on the accelerator, the policy decides
// which intermediates between kernels live in the SRAM scratchpad instead
// of DRAM, and where: an offset within the part of the SRAM the plan
// holds, on each placed buffer, and that part's size on the module:
//
//   anvil.sram.offset = B        on the buffer's allocation
//   anvil.sram.plan_bytes = P    on the module (written by the pass,
//                                anvil/Dialect/MTIA/IR/Machine.h)
//
// Buffers live at the same time never overlap; the kernels keep the rest
// of the SRAM for their own staging.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_FUSION_H
#define ANVIL_POLICY_FUSION_H

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <optional>

namespace anvil::policy {

/// How an op joins another's kernel.
enum class FoldRole {
  /// Initializes the kernel's output (zeros, a bias): the kernel writes
  /// its first values in its place.
  Init,
  /// Runs on the kernel's output after it (an in-place clamp): the kernel
  /// applies it as it stores.
  Epilogue,
  /// Makes a padded copy of the kernel's input: the kernel pads as it
  /// reads the copy's source.
  PaddedInput,
  /// Runs elementwise on the kernel's output and other buffers of its
  /// shape (a residual add, the ReLU after it), writing a buffer of its
  /// own: the kernel loads the others' tiles beside each output tile and
  /// stores the result instead. The output connects in local memory.
  ElementwiseEpilogue,
};

llvm::StringRef foldRoleName(FoldRole role);

inline constexpr llvm::StringLiteral kFusionKernelAttr = "anvil.fusion.kernel";
inline constexpr llvm::StringLiteral kFusionIntoAttr = "anvil.fusion.into";
inline constexpr llvm::StringLiteral kFusionRoleAttr = "anvil.fusion.role";

/// An op a kernel's mechanism can fold into itself.
struct FoldCandidate {
  mlir::Operation *op;
  FoldRole role;
};

/// What a target's kernels are formed around, and what each can fold.
struct FusionTarget {
  llvm::function_ref<bool(mlir::Operation *)> formsKernel;
  llvm::function_ref<llvm::SmallVector<FoldCandidate>(mlir::Operation *)>
      candidates;
};

inline constexpr llvm::StringLiteral kFusionConnectAttr =
    "anvil.fusion.connect";

/// An edge a kernel can keep inside itself: `producer`'s only result read
/// by `consumer` alone, two elementwise ops whose loops merge.
struct ConnectCandidate {
  mlir::Operation *producer;
  mlir::Operation *consumer;
};

inline constexpr llvm::StringLiteral kSRAMOffsetAttr = "anvil.sram.offset";

/// An intermediate a target can keep in SRAM: its allocation, its bytes,
/// and when it is live, as positions of the graph's ops (the first that
/// uses it to the last, both included).
struct IntermediateBuffer {
  mlir::Operation *alloc;
  int64_t bytes;
  int64_t firstUse, lastUse;
};

/// A graph argument (an input, or an output that also holds intermediates)
/// as the graph's kernels use it: its bytes, what they read and write of
/// it in all, and the copies staging it takes (into SRAM before its first
/// use where that use reads it, back to DRAM after its last where kernels
/// write it).
struct ArgumentTraffic {
  int64_t bytes;
  int64_t bytesRead, bytesWritten;
  int64_t copies;
};

/// What moving bytes costs on a machine: each memory level's bytes per
/// cycle, and what a copy's kernel costs besides its bytes.
struct StagingRates {
  double dramBytesPerCycle, sramBytesPerCycle;
  int64_t copyCycles;
};

class FusionPolicy {
public:
  virtual ~FusionPolicy();
  virtual llvm::StringRef name() const = 0;
  /// Decides which of `edges` connect inside one kernel and records each
  /// on its producer (recordConnection).
  virtual void connect(llvm::ArrayRef<ConnectCandidate> edges) = 0;
  /// Decides the kernels of `module` and records the decision on it.
  virtual void decide(mlir::ModuleOp module, const FusionTarget &target) = 0;
  /// Decides which of `buffers` live in SRAM, within `capacity` bytes at
  /// offsets that are multiples of `alignment`, and records each
  /// (recordSRAMPlacement). The first policy keeps every one in DRAM.
  virtual void placeInSRAM(llvm::ArrayRef<IntermediateBuffer> buffers,
                           int64_t capacity, int64_t alignment) {}
  /// Whether an argument used as `traffic` says is staged in SRAM, where
  /// the plan finds it room; the first policy stages none.
  virtual bool stagesInSRAM(const ArgumentTraffic &traffic,
                            const StagingRates &rates) const {
    return false;
  }
};

/// Offsets for `buffers` such that two live at the same time never
/// overlap and each ends within `capacity`, multiples of `alignment`;
/// nullopt for a buffer that does not fit. Greedy by size: the largest
/// first, each at the lowest offset free over its lifetime.
llvm::SmallVector<std::optional<int64_t>>
packByLifetime(llvm::ArrayRef<IntermediateBuffer> buffers, int64_t capacity,
               int64_t alignment);

/// Records that `buffer` lives in SRAM at `offset`.
void recordSRAMPlacement(const IntermediateBuffer &buffer, int64_t offset);

/// Every op its own kernel, with all the folds its mechanism can do but
/// elementwise epilogues (an op that reads other buffers besides the
/// kernel's output stays a kernel of its own).
std::unique_ptr<FusionPolicy> createOneOpPerKernel();

/// The innermost level at which Welder connects kernels: every level
/// (Local: elementwise chains merged, intermediates between kernels in
/// SRAM), SRAM between kernels only, or none (DRAM).
enum class ConnectLevel { DRAM, SRAM, Local };

/// Welder (docs/Welder.md): elementwise chains, and a product with the
/// elementwise op after it, connected in local memory, and intermediates
/// between kernels kept in SRAM, down to `innermost`, with all the folds
/// the mechanisms can do.
std::unique_ptr<FusionPolicy> createWelder(ConnectLevel innermost);

/// The fusion policy named `name` ("one-op-per-kernel"; "welder", or
/// "welder-sram" and "welder-dram" for Welder connecting only down to
/// that level), or null.
std::unique_ptr<FusionPolicy> createFusionPolicy(llvm::StringRef name);

/// Folds, into every kernel of `module`, all that `target` says its
/// mechanism can fold (an op into the first kernel that can take it), but
/// elementwise epilogues only where `elementwiseEpilogues`.
void decideEveryFold(mlir::ModuleOp module, const FusionTarget &target,
                     bool elementwiseEpilogues);

/// Records that `edge` connects in local memory.
void recordConnection(const ConnectCandidate &edge);

/// Runs the policy named `name` over `module` for `target`; an error on the
/// module where no policy has that name.
mlir::LogicalResult decideFusion(mlir::ModuleOp module, llvm::StringRef name,
                                 const FusionTarget &target);

/// Marks `anchor` as forming kernel `kernel`.
void recordKernel(mlir::Operation *anchor, int64_t kernel);

/// Records that `op` folds into `anchor`'s kernel as `role`.
void recordFold(mlir::Operation *anchor, mlir::Operation *op, FoldRole role);

/// Whether the decision on the IR folds `op` into `anchor`'s kernel as
/// `role`.
bool isFoldedInto(mlir::Operation *op, mlir::Operation *anchor, FoldRole role);

} // namespace anvil::policy

#endif // ANVIL_POLICY_FUSION_H
