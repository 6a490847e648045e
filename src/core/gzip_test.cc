#include "core/gzip.h"

#include <gtest/gtest.h>

namespace tai::internal {
namespace {

TEST(GzipTest, RoundTrip) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>('a' + i % 7);
  std::string z = GzipCompress(data);
  EXPECT_LT(z.size(), data.size() / 10);
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
  auto back = GzipDecompress(z);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
  EXPECT_EQ(*GzipDecompress(GzipCompress("")), "");
}

TEST(GzipTest, CorruptTruncatedAndBombs) {
  std::string z = GzipCompress(std::string(1 << 20, 'x'));
  EXPECT_EQ(GzipDecompress(z.substr(0, z.size() / 2)).status().message(), "gzip data is truncated");
  EXPECT_NE(GzipDecompress("not gzip at all").status().message().find("gzip data is corrupt"),
            std::string::npos);
  EXPECT_EQ(GzipDecompress(z, 1000).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace tai::internal
