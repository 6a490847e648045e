#include "tests/gcp_emulator/proto_json_validator.h"

#include <gtest/gtest.h>

namespace tai::testing {
namespace {

TEST(ProtoJsonValidatorTest, AcceptsValidAndRejectsUnknownOrMistypedFields) {
  auto v =
      ProtoJsonValidator::Load(GoogleProtoRoot(), {"google/devtools/cloudtrace/v2/tracing.proto"});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const std::string type = "google.devtools.cloudtrace.v2.BatchWriteSpansRequest";
  EXPECT_TRUE((*v)->Check(type, R"({"name":"projects/p","spans":[{"name":"x","spanId":"1",
      "displayName":{"value":"op"},"startTime":"2026-01-01T00:00:00Z",
      "endTime":"2026-01-01T00:00:01Z","spanKind":"SERVER"}]})")
                  .ok());
  Status unknown = (*v)->Check(type, R"({"name":"projects/p","spans":[{"nmae":"x"}]})");
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("nmae"), std::string::npos) << unknown.ToString();
  EXPECT_FALSE((*v)->Check(type, R"({"spans":[{"startTime":"yesterday"}]})").ok());
  EXPECT_FALSE((*v)->Check(type, R"({"spans":[{"spanKind":"SIDEWAYS"}]})").ok());
  EXPECT_FALSE((*v)->Check("no.such.Type", "{}").ok());
}

}  // namespace
}  // namespace tai::testing
