//===- SplitProducts.cpp - One product per producer of its rows -----------===//
//
// anvil-split-products: where the scheduler asks for it, a product whose
// A operand flattens a concatenation along axis 0 becomes one product per
// part of the concatenation, concatenated in turn. The product's result
// is unchanged; what changes is that each part depends on its own
// producer only, so a scheduler that runs kernels side by side can start
// it early (the input projection of a stacked recurrent layer, step by
// step, beside the layer below).
//
//===----------------------------------------------------------------------===//

#include "anvil/Conversion/Passes.h"
#include "anvil/Conversion/Schedulers.h"
#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Policy/Schedule.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace anvil {
#define GEN_PASS_DEF_SPLITPRODUCTS
#include "anvil/Conversion/Passes.h.inc"
} // namespace anvil

using namespace mlir;
using namespace anvil;

namespace {

RankedTensorType rankedOf(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

/// The concatenation along axis 0 whose leading dimensions `a` (a 2-D
/// product operand) collapses into its rows, keeping its last dimension.
nn::ConcatOp concatOfRows(Value a) {
  auto reshape = a.getDefiningOp<nn::ReshapeOp>();
  if (!reshape)
    return {};
  auto concat = reshape.getInput().getDefiningOp<nn::ConcatOp>();
  if (!concat || concat.getAxis() != 0 || concat.getInputs().size() < 2)
    return {};
  RankedTensorType whole = rankedOf(concat.getResult());
  RankedTensorType rows = rankedOf(a);
  if (!whole || !rows || !whole.hasStaticShape() || !rows.hasStaticShape() ||
      whole.getRank() < 2 || rows.getRank() != 2 ||
      whole.getShape().back() != rows.getDimSize(1))
    return {};
  return concat;
}

/// Whether the bias `c` of `gemm` is the same for every row (so each part
/// of the rows takes it whole).
bool biasPerColumn(nn::GemmOp gemm) {
  Value c = gemm.getC();
  if (!c)
    return true;
  RankedTensorType type = rankedOf(c);
  return type && (type.getRank() < 2 || type.getDimSize(0) == 1);
}

Value reshaped(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  RankedTensorType type = rankedOf(v);
  if (type.getShape() == shape)
    return v;
  return nn::ReshapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), v,
      b.getDenseI64ArrayAttr(shape));
}

/// gemm(reshape(concat(p_0 .. p_n))) -> reshape(concat(reshape(gemm(
/// reshape(p_i))))), each part's product shaped as its part.
void split(nn::GemmOp gemm, nn::ConcatOp concat) {
  OpBuilder b(gemm);
  Location loc = gemm.getLoc();
  RankedTensorType result = rankedOf(gemm.getResult());
  int64_t columns = result.getDimSize(1);
  SmallVector<Value> parts;
  for (Value part : concat.getInputs()) {
    ArrayRef<int64_t> shape = rankedOf(part).getShape();
    int64_t rows = ShapedType::getNumElements(shape.drop_back());
    Value a = reshaped(b, loc, part, {rows, shape.back()});
    auto product = cast<nn::GemmOp>(b.clone(*gemm));
    product.getAMutable().assign(a);
    product.getResult().setType(
        RankedTensorType::get({rows, columns}, result.getElementType()));
    SmallVector<int64_t> partShape(shape.drop_back());
    partShape.push_back(columns);
    parts.push_back(reshaped(b, loc, product.getResult(), partShape));
  }
  SmallVector<int64_t> joined(rankedOf(concat.getResult()).getShape());
  joined.back() = columns;
  Value all = nn::ConcatOp::create(
      b, loc, RankedTensorType::get(joined, result.getElementType()), parts,
      b.getI64IntegerAttr(0));
  gemm.getResult().replaceAllUsesWith(reshaped(b, loc, all, result.getShape()));
  gemm.erase();
}

struct SplitProductsPass : anvil::impl::SplitProductsBase<SplitProductsPass> {
  using Base::Base;

  void runOnOperation() override {
    std::unique_ptr<anvil::policy::Scheduler> policy =
        anvil::schedulerNamed(getOperation(), scheduler);
    if (!policy)
      return signalPassFailure();
    if (!policy->splitsProductsByProducer())
      return;
    SmallVector<std::pair<nn::GemmOp, nn::ConcatOp>> products;
    getOperation().walk([&](nn::GemmOp gemm) {
      if (gemm.getTransA() || !biasPerColumn(gemm))
        return;
      if (nn::ConcatOp concat = concatOfRows(gemm.getA()))
        products.push_back({gemm, concat});
    });
    for (auto [gemm, concat] : products)
      split(gemm, concat);
  }
};

} // namespace
