#include "tai/log/log.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exception>
#include <iterator>

#include "log/pipeline_impl.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

thread_local uint32_t t_thread_id = 0;

uint32_t CurrentThreadId() {
  if (t_thread_id == 0) [[unlikely]] {
    // A forked child's thread has a new id: forget the cached one there.
    static const bool registered = [] {
      return pthread_atfork(nullptr, nullptr, [] { t_thread_id = 0; }) == 0;
    }();
    (void)registered;
    t_thread_id = static_cast<uint32_t>(::syscall(SYS_gettid));
  }
  return t_thread_id;
}

constexpr std::string_view kTruncated = "...[truncated]";

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
void Truncate(std::string& s, size_t max) {
  size_t cut = max > kTruncated.size() ? max - kTruncated.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  s += kTruncated;
}

}  // namespace

bool LogSite::Admit(int64_t now_nanos, uint32_t limit, uint64_t* suppressed) {
  if (limit == 0) return true;
  const auto second = static_cast<uint64_t>(now_nanos / 1'000'000'000) & 0xFFFFFFFF;
  uint64_t cur = window_.load(std::memory_order_relaxed);
  bool new_window;
  for (;;) {
    new_window = (cur >> 32) != second;
    uint64_t next;
    if (new_window) {
      next = (second << 32) | 1;
    } else if ((cur & 0xFFFFFFFF) < limit) {
      next = cur + 1;
    } else {
      suppressed_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (window_.compare_exchange_weak(cur, next, std::memory_order_relaxed)) break;
  }
  if (new_window && suppressed_.load(std::memory_order_relaxed) != 0) {
    *suppressed = suppressed_.exchange(0, std::memory_order_relaxed);
  }
  return true;
}

Logger::Logger(LogPipeline* pipeline, std::string_view name, LogLevel global)
    : pipeline_(pipeline),
      name_(InternLoggerName(name)),
      min_level_(static_cast<uint8_t>(global)) {}

void Logger::UpdateEffective(LogLevel global) {
  // Called with the pipeline's loggers_mu held.
  uint8_t own = own_level_.load(std::memory_order_relaxed);
  uint8_t level = own != 0 ? own : static_cast<uint8_t>(global);
  if (pipeline_->impl_->stopped) level = static_cast<uint8_t>(LogLevel::kOff);
  min_level_.store(level, std::memory_order_relaxed);
}

void Logger::SetLevel(LogLevel level) {
  auto& impl = *pipeline_->impl_;
  std::lock_guard<std::mutex> lock(impl.loggers_mu);
  own_level_.store(static_cast<uint8_t>(level), std::memory_order_relaxed);
  UpdateEffective(impl.global_level);
}

void Logger::ClearLevel() {
  auto& impl = *pipeline_->impl_;
  std::lock_guard<std::mutex> lock(impl.loggers_mu);
  own_level_.store(0, std::memory_order_relaxed);
  UpdateEffective(impl.global_level);
}

std::optional<LogLevel> Logger::own_level() const {
  uint8_t own = own_level_.load(std::memory_order_relaxed);
  if (own == 0) return std::nullopt;
  return static_cast<LogLevel>(own);
}

void Logger::Emit(LogSite& site, const SpanContext* context, LogFields fields,
                  fmt::string_view format, fmt::format_args args) {
  const int64_t now = WallNanos();
  uint64_t suppressed = 0;
  LogPipeline::Impl& p = *pipeline_->impl_;
  const uint32_t limit = site.max_per_second() ? site.max_per_second() : p.rate_limit_per_site;
  if (limit != 0 && !site.Admit(now, limit, &suppressed)) {
    p.suppressed_rate_limit.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const std::source_location& loc = site.location();
  Write(site.level(), {loc.file_name(), loc.line(), loc.function_name(), context}, suppressed, now,
        fields, format, &args);
}

void Logger::LogMessage(LogLevel level, std::string_view message, LogFields fields,
                        const LogOrigin& origin) {
  if (!Enabled(level)) return;
  Write(level, origin, 0, WallNanos(), fields, fmt::string_view(message.data(), message.size()),
        nullptr);
}

void Logger::Write(LogLevel level, const LogOrigin& origin, uint64_t suppressed, int64_t now,
                   LogFields fields, fmt::string_view format, const fmt::format_args* args) {
  LogPipeline::Impl& p = *pipeline_->impl_;
  uint64_t pos;
  LogPipeline::Impl::Slot* slot = p.Claim(&pos);
  if (slot == nullptr) {
    p.dropped_queue_full.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // From here the slot must be published whatever happens.
  LogRecord& r = slot->record;
  r.time_unix_nanos = now;
  r.level = level;
  r.file = origin.file;
  r.line = origin.line;
  r.function = origin.function;
  r.logger_name = name_;
  r.thread_id = CurrentThreadId();
  r.suppressed = suppressed;
  const SpanContext& span = origin.context ? *origin.context : CurrentSpanContext();
  r.trace_id = span.trace_id;
  r.span_id = span.span_id;
  r.trace_flags = span.trace_flags;
  r.message.clear();
  r.ClearFields();
  try {
    if (args) {
      // Through a stack buffer: fmt's appender on a std::string resizes the
      // string for every piece it appends.
      fmt::memory_buffer buffer;
      fmt::vformat_to(fmt::appender(buffer), format, *args);
      r.message.assign(buffer.data(), buffer.size());
    } else {
      r.message.append(format.data(), format.size());
    }
    if (r.message.size() > p.max_message_bytes) Truncate(r.message, p.max_message_bytes);
    r.AddFields(fields);
  } catch (const std::exception& e) {
    r.ClearFields();
    r.message.assign("[log format error: ").append(e.what()).append("] ");
    r.message.append(format.data(), format.size());
  } catch (...) {
    r.ClearFields();
    r.message.assign("[log format error] ").append(format.data(), format.size());
  }
  p.Publish(slot, pos);
}

void Logger::FlushAndAbort() {
  (void)pipeline_->Flush(pipeline_->options().fatal_flush_timeout);
  std::abort();
}

}  // namespace tai
