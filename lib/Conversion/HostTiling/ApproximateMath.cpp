//===- ApproximateMath.cpp - Vectorizable f32 transcendental functions ----===//
//
// libm computes one element per call: a vectorized sigmoid or tanh lowered
// to it is scalarized, and an LSTM spends most of its time there. Upstream's
// polynomial approximations compute the same functions from adds,
// multiplies and bit operations on whole vectors.
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

namespace anvil {
#define GEN_PASS_DEF_HOSTAPPROXIMATEMATH
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;

namespace {
struct HostApproximateMathPass
    : anvil::impl::HostApproximateMathBase<HostApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return llvm::StringSwitch<bool>(name)
          .Cases({"math.exp", "math.expm1", "math.tanh", "math.log",
                  "math.log1p", "math.erf"},
                 true)
          .Default(false);
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
