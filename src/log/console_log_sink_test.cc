#include "tai/log/console_log_sink.h"

#include <gtest/gtest.h>

#include <string>

namespace tai {
namespace {

LogRecord Sample() {
  LogRecord r;
  r.time_unix_nanos = 1'764'066'600'123'456'789;
  r.level = LogLevel::kWarn;
  r.message = "card declined\x1b[2J";
  r.file = "/src/app/pay.cc";
  r.line = 42;
  r.logger_name = InternLoggerName("payments");
  r.AddFields({{"order", 991}, {"card", "visa \"gold\""}, {"retry", true}});
  return r;
}

TEST(ConsoleLogSinkTest, PlainLineWithFieldsLocationAndTrace) {
  ConsoleLogSink sink({.color = ConsoleLogOptions::Color::kNever, .utc = true});
  EXPECT_FALSE(sink.color());
  LogRecord r = Sample();
  r.trace_id = *TraceId::FromHex("0af7651916cd43dd8448eb211c80319c");
  r.span_id = *SpanId::FromHex("b7ad6b7169203331");
  r.suppressed = 5;
  std::string out;
  sink.AppendRecord(out, r);
  EXPECT_EQ(out,
            "10:30:00.123456 WARN  payments: card declined\\x1b[2J (5 suppressed) order=991 "
            "card=\"visa \\\"gold\\\"\" retry=true (pay.cc:42) "
            "trace=0af7651916cd43dd8448eb211c80319c span=b7ad6b7169203331\n");
}

TEST(ConsoleLogSinkTest, ColourWrapsTheLevelAndIsOffForAPipe) {
  ConsoleLogSink colored({.color = ConsoleLogOptions::Color::kAlways, .utc = true});
  std::string out;
  colored.AppendRecord(out, Sample());
  EXPECT_NE(out.find("\x1b[33mWARN\x1b[0m"), std::string::npos) << out;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ConsoleLogSink piped({.fd = fds[1]});
  EXPECT_FALSE(piped.color());
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace tai
