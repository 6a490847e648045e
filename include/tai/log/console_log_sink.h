// ConsoleLogSink: human-readable log lines for development, coloured by
// level when the output is a terminal:
//
//   10:30:00.123456 INFO  payments: card declined order=991 retry=true (pay.cc:42)
//   trace=0af7…/b7ad…
//
// Control characters in messages and values (other than newline and tab)
// are shown as \xNN, so a log line cannot drive the terminal. Use
// CloudLoggingJsonSink in production: this format is for people, not
// parsers.
//
// Called by the pipeline from one thread at a time; not for concurrent use.
#pragma once

#include <string>

#include "tai/log/log_sink.h"

namespace tai {

struct ConsoleLogOptions {
  int fd = 2;  // stderr
  enum class Color { kAuto, kAlways, kNever };
  Color color = Color::kAuto;  // kAuto: when fd is a terminal and NO_COLOR is unset
  bool utc = false;            // local time by default
};

class ConsoleLogSink : public LogSink {
 public:
  explicit ConsoleLogSink(ConsoleLogOptions options = {});

  std::string name() const override { return "console"; }
  Status Export(const LogBatch& batch) override;

  // Appends one record as a line.
  void AppendRecord(std::string& out, const LogRecord& record) const;
  bool color() const { return color_; }

 private:
  ConsoleLogOptions options_;
  bool color_;
  std::string buffer_;
};

}  // namespace tai
