//===- TensorIOTest.cpp - .npy and TensorProto files ----------------------===//
#include "anvil/Runtime/TensorIO.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <gtest/gtest.h>

using namespace anvil::runtime;

namespace {

std::string tempPath(const char *suffix) {
  llvm::SmallString<128> path;
  llvm::sys::fs::createTemporaryFile("anvil-test", suffix, path);
  return std::string(path);
}

TEST(TensorIOTest, NpyRoundTripKeepsDtypeShapeAndData) {
  HostTensor t;
  t.dtype = ANVIL_DTYPE_INT64;
  t.shape = {2, 3};
  std::vector<int64_t> values = {1, -2, 3, -4, 5, 1LL << 40};
  t.data.assign(reinterpret_cast<char *>(values.data()),
                reinterpret_cast<char *>(values.data() + values.size()));
  std::string path = tempPath("npy");
  ASSERT_FALSE(writeNpy(path, t));
  auto back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->dtype, ANVIL_DTYPE_INT64);
  EXPECT_EQ(back->shape, t.shape);
  EXPECT_EQ(back->data, t.data);
  EXPECT_EQ(elementAsDouble(*back, 5), static_cast<double>(1LL << 40));
}

TEST(TensorIOTest, UnsignedNpyRoundTripsAndReadsAsUnsigned) {
  HostTensor t;
  t.dtype = ANVIL_DTYPE_UINT16;
  t.shape = {2};
  std::vector<uint16_t> values = {65535, 7};
  t.data.assign(reinterpret_cast<char *>(values.data()),
                reinterpret_cast<char *>(values.data() + values.size()));
  std::string path = tempPath("npy");
  ASSERT_FALSE(writeNpy(path, t));
  auto back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->dtype, ANVIL_DTYPE_UINT16);
  EXPECT_EQ(back->data, t.data);
  EXPECT_EQ(elementAsDouble(*back, 0), 65535.0);
}

TEST(TensorIOTest, UnsignedTensorProtoReadsTypedFields) {
  // UINT32 and UINT64 live in uint64_data, UINT8 in int32_data.
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::UINT64);
  proto.add_dims(2);
  proto.add_uint64_data(~0ULL);
  proto.add_uint64_data(3);
  std::string path = tempPath("pb");
  {
    std::ofstream out(path, std::ios::binary);
    proto.SerializeToOstream(&out);
  }
  auto back = readTensorProto(path);
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->dtype, ANVIL_DTYPE_UINT64);
  uint64_t first;
  std::memcpy(&first, back->data.data(), sizeof(first));
  EXPECT_EQ(first, ~0ULL);
  EXPECT_EQ(elementAsDouble(*back, 1), 3.0);
}

TEST(TensorIOTest, ScalarNpyHasEmptyShape) {
  HostTensor t;
  t.dtype = ANVIL_DTYPE_FLOAT32;
  float v = 2.5f;
  t.data.assign(reinterpret_cast<char *>(&v), reinterpret_cast<char *>(&v + 1));
  std::string path = tempPath("npy");
  ASSERT_FALSE(writeNpy(path, t));
  auto back = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(back));
  EXPECT_TRUE(back->shape.empty());
  EXPECT_EQ(elementAsDouble(*back, 0), 2.5);
}

TEST(TensorIOTest, TruncatedNpyIsAnError) {
  HostTensor t;
  t.dtype = ANVIL_DTYPE_FLOAT32;
  t.shape = {16};
  t.data.resize(64);
  std::string path = tempPath("npy");
  ASSERT_FALSE(writeNpy(path, t));
  {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        << bytes.substr(0, 128 + 10); // The data starts at byte 128.
  }
  auto back = readNpy(path);
  ASSERT_FALSE(static_cast<bool>(back));
  EXPECT_NE(llvm::toString(back.takeError()).find("header promises 64"),
            std::string::npos);
}

TEST(TensorIOTest, OverflowingNpyShapeIsAnError) {
  // 2^62 x 8 float32 elements: the byte count overflows 64 bits.
  std::string header = "{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (4611686018427387904, 8), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string path = tempPath("npy");
  {
    std::ofstream out(path, std::ios::binary);
    out << "\x93NUMPY" << '\x01' << '\x00'
        << static_cast<char>(header.size() & 0xff)
        << static_cast<char>(header.size() >> 8) << header
        << std::string(16, '\0');
  }
  auto t = readNpy(path);
  ASSERT_FALSE(static_cast<bool>(t));
  EXPECT_NE(llvm::toString(t.takeError()).find("shape is too large"),
            std::string::npos);
}

TEST(TensorIOTest, TensorProtoTypedFieldsAndRawDataAgree) {
  onnx::TensorProto typed, raw;
  for (onnx::TensorProto *p : {&typed, &raw}) {
    p->set_data_type(onnx::TensorProto::INT8);
    p->add_dims(3);
  }
  for (int v : {-1, 0, 7})
    typed.add_int32_data(v);
  raw.set_raw_data(std::string("\xff\x00\x07", 3));
  for (onnx::TensorProto *p : {&typed, &raw}) {
    std::string path = tempPath("pb");
    std::ofstream(path, std::ios::binary) << p->SerializeAsString();
    auto t = readTensorProto(path);
    ASSERT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
    EXPECT_EQ(elementAsDouble(*t, 0), -1);
    EXPECT_EQ(elementAsDouble(*t, 2), 7);
  }
}

} // namespace
