#include "tai/log/log_record.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tai {
namespace {

std::vector<LogField> Fields(const LogRecord& r) { return {r.fields().begin(), r.fields().end()}; }

TEST(LogRecordTest, FieldsOfEveryTypeRoundTrip) {
  std::string owned = "owned";
  LogRecord r;
  r.AddFields({{"s", "literal"},
               {"str", owned},
               {"sv", std::string_view("view")},
               {"i", -42},
               {"i64", std::numeric_limits<int64_t>::min()},
               {"u64", std::numeric_limits<uint64_t>::max()},
               {"u8", static_cast<uint8_t>(200)},
               {"d", 2.5},
               {"f", 0.5f},
               {"t", true},
               {"b", false},
               {"", ""}});
  auto f = Fields(r);
  ASSERT_EQ(f.size(), 12u);
  EXPECT_EQ(f[0], (LogField{"s", "literal"}));
  EXPECT_EQ(f[1].value.kind(), LogValue::Kind::kString);
  EXPECT_EQ(f[1].value.string_value(), "owned");
  EXPECT_EQ(f[2].value.string_value(), "view");
  EXPECT_EQ(f[3].value.kind(), LogValue::Kind::kInt);
  EXPECT_EQ(f[3].value.int_value(), -42);
  EXPECT_EQ(f[4].value.int_value(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(f[5].value.kind(), LogValue::Kind::kUint);
  EXPECT_EQ(f[5].value.uint_value(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(f[6].value.uint_value(), 200u);
  EXPECT_EQ(f[7].value.kind(), LogValue::Kind::kDouble);
  EXPECT_EQ(f[7].value.double_value(), 2.5);
  EXPECT_EQ(f[8].value.double_value(), 0.5);
  EXPECT_EQ(f[9].value.kind(), LogValue::Kind::kBool);
  EXPECT_TRUE(f[9].value.bool_value());
  EXPECT_FALSE(f[10].value.bool_value());
  EXPECT_EQ(f[11].key, "");
  EXPECT_EQ(r.fields().size(), 12u);
}

TEST(LogRecordTest, CopiesOwnTheirFields) {
  LogRecord copy;
  {
    std::string key = "user";
    std::string value(1000, 'x');
    LogRecord r;
    r.AddField({key, value});
    copy = r;
  }
  LogValue v;
  ASSERT_TRUE(copy.FindField("user", &v));
  EXPECT_EQ(v.string_value(), std::string(1000, 'x'));
  EXPECT_FALSE(copy.FindField("missing", &v));
}

TEST(LogRecordTest, StringsWithNulAndBinaryBytesSurvive) {
  LogRecord r;
  std::string binary("a\0b\xff", 4);
  r.AddField({binary, binary});
  auto f = Fields(r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].key, binary);
  EXPECT_EQ(f[0].value.string_value(), binary);
  r.ClearFields();
  EXPECT_TRUE(r.fields().empty());
}

TEST(LogRecordTest, ValueText) {
  EXPECT_EQ(LogValue(-3).ToString(), "-3");
  EXPECT_EQ(LogValue(3u).ToString(), "3");
  EXPECT_EQ(LogValue(0.25).ToString(), "0.25");
  EXPECT_EQ(LogValue(true).ToString(), "true");
  EXPECT_EQ(LogValue("x").ToString(), "x");
}

TEST(LogRecordTest, LevelNamesParseBack) {
  for (LogLevel l : {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn,
                     LogLevel::kError, LogLevel::kFatal, LogLevel::kOff}) {
    auto parsed = ParseLogLevel(LogLevelName(l));
    ASSERT_TRUE(parsed.ok()) << LogLevelName(l);
    EXPECT_EQ(*parsed, l);
  }
  EXPECT_EQ(*ParseLogLevel("Warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel(" ERR "), LogLevel::kError);
  EXPECT_EQ(*ParseLogLevel("critical"), LogLevel::kFatal);
  EXPECT_EQ(*ParseLogLevel("None"), LogLevel::kOff);
  EXPECT_FALSE(ParseLogLevel("").ok());
  EXPECT_EQ(static_cast<int>(LogLevel::kError), 17);  // OpenTelemetry SeverityNumber
  auto bad = ParseLogLevel("loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'loud'"), std::string::npos);
}

TEST(LogRecordTest, InternedNamesAreStable) {
  std::string a = "component";
  std::string_view first = InternLoggerName(a);
  a = "changed";
  std::string_view second = InternLoggerName("component");
  EXPECT_EQ(first, "component");
  EXPECT_EQ(first.data(), second.data());
}

}  // namespace
}  // namespace tai
