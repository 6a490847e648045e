#include "export/otlp/otlp_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace tai::internal {
namespace {

TEST(OtlpJsonTest, AnyValueFollowsProto3JsonMapping) {
  Attributes attrs = {{"s", "text"}, {"i", int64_t{9007199254740993}},
                      {"d", 1.5},    {"nan", std::nan("")},
                      {"b", true},   {"arr", std::vector<int64_t>{1, 2}}};
  std::string out;
  AppendOtlpAttributes(out, attrs);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j[0]["value"]["stringValue"], "text");
  EXPECT_EQ(j[1]["value"]["intValue"], "9007199254740993");  // int64 as a string
  EXPECT_EQ(j[2]["value"]["doubleValue"], 1.5);
  EXPECT_EQ(j[3]["value"]["doubleValue"], "NaN");
  EXPECT_EQ(j[4]["value"]["boolValue"], true);
  EXPECT_EQ(j[5]["value"]["arrayValue"]["values"][1]["intValue"], "2");
}

TEST(OtlpJsonTest, ResourceCarriesServiceAttributes) {
  Resource r;
  r.service_name = "payments";
  r.service_version = "2.0";
  std::string out;
  AppendOtlpResource(out, r);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["attributes"][0]["key"], "service.name");
  EXPECT_EQ(j["attributes"][0]["value"]["stringValue"], "payments");
  EXPECT_EQ(j["attributes"][1]["key"], "service.version");
}

}  // namespace
}  // namespace tai::internal
