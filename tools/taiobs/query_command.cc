// `taiobs query metrics|traces|logs --store PATH ...`: what a service's store
// holds, read-only (the service may keep writing it), as an aligned table
// for a terminal or as the dashboard API's JSON (--format json).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/text.h"
#include "dashboard/api_json.h"
#include "tai/core/clock.h"
#include "tai/core/parse.h"
#include "tai/log/log_level.h"
#include "tools/taiobs/commands.h"
#include "tools/taiobs/flags.h"
#include "tools/taiobs/table.h"

namespace taiobs {
namespace {

using nlohmann::json;

constexpr int64_t kSecondNanos = 1'000'000'000;
// A range query without --step gets about this many points per series: a
// screenful.
constexpr int64_t kDefaultPoints = 60;
constexpr int64_t kMaxPoints = 11'000;

// What every query prints, in the chosen format.
struct Output {
  OutputFormat format = OutputFormat::kTable;
  json value;                               // --format json
  Table table{std::vector<std::string>{}};  // --format table
  std::string nothing;                      // said on stderr when the table has no rows
};

// "2026-01-25T10:30:00.123Z": milliseconds matter when spans are read.
std::string Time(int64_t nanos) {
  const std::string full = tai::FormatRfc3339(nanos);  // nine decimals
  return full.substr(0, full.size() - 7) + "Z";
}

// "0.250ms", "12.3ms", "1.50s".
std::string Duration(int64_t nanos) {
  char buf[32];
  const double ms = static_cast<double>(nanos) / 1e6;
  if (ms >= 1000) {
    std::snprintf(buf, sizeof buf, "%.2fs", ms / 1000);
  } else if (ms >= 10) {
    std::snprintf(buf, sizeof buf, "%.1fms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.3fms", ms);
  }
  return buf;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string_view StatusName(tai::SpanStatusCode code) {
  switch (code) {
    case tai::SpanStatusCode::kError:
      return "ERROR";
    case tai::SpanStatusCode::kOk:
      return "OK";
    case tai::SpanStatusCode::kUnset:
      break;
  }
  return "-";
}

tai::Result<size_t> LimitFlag(const Flags& flags) {
  const std::optional<std::string> text = flags.Get("--limit");
  if (!text) return size_t{100};
  auto n = tai::ParsePositiveCount(*text);
  if (!n.ok()) return tai::InvalidArgumentError("--limit " + n.status().message());
  return *n;
}

// --- metrics ---

tai::Status MetricNames(const tai::Store& store, Output& out) {
  TAI_ASSIGN_OR_RETURN(std::vector<tai::MetricSummary> metrics, store.MetricSummaries());
  out.table = Table({"METRIC", "KIND", "UNIT"});
  out.value = {{"metrics", json::array()}};
  for (const tai::MetricSummary& m : metrics) {
    const std::string kind = tai::internal::AsciiLower(tai::MetricTypeName(m.kind));
    out.table.AddRow({m.name, kind, m.unit});
    out.value["metrics"].push_back({{"name", m.name}, {"kind", kind}, {"unit", m.unit}});
  }
  out.nothing = "the store holds no metrics";
  return tai::Status::Ok();
}

tai::Result<tai::MetricRangeQuery> RangeQuery(const Flags& flags,
                                              std::pair<int64_t, int64_t> range) {
  tai::MetricRangeQuery query;
  query.metric = *flags.Get("--metric");
  for (const std::string& text : flags.All("--match")) {
    auto m = tai::ParseLabelMatcher(text);
    if (!m.ok()) return tai::InvalidArgumentError("--match " + m.status().message());
    query.matchers.push_back(std::move(*m));
  }
  std::tie(query.start_nanos, query.end_nanos) = range;
  const int64_t span = query.end_nanos - query.start_nanos;
  query.step_nanos = std::max(kSecondNanos, (span + kDefaultPoints - 1) / kDefaultPoints);
  if (auto step = flags.Get("--step")) {
    auto d = tai::ParseDurationNanos(*step);
    if (!d.ok()) return tai::InvalidArgumentError("--step " + d.status().message());
    if (*d <= 0) return tai::InvalidArgumentError("--step must be longer than 0");
    query.step_nanos = *d;
  }
  if ((span + query.step_nanos - 1) / query.step_nanos > kMaxPoints) {
    return tai::InvalidArgumentError("--step gives more than " + std::to_string(kMaxPoints) +
                                     " points per series (use a longer step or a shorter range)");
  }
  const std::string fn = flags.Get("--fn").value_or("last");
  auto function = tai::internal::ValueNamed(tai::internal::kStepFunctionNames, fn);
  if (!function) {
    return tai::InvalidArgumentError("--fn '" + fn +
                                     "' is not one of last, avg, min, max, sum, count, increase, "
                                     "rate, quantile, count_at_or_below");
  }
  query.function = *function;
  if (auto q = flags.Get("--q")) {
    char* end = nullptr;
    query.quantile = std::strtod(q->c_str(), &end);
    if (q->empty() || *end != '\0' || !(query.quantile >= 0 && query.quantile <= 1)) {
      return tai::InvalidArgumentError("--q '" + *q + "' is not a quantile in [0, 1]");
    }
  }
  return query;
}

tai::Status MetricRange(const tai::Store& store, const Flags& flags,
                        std::pair<int64_t, int64_t> range, Output& out) {
  TAI_ASSIGN_OR_RETURN(tai::MetricRangeQuery query, RangeQuery(flags, range));
  TAI_ASSIGN_OR_RETURN(tai::MetricRangeResult result, store.QueryRange(query));
  out.value = tai::internal::MetricRangeJson(query, result);
  out.table = Table({"TIME", "VALUE", "SERIES"});
  for (const tai::MetricSeries& s : result.series) {
    const std::string labels = s.labels.ToString();
    for (const tai::SeriesPoint& p : s.points) {
      if (std::isnan(p.value)) continue;  // a step without data
      out.table.AddRow({Time(p.time_nanos), Number(p.value), labels});
    }
  }
  out.nothing = "no points of '" + query.metric + "' in the range";
  return tai::Status::Ok();
}

tai::Status Metrics(const tai::Store& store, const Flags& flags, int64_t now, Output& out) {
  TAI_ASSIGN_OR_RETURN(auto range, TimeRangeFlags(flags, now, "1h"));
  if (!flags.Has("--metric")) return MetricNames(store, out);
  return MetricRange(store, flags, range, out);
}

// --- traces ---

// One trace's spans as a tree: children under their parent, by start time.
void TraceTree(const std::vector<tai::StoredSpan>& spans, Table& table) {
  std::map<std::string, std::vector<const tai::StoredSpan*>> children;  // parent id -> spans
  std::map<std::string, bool> present;
  for (const tai::StoredSpan& s : spans) present[s.span.context.span_id.ToHex()] = true;
  std::vector<const tai::StoredSpan*> roots;
  for (const tai::StoredSpan& s : spans) {
    const std::string parent =
        s.span.parent_span_id.valid() ? s.span.parent_span_id.ToHex() : std::string();
    if (parent.empty() || !present.contains(parent)) {
      roots.push_back(&s);
    } else {
      children[parent].push_back(&s);
    }
  }
  const int64_t start = spans.empty() ? 0 : spans.front().span.start_unix_nanos;
  // Iterative depth-first walk: a deep trace must not exhaust the stack.
  std::vector<std::pair<const tai::StoredSpan*, size_t>> stack;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(*it, 0);
  while (!stack.empty()) {
    auto [s, depth] = stack.back();
    stack.pop_back();
    table.AddRow({"+" + Duration(s->span.start_unix_nanos - start),
                  Duration(s->span.duration_nanos()), std::string(StatusName(s->span.status)),
                  s->service, std::string(2 * depth, ' ') + s->span.name});
    const auto& kids = children[s->span.context.span_id.ToHex()];
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
}

tai::Status OneTrace(const tai::Store& store, const std::string& text, Output& out) {
  std::optional<tai::TraceId> id = tai::TraceId::FromHex(text);
  if (!id || !id->valid()) {
    return tai::InvalidArgumentError("--trace '" + text +
                                     "' is not a trace id (32 hex digits, not all zero)");
  }
  TAI_ASSIGN_OR_RETURN(std::vector<tai::StoredSpan> spans, store.GetTrace(*id));
  tai::LogQuery logs_query;
  logs_query.trace_id = *id;
  logs_query.limit = 1000;
  TAI_ASSIGN_OR_RETURN(std::vector<tai::StoredLog> logs, store.SearchLogs(logs_query));
  std::reverse(logs.begin(), logs.end());  // time order, as the trace reads
  out.value = {{"trace_id", id->ToHex()}, {"spans", json::array()}, {"logs", json::array()}};
  for (const tai::StoredSpan& s : spans) out.value["spans"].push_back(tai::internal::SpanJson(s));
  for (const tai::StoredLog& l : logs) out.value["logs"].push_back(tai::internal::LogJson(l));
  out.table = Table({"OFFSET", "DURATION", "STATUS", "SERVICE", "SPAN"});
  TraceTree(spans, out.table);
  return tai::Status::Ok();
}

tai::Status Traces(const tai::Store& store, const Flags& flags, int64_t now, Output& out) {
  if (auto trace = flags.Get("--trace")) return OneTrace(store, *trace, out);
  tai::TraceQuery query;
  TAI_ASSIGN_OR_RETURN(auto range, TimeRangeFlags(flags, now, "1h"));
  std::tie(query.start_nanos, query.end_nanos) = range;
  query.service = flags.Get("--service").value_or("");
  query.name = flags.Get("--name").value_or("");
  if (auto d = flags.Get("--min-duration")) {
    auto nanos = tai::ParseDurationNanos(*d);
    if (!nanos.ok()) return tai::InvalidArgumentError("--min-duration " + nanos.status().message());
    query.min_duration_nanos = *nanos;
  }
  query.errors_only = flags.Has("--errors");
  TAI_ASSIGN_OR_RETURN(query.limit, LimitFlag(flags));
  TAI_ASSIGN_OR_RETURN(std::vector<tai::StoredSpan> spans, store.SearchSpans(query));
  out.value = {{"spans", json::array()}, {"limit", query.limit}};
  out.table = Table({"START", "DURATION", "STATUS", "SERVICE", "SPAN", "TRACE"});
  for (const tai::StoredSpan& s : spans) {
    out.value["spans"].push_back(tai::internal::SpanJson(s));
    out.table.AddRow({Time(s.span.start_unix_nanos), Duration(s.span.duration_nanos()),
                      std::string(StatusName(s.span.status)), s.service, s.span.name,
                      s.span.context.trace_id.ToHex()});
  }
  out.nothing = "no spans match in the range";
  return tai::Status::Ok();
}

// --- logs ---

tai::Status Logs(const tai::Store& store, const Flags& flags, int64_t now, Output& out) {
  tai::LogQuery query;
  TAI_ASSIGN_OR_RETURN(auto range, TimeRangeFlags(flags, now, "1h"));
  std::tie(query.start_nanos, query.end_nanos) = range;
  if (auto level = flags.Get("--level")) {
    auto parsed = tai::ParseLogLevel(*level);
    if (!parsed.ok()) return tai::InvalidArgumentError("--level " + parsed.status().message());
    query.min_level = *parsed;
  }
  query.logger = flags.Get("--logger").value_or("");
  query.text = flags.Get("--text").value_or("");
  if (auto trace = flags.Get("--trace")) {
    std::optional<tai::TraceId> id = tai::TraceId::FromHex(*trace);
    if (!id) return tai::InvalidArgumentError("--trace '" + *trace + "' is not 32 hex digits");
    query.trace_id = *id;
  }
  TAI_ASSIGN_OR_RETURN(query.limit, LimitFlag(flags));
  TAI_ASSIGN_OR_RETURN(std::vector<tai::StoredLog> logs, store.SearchLogs(query));
  out.value = {{"logs", json::array()}, {"limit", query.limit}};
  out.table = Table({"TIME", "LEVEL", "SERVICE", "TRACE", "MESSAGE"});
  for (const tai::StoredLog& l : logs) {
    out.value["logs"].push_back(tai::internal::LogJson(l));
    out.table.AddRow({Time(l.time_nanos), std::string(tai::LogLevelName(l.level)), l.service,
                      l.trace_id.valid() ? l.trace_id.ToHex() : "-", l.message});
  }
  out.nothing = "no logs match in the range";
  return tai::Status::Ok();
}

// --- the command ---

void Print(const Output& out) {
  if (out.format == OutputFormat::kJson) {
    const std::string text = out.value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  out.table.Print(stdout);
  if (out.table.rows() == 0 && !out.nothing.empty()) {
    std::fflush(stdout);  // the header first, when both go to one place
    std::fprintf(stderr, "taiobs query: %s\n", out.nothing.c_str());
  }
}

tai::Status Query(std::string_view what, const Flags& flags) {
  if (flags.positional().size() > 1) {
    return tai::InvalidArgumentError("unexpected argument '" + flags.positional()[1] + "'");
  }
  Output out;
  TAI_ASSIGN_OR_RETURN(out.format, FormatFlag(flags));
  TAI_ASSIGN_OR_RETURN(std::unique_ptr<tai::Store> store, OpenStoreFlag(flags));
  // A query over a long range of a big store takes a while: say so on a
  // terminal, and leave the line clean afterwards.
  const bool terminal = isatty(STDERR_FILENO) == 1;
  if (terminal) std::fprintf(stderr, "querying %s ...", store->path().c_str());
  const int64_t now = tai::WallNanos();
  tai::Status status = what == "metrics"  ? Metrics(*store, flags, now, out)
                       : what == "traces" ? Traces(*store, flags, now, out)
                                          : Logs(*store, flags, now, out);
  if (terminal) std::fprintf(stderr, "\r\033[K");
  TAI_RETURN_IF_ERROR(status);
  Print(out);
  return tai::Status::Ok();
}

}  // namespace

int QueryCommand(int argc, char** argv) {
  const std::string_view what = argc >= 2 ? std::string_view(argv[1]) : "";
  tai::Result<Flags> flags = tai::InvalidArgumentError(
      what.empty() ? "say what to query: metrics, traces or logs"
                   : "'" + std::string(what) + "' is not metrics, traces or logs");
  if (what == "metrics") {
    flags = Flags::Parse(argc, argv, 1,
                         {{"--store"},
                          {"--format"},
                          {"--since"},
                          {"--until"},
                          {"--metric"},
                          {"--match"},
                          {"--fn"},
                          {"--q"},
                          {"--step"}});
  } else if (what == "traces") {
    flags = Flags::Parse(argc, argv, 1,
                         {{"--store"},
                          {"--format"},
                          {"--since"},
                          {"--until"},
                          {"--service"},
                          {"--name"},
                          {"--min-duration"},
                          {"--errors", false},
                          {"--trace"},
                          {"--limit"}});
  } else if (what == "logs") {
    flags = Flags::Parse(argc, argv, 1,
                         {{"--store"},
                          {"--format"},
                          {"--since"},
                          {"--until"},
                          {"--level"},
                          {"--logger"},
                          {"--text"},
                          {"--trace"},
                          {"--limit"}});
  }
  if (!flags.ok()) return ReportError("query", flags.status());
  tai::Status status = Query(what, *flags);
  if (!status.ok()) return ReportError("query", status);
  return 0;
}

}  // namespace taiobs
