//===- Staging.h - A DPE kernel's operands copied into SRAM -----*- C++ -*-===//
//
// A product's operand that several C tiles read is staged first: every PE
// of the kernel copies its share of it from DRAM into one SRAM copy in the
// DPE's type, through the kernel's local arena, converting f32 on the SE
// (or splitting a strided image's rows into phases on the vector core) on
// the way. DRAM is then read once and each element converted once; the
// tiles read the copy.
//
//===----------------------------------------------------------------------===//

#ifndef ANVIL_LIB_CONVERSION_LINALGTOMTIA_STAGING_H
#define ANVIL_LIB_CONVERSION_LINALGTOMTIA_STAGING_H

#include "mlir/IR/Builders.h"

#include <cstdint>
#include <functional>

namespace anvil::mtia {

/// Rows of `rows` x `cols` operands copied by one staging step: at most
/// `capacity` elements (a local bounce buffer), in `columns`-wide chunks,
/// with rows shared out so that every PE of the job gets a step where
/// there are enough.
struct StagingBlocks {
  int64_t rows, columns, rowBlocks, chunks, count;
};

/// The steps of `batches` matrices of `rows` x `cols` elements for `pes`
/// PEs, each at most `capacity` elements, chunks `align`-aligned.
StagingBlocks stagingBlocks(int64_t batches, int64_t rows, int64_t cols,
                            int64_t capacity, int64_t pes, int64_t align);

/// One operand's staging: matrix b of `source` (DRAM, `rows` x `cols` as
/// `loaded`) into `into` (SRAM, in `input`, the DPE's type) at row b *
/// intoRows + intoRow, column intoColumn, in the steps of `g`, each at most
/// `capacity` elements, through the local arena (`arena`: a view of
/// `shape` of `type` from byte `offset`).
struct StagingCopy {
  std::function<mlir::Value(mlir::OpBuilder &, mlir::Value batch)> source;
  mlir::Value into;
  mlir::Type loaded, input;
  StagingBlocks g;
  int64_t capacity = 0, rows = 0, cols = 0;
  int64_t intoRows = 0, intoRow = 0, intoColumn = 0;
  /// The width of `into`'s rows.
  int64_t intoCols = 0;
  /// Where not 1: a strided image's staging splits each row into this
  /// many phases (PatchGather.h's Patches).
  int64_t align = 1;
  std::function<mlir::Value(llvm::ArrayRef<int64_t> shape, mlir::Type type,
                            int64_t offset)>
      arena;
};

/// PE `pe`'s steps of `copy` (pe, pe + pes, ...), two in flight: converted
/// where `loaded` is not `input`; straight from DRAM into SRAM where not
/// and the machine prefetches DRAM into SRAM (`dramPrefetch`), else through
/// the arena. Waits for the last.
void copyStagingSteps(mlir::OpBuilder &b, mlir::Location loc,
                      const StagingCopy &copy, mlir::Value pe, int64_t pes,
                      bool dramPrefetch);

} // namespace anvil::mtia

#endif // ANVIL_LIB_CONVERSION_LINALGTOMTIA_STAGING_H
