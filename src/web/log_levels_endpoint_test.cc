#include "tai/web/log_levels_endpoint.h"

#include <gtest/gtest.h>

#include "export/http/http_client.h"

namespace tai {
namespace {

class LogLevelsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServeLogLevels(server_, logs_);
    ASSERT_TRUE(server_.Start().ok());
  }
  internal::HttpClientResponse Put(std::string body) {
    auto r = client_.Send(
        {.method = "PUT", .url = server_.url() + "/api/log/levels", .body = std::move(body)});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : internal::HttpClientResponse{};
  }

  LogPipeline logs_;
  HttpServer server_;
  internal::HttpClient client_;
};

TEST_F(LogLevelsEndpointTest, AnErrorNamesTheItemNotTheWholeRequest) {
  std::string spec = "a=debug," + std::string(3000, ' ') + ",b=chatty";
  auto r = Put(spec);
  EXPECT_EQ(r.status, 400);
  EXPECT_LT(r.body.size(), 200u) << r.body;
  EXPECT_NE(r.body.find("'chatty'"), std::string::npos) << r.body;
}

TEST_F(LogLevelsEndpointTest, BoundsSpecsNamesAndLoggers) {
  auto big = Put(std::string(kMaxLogLevelSpecBytes + 1, 'a'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.body, "log levels: spec longer than 4096 bytes\n");

  std::string many;
  for (size_t i = 0; i <= kMaxLogLevelItems; ++i) many += "l" + std::to_string(i) + "=info,";
  EXPECT_EQ(Put(many).body, "log levels: more than 64 items\n");
  EXPECT_EQ(Put("bad\x01name=info").body,
            "log levels: logger name 'bad\x01name' may hold only A-Z a-z 0-9 . _ : / -\n");
  EXPECT_EQ(Put(std::string(200, 'n') + "=info").body,
            "log levels: logger name longer than 128 bytes\n");

  // Distinct names are bounded over every request; known ones stay settable.
  size_t made = 0;
  int status = 200;
  for (int request = 0; status == 200 && request < 100; ++request) {
    std::string spec;
    for (int i = 0; i < 10; ++i) spec += "r" + std::to_string(request * 10 + i) + "=debug,";
    status = Put(spec).status;
    if (status == 200) made += 10;
  }
  EXPECT_EQ(status, 400);
  EXPECT_EQ(made, 250u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Put("extra" + std::to_string(i) + "=info").status, 200);
  EXPECT_EQ(Put("one.more=info").body,
            "log levels: at most 256 loggers can be given a level over HTTP\n");
  EXPECT_EQ(Put("r0=error").status, 200);  // known names stay settable
}

}  // namespace
}  // namespace tai
