#include "log/redactor.h"

#include <gtest/gtest.h>

#include "log/log_testing.h"

namespace tai::internal {
namespace {

TEST(RedactorTest, KeysMatchCaseInsensitivelyAnywhereInTheKey) {
  Redactor r(DefaultRedactedKeys());
  EXPECT_TRUE(r.IsSensitive("password"));
  EXPECT_TRUE(r.IsSensitive("DB_PASSWORD"));
  EXPECT_TRUE(r.IsSensitive("Authorization"));
  EXPECT_TRUE(r.IsSensitive("access_token"));
  EXPECT_TRUE(r.IsSensitive("X-Api-Key"));
  EXPECT_TRUE(r.IsSensitive("Set-Cookie"));
  EXPECT_FALSE(r.IsSensitive("user"));
  EXPECT_FALSE(r.IsSensitive("path"));
  EXPECT_TRUE(r.IsSensitive("password"));  // cached answer is the same
  Redactor none({});
  EXPECT_FALSE(none.IsSensitive("password"));
}

TEST(RedactorTest, RedactsKeyValuePairsInText) {
  Redactor r(DefaultRedactedKeys());
  auto redact = [&](std::string s) {
    r.RedactText(s);
    return s;
  };
  EXPECT_EQ(redact("login user=bob password=hunter2 ok"), "login user=bob password=[REDACTED] ok");
  EXPECT_EQ(redact("Authorization: Bearer abc.def"), "Authorization: Bearer [REDACTED]");
  EXPECT_EQ(redact(R"({"token": "s3cr3t", "n": 1})"), R"({"token": "[REDACTED]", "n": 1})");
  EXPECT_EQ(redact("https://x/?a=1&api_key=zzz&b=2"), "https://x/?a=1&api_key=[REDACTED]&b=2");
  EXPECT_EQ(redact("at 12:30 user: bob"), "at 12:30 user: bob");
  EXPECT_EQ(redact("password="), "password=");
  EXPECT_EQ(redact("secret=[REDACTED]"), "secret=[REDACTED]");
}

TEST(RedactorTest, PipelineRedactsFieldsAndMessagesBeforeSinks) {
  testing_util::LogHarness h({.redacted_keys = {"password", "session"}});
  TAI_LOG_INFO(h.logger(),
               {{"user", "bob"}, {"Password", "hunter2"}, {"session_id", 1234}, {"note", "x=1"}},
               "login password={} for {}", "hunter2", "bob");
  auto records = h.Records();
  ASSERT_EQ(records.size(), 1u);
  const LogRecord& rec = records[0];
  EXPECT_EQ(rec.message, "login password=[REDACTED] for bob");
  std::vector<LogField> f(rec.fields().begin(), rec.fields().end());
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0], (LogField{"user", "bob"}));
  EXPECT_EQ(f[1], (LogField{"Password", kRedacted}));
  EXPECT_EQ(f[2], (LogField{"session_id", kRedacted}));  // not only strings
  EXPECT_EQ(f[3], (LogField{"note", "x=1"}));
  EXPECT_EQ(h.pipeline->stats().redacted_fields, 3u);
}

}  // namespace
}  // namespace tai::internal
