//===- Tiling.h - The tiling seam -------------------------------*- C++ -*-===//
//
// How a kernel's work is cut. On the accelerator: a product into DPE tiles,
// a vector-core op's iteration space into tasks over the PEs. On the host:
// a product's output into blocks that the cores' threads share (each one
// call of the runtime's GEMM kernel), depthwise channels likewise, the
// cache blocks of each call, the parallel loops that threads share, and the
// register block of vectorized loop nests. The mechanisms
// (lib/Conversion/LinalgToMTIA, lib/Conversion/HostTiling) ask the TilingPolicy
// they are given, carry out its answer, and record it on the IR they emit
// (anvil.product_tiles, anvil.task_tiles, anvil.thread_blocks,
// anvil.cache_blocks). A decision written on a linalg op beforehand (the same
// attributes) is carried out instead of asking, so that a test or a researcher
// can replay one in anvil-opt. The first policy, FixedTiles (FixedTiles.h), is
// the one Roller replaces.
//
// Depends on LLVMSupport and the machine descriptions only.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_POLICY_TILING_H
#define ANVIL_POLICY_TILING_H

#include "anvil/Target/HostDesc.h"
#include "anvil/Target/TargetDesc.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <memory>
#include <optional>

namespace anvil::policy {

/// C tiles of tm x tn, reduced in slices of tk; A and B read from copies
/// staged in SRAM where `stageA`, `stageB`, else from DRAM; `buffers`
/// slices of each operand in local memory (2: the next slice loads while
/// one is multiplied; 3: the DMA runs two slices ahead).
struct ProductTiles {
  int64_t tm = 0, tn = 0, tk = 0;
  bool stageA = false, stageB = false;
  int64_t buffers = 2;
};

/// A product the DPE runs: C[b] = A[b] B[b] for b < batches, A m x k and
/// B k x n read as `loadedA`, `loadedB` (f32, or already the DPE's type:
/// products of a 16-bit model, quantized operands, an im2col buffer
/// written in it) and multiplied as `input`; C summed in f32 and `stored`
/// as f32 or, for a 16-bit model, in its type.
struct ProductProblem {
  int64_t batches = 1, m = 0, n = 0, k = 0;
  target::DType input = target::DType::F16;
  target::DType loadedA = target::DType::F32, loadedB = target::DType::F32;
  target::DType stored = target::DType::F32;
  /// The SRAM bytes a staged copy of A, of B, takes; 0 where the kernel
  /// may not stage that operand.
  int64_t stagedBytesA = 0, stagedBytesB = 0;
  /// Whether each C tile starts from an f32 bias per row of C (a folded
  /// convolution bias), whose slice the kernel keeps in local memory.
  bool rowBias = false;
  /// Tiles of other operands each C tile loads beside it for a folded
  /// elementwise op (a residual add), and rows of a tile's columns (a
  /// bias along them), f32 each.
  int64_t epilogueTiles = 0, epilogueColumns = 0;
};

/// The estimated cycles of a product's kernel cut into `tiles`, launch and
/// barrier included: the mechanism prices its own kernel
/// (anvil/Target/KernelCost.h).
using ProductCost = llvm::function_ref<double(const ProductTiles &tiles)>;

/// A policy's candidate tiles with their estimated cycles.
struct RankedTiles {
  ProductTiles tiles;
  double cycles = 0;
};

/// The type an operand read as `loaded` arrives in local memory: the
/// DPE's `input` type when it comes from a staged copy (the staging
/// converts each element once) or when the source already has it, else the
/// loaded type, which the SE converts slice by slice.
target::DType landedType(target::DType input, target::DType loaded,
                         bool staged);

/// Local-memory bytes a product's kernel allocates for `tiles` (each
/// operand's slice buffers, two DPE-type copies of an operand that is
/// converted slice by slice, the f32 accumulator and, where C is stored in
/// a narrower type, its copy in that type; docs/Targets.md). i8 operands
/// arrive quantized and each C tile sums in i32 beside its f32 tile; a
/// row bias takes a tile's rows of f32.
int64_t productLocalBytes(const ProductTiles &tiles,
                          const ProductProblem &problem);

/// A vector-core kernel's iteration space cut into tasks: a box of
/// `tileSizes` (the loop's extent where it is not split) per task, tasks
/// numbered row-major over `tilesPerLoop`, PE p running tasks p, p + pes,
/// p + 2 pes, ...
struct TaskGrid {
  llvm::SmallVector<int64_t> tileSizes;
  llvm::SmallVector<int64_t> tilesPerLoop;
  int64_t tasks = 1;
  int64_t pes = 1;
};

/// The grid of `tileSizes` over `extents` on at most `numPEs` PEs.
TaskGrid gridOfTiles(llvm::ArrayRef<int64_t> extents,
                     llvm::ArrayRef<int64_t> tileSizes, int64_t numPEs);

/// The register tile of the host's GEMM kernel (anvil-c/Kernels.h) on a
/// host: rows and columns of C it keeps in vector registers.
struct KernelTile {
  int64_t rows = 0, cols = 0;
};

/// A host product's output cut into blocks of `rows` x `cols` elements, each
/// one call of the runtime's GEMM kernel, that the cores' threads share.
struct ThreadBlocks {
  int64_t rows = 0, cols = 0;
};

/// The cache blocks of one call of the host's GEMM kernel
/// (anvil_sgemm_blocked, anvil-c/Kernels.h): an mc x kc block of A, a
/// kc x nc block of B; 0 leaves a size to the kernel's own blocking.
struct CacheBlocks {
  int64_t mc = 0, kc = 0, nc = 0;
};

/// The register block of a vectorized host loop nest: f32 lanes of a vector
/// (the innermost tile), rows of the output, and reduction elements per
/// tile.
struct RegisterBlock {
  int64_t width = 0, rows = 0, depth = 0;
};

/// How the host computes a convolution: each image's patches gathered into
/// an im2col buffer (or, for a 1 x 1 convolution of stride 1, the image read
/// in place) and multiplied by the filters, or, for a 3 x 3 convolution of
/// stride 1 with constant filters, Winograd's F(4x4, 3x3): filters
/// transformed by the compiler, each image transformed, 36 products, the
/// result transformed back (anvil-c/Kernels.h).
enum class ConvAlgorithm { Im2col, Winograd };

/// The name of `algorithm` on the IR (anvil.conv_algorithm), and back.
llvm::StringRef convAlgorithmName(ConvAlgorithm algorithm);
std::optional<ConvAlgorithm> parseConvAlgorithm(llvm::StringRef name);

/// One image of a host convolution (NCHW): `filters` x `channels` filters of
/// kh x kw taps making an outH x outW plane per filter.
struct ConvProblem {
  int64_t channels = 0, filters = 0, outH = 0, outW = 0;
  int64_t kh = 0, kw = 0;
  int64_t strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  /// Whether the filters are constants the compiler can transform.
  bool constantFilters = false;
};

/// Whether `algorithm` can compute `problem` at all.
bool convAlgorithmApplies(ConvAlgorithm algorithm, const ConvProblem &problem);

/// The estimated cycles of a kernel's body run as `grid`: what a grid's
/// tasks cost comes from the caller, which knows the op's operands and the
/// machine (anvil/Target/CostModel.h).
using GridCost = llvm::function_ref<double(const TaskGrid &grid)>;

class TilingPolicy {
public:
  virtual ~TilingPolicy();
  virtual llvm::StringRef name() const = 0;
  /// The tiles of `problem`, fastest first: the first is the decision,
  /// the others (at most `keep` in all) the runners-up that later
  /// decisions (fusion, scheduling) may pick from.
  virtual llvm::SmallVector<RankedTiles>
  productTiles(const target::TargetDesc &machine, const ProductProblem &problem,
               ProductCost cost, int64_t keep) const = 0;
  /// The task grid of a vector-core kernel over `extents`; only loops
  /// marked `splittable` (parallel, writing disjoint outputs) may be cut.
  virtual TaskGrid taskGrid(llvm::ArrayRef<int64_t> extents,
                            llvm::ArrayRef<bool> splittable, int64_t numPEs,
                            GridCost cost) const = 0;

