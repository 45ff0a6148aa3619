//===- ImporterTest.cpp - ONNX importer pieces ----------------------------===//
#include "anvil/Dialect/NN/IR/NNOps.h"
#include "anvil/Import/ONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <gtest/gtest.h>

using namespace anvil;
using namespace anvil::onnx_import;

namespace {

TEST(ImporterTest, ParseInputShape) {
  ImportOptions options;
  EXPECT_TRUE(parseInputShape("images:1x3x224x224", options));
  EXPECT_EQ(options.inputShapes["images"],
            (llvm::SmallVector<int64_t>{1, 3, 224, 224}));
  // Names may contain colons; the shape follows the last one.
  EXPECT_TRUE(parseInputShape("ns:x:7", options));
  EXPECT_EQ(options.inputShapes["ns:x"], (llvm::SmallVector<int64_t>{7}));
  EXPECT_FALSE(parseInputShape("x", options));
  EXPECT_FALSE(parseInputShape("x:2xa", options));
  EXPECT_FALSE(parseInputShape("x:-1", options));
}

/// Builds one-node models and imports them.
class ImportModelTest : public ::testing::Test {
protected:
  ImportModelTest() { graph = model.mutable_graph(); }

  void setUp(const char *opType, int opset = 17) {
    model.set_ir_version(8);
    auto *imp = model.add_opset_import();
    imp->set_version(opset);
    node = graph->add_node();
    node->set_op_type(opType);
    node->set_name("n0");
  }

  void addInput(const std::string &name, std::vector<int64_t> shape) {
    auto *in = graph->add_input();
    in->set_name(name);
    auto *t = in->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape)
      t->mutable_shape()->add_dim()->set_dim_value(d);
    node->add_input(name);
  }

  void addInt64Initializer(const std::string &name, std::vector<int64_t> v) {
    auto *t = graph->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(v.size());
    for (int64_t x : v)
      t->add_int64_data(x);
    node->add_input(name);
  }

  ImportResult import() {
    node->add_output("y");
    graph->add_output()->set_name("y");
    llvm::SmallString<128> path;
    llvm::sys::fs::createTemporaryFile("anvil-importer", "onnx", path);
    llvm::FileRemover removeAfterImport(path);
    std::ofstream(std::string(path), std::ios::binary)
        << model.SerializeAsString();
    return importModelFile(ctx, path, options);
  }

  /// The op producing the graph's only output.
  mlir::Operation *resultOp(ImportResult &result) {
    auto func = result.module->lookupSymbol<mlir::func::FuncOp>("main_graph");
    return func.front().getTerminator()->getOperand(0).getDefiningOp();
  }

  mlir::MLIRContext ctx;
  onnx::ModelProto model;
  onnx::GraphProto *graph;
  onnx::NodeProto *node = nullptr;
  ImportOptions options;
};

TEST_F(ImportModelTest, SliceNormalizesNegativeStepsAndClampedEnds) {
  setUp("Slice", 13);
  addInput("x", {10});
  addInt64Initializer("starts", {-1});
  addInt64Initializer("ends", {-100});
  addInt64Initializer("axes", {0});
  addInt64Initializer("steps", {-3});
  ImportResult result = import();
  ASSERT_EQ(result.status, ImportStatus::Success);
  auto slice = llvm::dyn_cast<nn::SliceOp>(resultOp(result));
  ASSERT_TRUE(slice);
  // 9, 6, 3, 0.
  EXPECT_EQ(slice.getStarts(), llvm::ArrayRef<int64_t>{9});
  EXPECT_EQ(slice.getSizes(), llvm::ArrayRef<int64_t>{4});
  EXPECT_EQ(slice.getSteps(), llvm::ArrayRef<int64_t>{-3});
}

TEST_F(ImportModelTest, ReshapeCopiesZerosAndInfersMinusOne) {
  setUp("Reshape", 14);
  addInput("x", {2, 3, 4});
  addInt64Initializer("shape", {0, -1});
  ImportResult result = import();
  ASSERT_EQ(result.status, ImportStatus::Success);
  auto reshape = llvm::dyn_cast<nn::ReshapeOp>(resultOp(result));
  ASSERT_TRUE(reshape);
  EXPECT_EQ(reshape.getShape(), (llvm::ArrayRef<int64_t>{2, 12}));
}

TEST_F(ImportModelTest, NonConstantShapeIsUnsupportedNotACrash) {
  setUp("Reshape", 14);
  addInput("x", {2, 3});
  auto *shape = graph->add_input();
  shape->set_name("shape");
  auto *t = shape->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::INT64);
  t->mutable_shape()->add_dim()->set_dim_value(1);
  node->add_input("shape");
  ImportResult result = import();
  EXPECT_EQ(result.status, ImportStatus::Unsupported);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].nodeName, "n0");
  // The reason names the graph input, so that --bind-input can fix it.
  EXPECT_EQ(result.problems[0].reason,
            "the target shape must be a constant; it is computed from graph "
            "input 'shape' (--bind-input NAME=FILE.pb fixes a value at "
            "compile time)");
}

TEST_F(ImportModelTest, UnknownAttributeIsReportedByName) {
  setUp("Relu");
  addInput("x", {2});
  auto *attr = node->add_attribute();
  attr->set_name("slope");
  attr->set_type(onnx::AttributeProto::FLOAT);
  ImportResult result = import();
  EXPECT_EQ(result.status, ImportStatus::Unsupported);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].reason, "attribute 'slope' is not supported");
}

} // namespace
