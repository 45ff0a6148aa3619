//===- ShapeInferenceTest.cpp - nn result type inference ------------------===//
#include "anvil/Dialect/NN/IR/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace anvil;

namespace {

class ShapeInferenceTest : public ::testing::Test {
protected:
  ShapeInferenceTest() : builder(&ctx) {
    ctx.loadDialect<nn::NNDialect, func::FuncDialect>();
    block = std::make_unique<Block>();
  }

  Value arg(ArrayRef<int64_t> shape, Type element = nullptr) {
    Type type = RankedTensorType::get(shape, element ? element
                                                     : builder.getF32Type());
    return block->addArgument(type, builder.getUnknownLoc());
  }

  /// The inferred result shape, or nullopt when inference rejects the op.
  template <typename OpTy>
  std::optional<SmallVector<int64_t>> infer(ValueRange operands,
                                            ArrayRef<NamedAttribute> attrs = {}) {
    SmallVector<Type> types;
    if (failed(OpTy::inferReturnTypes(&ctx, std::nullopt, operands,
                                      builder.getDictionaryAttr(attrs), nullptr, {},
                                      types)))
      return std::nullopt;
    auto shape = cast<RankedTensorType>(types[0]).getShape();
    return SmallVector<int64_t>(shape.begin(), shape.end());
  }

  NamedAttribute ints(StringRef name, ArrayRef<int64_t> values) {
    return builder.getNamedAttr(name, builder.getDenseI64ArrayAttr(values));
  }

  MLIRContext ctx;
  OpBuilder builder;
  std::unique_ptr<Block> block;
};

TEST_F(ShapeInferenceTest, MatMulPromotesVectorsAndBroadcastsBatches) {
  using Shape = SmallVector<int64_t>;
  EXPECT_EQ(infer<nn::MatMulOp>({arg({3}), arg({3, 4})}), Shape({4}));
  EXPECT_EQ(infer<nn::MatMulOp>({arg({2, 5, 3}), arg({3})}), Shape({2, 5}));
  EXPECT_EQ(infer<nn::MatMulOp>({arg({2, 1, 5, 3}), arg({4, 3, 6})}),
            Shape({2, 4, 5, 6}));
  EXPECT_EQ(infer<nn::MatMulOp>({arg({2, 3}), arg({4, 5})}), std::nullopt);
}

TEST_F(ShapeInferenceTest, PoolingCeilModeDropsWindowsStartingInPadding) {
  // 5 wide, kernel 2, stride 2: floor gives 2 windows, ceil 3.
  auto attrs = [&](bool ceil) {
    return SmallVector<NamedAttribute>{
        ints("kernel_shape", {2, 2}), ints("strides", {2, 2}),
        ints("pads", {0, 0, 0, 0}), ints("dilations", {1, 1}),
        builder.getNamedAttr("ceil_mode", builder.getBoolAttr(ceil))};
  };
  Value x = arg({1, 1, 5, 5});
  EXPECT_EQ(infer<nn::MaxPoolOp>(x, attrs(false)),
            SmallVector<int64_t>({1, 1, 2, 2}));
  EXPECT_EQ(infer<nn::MaxPoolOp>(x, attrs(true)),
            SmallVector<int64_t>({1, 1, 3, 3}));
  // 4 wide, kernel 1, stride 2, end pad 1: a third window would start in
  // the padding, so ceil mode still gives 2.
  SmallVector<NamedAttribute> padded = {
      ints("kernel_shape", {1, 1}), ints("strides", {2, 2}),
      ints("pads", {0, 0, 1, 1}), ints("dilations", {1, 1}),
      builder.getNamedAttr("ceil_mode", builder.getBoolAttr(true))};
  EXPECT_EQ(infer<nn::MaxPoolOp>(arg({1, 1, 4, 4}), padded),
            SmallVector<int64_t>({1, 1, 2, 2}));
}

TEST_F(ShapeInferenceTest, ConvWithDilationAndGroups) {
  SmallVector<NamedAttribute> attrs = {
      ints("strides", {1, 2}), ints("pads", {1, 1, 1, 1}),
      ints("dilations", {2, 1}),
      builder.getNamedAttr("group", builder.getI64IntegerAttr(2))};
  EXPECT_EQ(infer<nn::ConvOp>({arg({1, 4, 9, 9}), arg({6, 2, 3, 3})}, attrs),
            SmallVector<int64_t>({1, 6, 7, 5}));
  // 4 channels cannot split into 3 groups.
  attrs.back() = builder.getNamedAttr("group", builder.getI64IntegerAttr(3));
  EXPECT_EQ(infer<nn::ConvOp>({arg({1, 4, 9, 9}), arg({6, 2, 3, 3})}, attrs),
            std::nullopt);
}

TEST_F(ShapeInferenceTest, ComparisonsYieldI1) {
  SmallVector<Type> types;
  ASSERT_TRUE(succeeded(nn::LessOp::inferReturnTypes(
      &ctx, std::nullopt, ValueRange{arg({2, 1}), arg({3})}, {}, nullptr, {},
      types)));
  EXPECT_EQ(types[0], RankedTensorType::get({2, 3}, builder.getI1Type()));
}

TEST_F(ShapeInferenceTest, ReduceKeepsOrDropsAxes) {
  auto attrs = [&](bool keep) {
    return SmallVector<NamedAttribute>{
        builder.getNamedAttr("kind", nn::ReduceKindAttr::get(
                                         &ctx, nn::ReduceKind::Mean)),
        ints("axes", {0, 2}),
        builder.getNamedAttr("keepdims", builder.getBoolAttr(keep))};
  };
  Value x = arg({2, 3, 4});
  EXPECT_EQ(infer<nn::ReduceOp>(x, attrs(true)),
            SmallVector<int64_t>({1, 3, 1}));
  EXPECT_EQ(infer<nn::ReduceOp>(x, attrs(false)), SmallVector<int64_t>({3}));
}

} // namespace
