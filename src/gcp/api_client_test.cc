#include "gcp/api_client.h"

#include <gtest/gtest.h>

namespace tai::internal {
namespace {

// A spilled request is sent where the exporter sends now (issue 20 #1).
TEST(RetargetApiUrlTest, TheEndpointAndProjectAreTheCurrentOnes) {
  EXPECT_EQ(RetargetApiUrl("https://cloudtrace.googleapis.com/v2/projects/old/traces:batchWrite",
                           "http://127.0.0.1:8080", "new"),
            "http://127.0.0.1:8080/v2/projects/new/traces:batchWrite");
  EXPECT_EQ(RetargetApiUrl("https://monitoring.googleapis.com/v3/projects/p/metricDescriptors",
                           "https://monitoring.example/", "p"),
            "https://monitoring.example/v3/projects/p/metricDescriptors");
  EXPECT_EQ(RetargetApiUrl("http://[::1]:9/v2/entries:write", "https://logging.example", "p"),
            "https://logging.example/v2/entries:write");
  EXPECT_EQ(RetargetApiUrl("http://host", "https://e", "p"), "https://e");
}

// The body follows the project too (Cloud Logging's URL names none, its
// body does), and the request says it was made elsewhere (issue 20 #1).
TEST(RetargetApiUrlTest, BodiesMoveToTheCurrentProject) {
  const std::string logging =
      R"({"logName":"projects/old/logs/app","resource":{"type":"generic_task","labels":)"
      R"({"project_id":"old"}},"entries":[{"trace":"projects/old/traces/ab",)"
      R"("textPayload":"projects/old/ stays \"projects/old/ too"}]})";
  RetargetedRequest r = RetargetApiRequest("https://logging.googleapis.com/v2/entries:write",
                                           logging, "https://logging.googleapis.com", "new");
  EXPECT_TRUE(r.retargeted);
  EXPECT_EQ(r.url, "https://logging.googleapis.com/v2/entries:write");
  EXPECT_EQ(r.body,
            R"({"logName":"projects/new/logs/app","resource":{"type":"generic_task","labels":)"
            R"({"project_id":"new"}},"entries":[{"trace":"projects/new/traces/ab",)"
            R"("textPayload":"projects/old/ stays \"projects/old/ too"}]})");

  const std::string spans = R"({"spans":[{"name":"projects/old/traces/ab/spans/cd"}]})";
  r = RetargetApiRequest("https://cloudtrace.googleapis.com/v2/projects/old/traces:batchWrite",
                         spans, "https://cloudtrace.googleapis.com/", "new");
  EXPECT_TRUE(r.retargeted);
  EXPECT_EQ(r.url, "https://cloudtrace.googleapis.com/v2/projects/new/traces:batchWrite");
  EXPECT_EQ(r.body, R"({"spans":[{"name":"projects/new/traces/ab/spans/cd"}]})");

  // Made for the current endpoint and project (a trailing '/' is no change).
  r = RetargetApiRequest("https://cloudtrace.googleapis.com/v2/projects/p/traces:batchWrite", spans,
                         "https://cloudtrace.googleapis.com/", "p");
  EXPECT_FALSE(r.retargeted);
  EXPECT_EQ(r.body, spans);
  r = RetargetApiRequest("https://cloudtrace.googleapis.com/v2/projects/p/traces:batchWrite", spans,
                         "http://127.0.0.1:9", "p");
  EXPECT_TRUE(r.retargeted);
}

}  // namespace
}  // namespace tai::internal
