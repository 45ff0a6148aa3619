//===- SRAMPlan.cpp - Intermediates packed into SRAM by lifetime ----------===//
//
// The packing behind a fusion policy's SRAM plan: intermediates that are
// live at the same time take disjoint bytes, those that are not may share
// them. Greedy by size (the largest buffer first, each at the lowest
// offset free over its lifetime) is the usual heuristic of tensor arena
// planners (TensorFlow Lite's among them), at a cost quadratic in the
// buffers of a graph.
//
//===----------------------------------------------------------------------===//

#include "anvil/Policy/Fusion.h"

#include "mlir/IR/Builders.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace anvil::policy;

namespace {

struct Placed {
  int64_t offset, end;
};

bool overlapInTime(const IntermediateBuffer &a, const IntermediateBuffer &b) {
  return a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
}

/// The lowest offset, a multiple of `alignment`, where `bytes` fit between
/// the `taken` ranges (sorted by offset).
int64_t lowestGap(ArrayRef<Placed> taken, int64_t bytes, int64_t alignment) {
  int64_t offset = 0;
  for (const Placed &range : taken) {
    if (offset + bytes <= range.offset)
      return offset;
    offset = std::max<int64_t>(offset, llvm::alignTo(range.end, alignment));
  }
  return offset;
}

} // namespace

SmallVector<std::optional<int64_t>>
anvil::policy::packByLifetime(ArrayRef<IntermediateBuffer> buffers,
                              int64_t capacity, int64_t alignment) {
  SmallVector<size_t> order =
      llvm::to_vector(llvm::seq<size_t>(0, buffers.size()));
  llvm::stable_sort(order, [&](size_t a, size_t b) {
    return buffers[a].bytes > buffers[b].bytes;
  });
  SmallVector<std::optional<int64_t>> offsets(buffers.size());
  for (size_t i : order) {
    SmallVector<Placed> taken;
    for (size_t j : order) {
      if (offsets[j] && overlapInTime(buffers[i], buffers[j]))
        taken.push_back({*offsets[j], *offsets[j] + buffers[j].bytes});
    }
    llvm::sort(taken, [](const Placed &a, const Placed &b) {
      return a.offset < b.offset;
    });
    int64_t offset = lowestGap(taken, buffers[i].bytes, alignment);
    if (offset + buffers[i].bytes <= capacity)
      offsets[i] = offset;
  }
  return offsets;
}

void anvil::policy::recordSRAMPlacement(const IntermediateBuffer &buffer,
                                        int64_t offset) {
  Builder b(buffer.alloc->getContext());
  buffer.alloc->setAttr(kSRAMOffsetAttr, b.getI64IntegerAttr(offset));
}
