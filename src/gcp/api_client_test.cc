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

}  // namespace
}  // namespace tai::internal
