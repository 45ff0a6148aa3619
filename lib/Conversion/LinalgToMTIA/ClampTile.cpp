//===- ClampTile.cpp - A folded clamp on a DPE kernel's C tile ------------===//

#include "DPEKernel.h"
#include "KernelBuilding.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <cmath>

using namespace mlir;
using namespace anvil::mtia;

/// Clamps the f32 tile `tile` (rows x cols in local memory) in place on
/// the vector core, and charges the core for it: a folded ReLU, ReLU6 or
/// Clip done before the tile is stored rather than by a kernel of its own
/// reading C back from DRAM. maximumf and minimumf pass NaNs, as the
/// unfolded op does.
void anvil::mtia::clampTile(OpBuilder &b, Location loc, Value tile,
                            Clamp clamp) {
  Type f32 = b.getF32Type();
  bool lo = std::isfinite(clamp.lo), hi = std::isfinite(clamp.hi);
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, b.getContext());
  linalg::GenericOp::create(
      b, loc, TypeRange{}, ValueRange{}, ValueRange{tile},
      ArrayRef<AffineMap>{identity},
      SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto bound = [&](double v) {
          return arith::ConstantOp::create(
              nb, nl, nb.getF32FloatAttr(static_cast<float>(v)));
        };
        Value v = args[0];
        if (lo)
          v = arith::MaximumFOp::create(nb, nl, v, bound(clamp.lo));
        if (hi)
          v = arith::MinimumFOp::create(nb, nl, v, bound(clamp.hi));
        linalg::YieldOp::create(nb, nl, v);
      });
  IndexMath x{b, loc};
  Value elements = x.mul(memref::DimOp::create(b, loc, tile, 0),
                         memref::DimOp::create(b, loc, tile, 1));
  // Each element read and written once in local memory.
  int64_t f32Bytes = elementBytes(f32);
  CoreCostOp::create(b, loc, x.mul(elements, x.c(int64_t(lo) + int64_t(hi))),
                     x.mul(elements, x.c(2 * f32Bytes)), TypeAttr::get(f32),
                     MemorySpaceAttr::get(b.getContext(), MemorySpace::Local));
}
