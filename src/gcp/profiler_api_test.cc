#include "gcp/profiler_api.h"

#include <gtest/gtest.h>

#include "gcp/api_client.h"

namespace tai::internal {
namespace {

TEST(ProfilerApiTest, DurationsAreProtoJson) {
  EXPECT_EQ(FormatProtoDuration(10'000'000'000), "10s");
  EXPECT_EQ(FormatProtoDuration(1'500'000'000), "1.500s");
  EXPECT_EQ(FormatProtoDuration(2'000'001'000), "2.000001s");
  EXPECT_EQ(FormatProtoDuration(100), "0.000000100s");
  EXPECT_EQ(FormatProtoDuration(-5), "0s");
}

TEST(ProfilerApiTest, DeploymentRulesAreTheApis) {
  ProfilerDeployment d{.project_id = "my-project", .target = "checkout_v2.api"};
  d.labels = {{"zone", "us-central1-a"}, {"language", "cpp"}};
  EXPECT_TRUE(d.Validate().ok()) << d.Validate().ToString();
  std::string json;
  d.AppendJson(json);
  EXPECT_EQ(json,
            "{\"projectId\":\"my-project\",\"target\":\"checkout_v2.api\",\"labels\":{"
            "\"language\":\"cpp\",\"zone\":\"us-central1-a\"}}");
  auto message = [](ProfilerDeployment x) { return x.Validate().message(); };
  EXPECT_NE(message({.project_id = "abc", .target = "t"}).find("project id 'abc'"),
            std::string::npos);
  EXPECT_NE(message({.project_id = "my-project", .target = "-x"}).find("target"),
            std::string::npos);
  EXPECT_NE(message({.project_id = "my-project", .target = ""}).find("target"), std::string::npos);
  EXPECT_NE(ValidateProfilerLabels({{"a", std::string(513, 'v')}}, "l").message().find("513"),
            std::string::npos);
  EXPECT_TRUE(ValidateProfilerLabels({{"a", std::string(512, 'v')}}, "l").ok());
  EXPECT_NE(ValidateProfilerLabels({{"a", std::string(500, 'v')},
                                    {"b", std::string(500, 'v')},
                                    {"c", std::string(100, 'v')}},
                                   "l")
                .message()
                .find("1024"),
            std::string::npos);
  EXPECT_NE(ValidateProfilerLabels({{"-a", "v"}}, "l").message().find("'-a'"), std::string::npos);
}

TEST(ProfilerApiTest, RetryDelayComesFromTheRetryInfoDetail) {
  EXPECT_EQ(RetryDelayFromErrorBody(
                R"({"error":{"code":409,"status":"ABORTED","details":[)"
                R"({"@type":"type.googleapis.com/google.rpc.DebugInfo","detail":"x"},)"
                R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"2640s"}]}})"),
            std::chrono::minutes(44));
  EXPECT_EQ(RetryDelayFromErrorBody(
                R"({"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo",)"
                R"("retryDelay":"1.5s"}]}})"),
            std::chrono::milliseconds(1500));
  EXPECT_FALSE(RetryDelayFromErrorBody(R"({"error":{"code":409}})"));
  EXPECT_FALSE(RetryDelayFromErrorBody("not json"));
  EXPECT_FALSE(RetryDelayFromErrorBody(R"({"error":{"details":[{"retryDelay":"3s"}]}})"));
}

}  // namespace
}  // namespace tai::internal