  /// Host: the thread blocks of a product whose output C is rows x cols.
  virtual ThreadBlocks gemmBlocks(const target::HostDesc &host, int64_t rows,
                                  int64_t cols) const = 0;
  /// Host: the cache blocks of one thread block's call, a rows x cols
  /// block of C summed over `depth`.
  virtual CacheBlocks gemmCacheBlocks(const target::HostDesc &host,
                                      int64_t rows, int64_t cols,
                                      int64_t depth) const = 0;
  /// Host: channels per thread block of a depthwise convolution.
  virtual int64_t depthwiseBlockChannels(const target::HostDesc &host,
                                         int64_t channels) const = 0;
  /// Host: the parallel iterations a loop nest's threads share; inner loops
  /// beyond them run sequentially inside, where they vectorize.
  virtual int64_t parallelIterations(const target::HostDesc &host) const = 0;
  /// Host: a loop nest or library call whose buffers take fewer bytes runs
  /// on the calling thread alone, without waking the others (0: the
  /// threads share every one).
  virtual int64_t minParallelBytes(const target::HostDesc &host) const = 0;
  /// Host: the register block of vectorized contractions and convolutions.
  virtual RegisterBlock registerBlock(const target::HostDesc &host) const = 0;
  /// Host: how a convolution is computed; only algorithms that apply
  /// (convAlgorithmApplies).
  virtual ConvAlgorithm convAlgorithm(const target::HostDesc &host,
                                      const ConvProblem &problem) const = 0;
};

/// The tiling policy named `name` ("fixed-tiles", "roller"), or null.
std::unique_ptr<TilingPolicy> createTilingPolicy(llvm::StringRef name);

} // namespace anvil::policy

#endif // ANVIL_POLICY_TILING_H
