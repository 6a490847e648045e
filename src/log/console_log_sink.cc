#include "tai/log/console_log_sink.h"

#include <time.h>
#include <unistd.h>

#include <cstdlib>

#include "core/text.h"
#include "log/write_fd.h"

namespace tai {
namespace {

std::string_view LevelColor(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
    case LogLevel::kDebug:
      return "\x1b[2m";  // dim
    case LogLevel::kInfo:
      return "\x1b[32m";  // green
    case LogLevel::kWarn:
      return "\x1b[33m";  // yellow
    case LogLevel::kError:
      return "\x1b[31m";  // red
    case LogLevel::kFatal:
      return "\x1b[1;31m";  // bold red
    case LogLevel::kOff:
      break;
  }
  return "";
}

constexpr std::string_view kReset = "\x1b[0m";

// Text as is, except control characters (other than \n and \t) as \xNN.
void AppendSafe(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
}

void AppendPadded(std::string& out, int64_t v, int width) {
  std::string digits;
  internal::AppendInt(digits, v);
  for (int i = static_cast<int>(digits.size()); i < width; ++i) out += '0';
  out += digits;
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

ConsoleLogSink::ConsoleLogSink(ConsoleLogOptions options) : options_(options) {
  switch (options_.color) {
    case ConsoleLogOptions::Color::kAlways:
      color_ = true;
      break;
    case ConsoleLogOptions::Color::kNever:
      color_ = false;
      break;
    case ConsoleLogOptions::Color::kAuto:
      color_ = ::isatty(options_.fd) == 1 && std::getenv("NO_COLOR") == nullptr;
      break;
  }
}

void ConsoleLogSink::AppendRecord(std::string& out, const LogRecord& r) const {
  time_t secs = static_cast<time_t>(r.time_unix_nanos / 1'000'000'000);
  tm t;
  if (options_.utc) {
    gmtime_r(&secs, &t);
  } else {
    localtime_r(&secs, &t);
  }
  if (color_) out += "\x1b[2m";
  AppendPadded(out, t.tm_hour, 2);
  out += ':';
  AppendPadded(out, t.tm_min, 2);
  out += ':';
  AppendPadded(out, t.tm_sec, 2);
  out += '.';
  AppendPadded(out, (r.time_unix_nanos % 1'000'000'000) / 1000, 6);
  if (color_) out += kReset;
  out += ' ';
  if (color_) out += LevelColor(r.level);
  std::string_view level = LogLevelName(r.level);
  out += level;
  if (color_) out += kReset;
  out.append(6 - level.size(), ' ');
  if (!r.logger_name.empty()) {
    if (color_) out += "\x1b[1m";
    AppendSafe(out, r.logger_name);
    out += ':';
    if (color_) out += kReset;
    out += ' ';
  }
  AppendSafe(out, r.message);
  if (r.suppressed) {
    out += " (";
    internal::AppendUint(out, r.suppressed);
    out += " suppressed)";
  }
  for (LogField f : r.fields()) {
    out += ' ';
    if (color_) out += "\x1b[36m";
    AppendSafe(out, f.key);
    out += '=';
    if (color_) out += kReset;
    if (f.value.kind() == LogValue::Kind::kString) {
      internal::AppendJsonString(out, f.value.string_value());
    } else {
      out += f.value.ToString();
    }
  }
  if (color_) out += "\x1b[2m";
  if (r.file[0] != '\0') {
    out += " (";
    AppendSafe(out, BaseName(r.file));
    out += ':';
    internal::AppendUint(out, r.line);
    out += ')';
  }
  if (r.has_trace()) {
    out += " trace=";
    internal::AppendHex(out, r.trace_id.bytes().data(), r.trace_id.bytes().size());
    out += " span=";
    internal::AppendHex(out, r.span_id.bytes().data(), r.span_id.bytes().size());
  }
  if (color_) out += kReset;
  out += '\n';
}

Status ConsoleLogSink::Export(const LogBatch& batch) {
  buffer_.clear();
  for (const LogRecord& r : batch.records) AppendRecord(buffer_, r);
  Status st = internal::WriteAll(options_.fd, buffer_);
  if (buffer_.capacity() > (1u << 20)) std::string().swap(buffer_);
  return st;
}

}  // namespace tai
