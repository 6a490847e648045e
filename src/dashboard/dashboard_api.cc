#include "tai/dashboard/dashboard_api.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "core/enum_names.h"
#include "dashboard/api_json.h"
#include "dashboard/dashboard_assets.h"
#include "dashboard/dashboard_security.h"
#include "dashboard/query_params.h"
#include "dashboard/speedscope.h"
#include "tai/alert/alert_engine.h"
#include "tai/analysis/flame_graph.h"
#include "tai/core/clock.h"
#include "tai/core/parse.h"
#include "tai/log/log_level.h"
#include "tai/profile/profile_sink.h"
#include "tai/store/deploy_record.h"
#include "tai/store/store.h"

namespace tai {
namespace {

using internal::DumpJsonForWeb;
using internal::kAcrossNames;
using internal::kStepFunctionNames;
using nlohmann::json;

constexpr int64_t kSecondNanos = 1'000'000'000;
constexpr int64_t kHourNanos = 3600 * kSecondNanos;
// A range query without `step` gets about this many points per series.
constexpr int64_t kDefaultPointsPerSeries = 240;
constexpr size_t kHotFunctions = 20;
constexpr size_t kMaxFlameDepth = 1024;

// "parameter 'start': ..." is how every parameter error begins; the JSON
// error repeats the name in its own field for code.
constexpr std::string_view kParameterPrefix = "parameter '";

Status ParamError(std::string_view name, std::string_view message) {
  return InvalidArgumentError(std::string(kParameterPrefix) + std::string(name) +
                              "': " + std::string(message));
}

// The query parameters of one request, checked against the names the
// endpoint takes (a misspelt one is an error, not silently ignored).
class Params {
 public:
  Params(const HttpRequest& request, int64_t now) : now_(now) {
    values_ = internal::ParseQueryString(request.query);
  }

  Status Allow(std::initializer_list<std::string_view> names) const {
    for (const auto& [key, value] : values_) {
      if (key == "token") continue;  // the access token (dashboard_security)
      if (std::find(names.begin(), names.end(), key) == names.end()) {
        std::string known;
        for (std::string_view n : names) known += (known.empty() ? "" : ", ") + std::string(n);
        return ParamError(key, "is not a parameter of this endpoint (it takes: " +
                                   (known.empty() ? std::string("none") : known) + ")");
      }
    }
    return Status::Ok();
  }

  std::optional<std::string> Get(std::string_view name) const {
    for (const auto& [key, value] : values_) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
  std::string GetOr(std::string_view name, std::string fallback = "") const {
    return Get(name).value_or(std::move(fallback));
  }
  std::vector<std::string> All(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [key, value] : values_) {
      if (key == name) out.push_back(value);
    }
    return out;
  }

  Result<std::string> Required(std::string_view name) const {
    auto v = Get(name);
    if (!v || v->empty()) return ParamError(name, "is required");
    return *v;
  }

  Result<int64_t> Time(std::string_view name, int64_t fallback) const {
    auto v = Get(name);
    if (!v) return fallback;
    auto t = ParseTime(*v, now_);
    if (!t.ok()) return ParamError(name, t.status().message());
    return *t;
  }

  Result<int64_t> Duration(std::string_view name, int64_t fallback) const {
    auto v = Get(name);
    if (!v) return fallback;
    auto d = ParseDurationNanos(*v);
    if (!d.ok()) return ParamError(name, d.status().message());
    return *d;
  }

  Result<double> Number(std::string_view name, double fallback) const {
    auto v = Get(name);
    if (!v) return fallback;
    double out = 0;
    auto r = std::from_chars(v->data(), v->data() + v->size(), out);
    if (v->empty() || r.ec != std::errc() || r.ptr != v->data() + v->size() ||
        !std::isfinite(out)) {
      return ParamError(name, "'" + *v + "' is not a number");
    }
    return out;
  }

  Result<bool> Bool(std::string_view name, bool fallback) const {
    auto v = Get(name);
    if (!v) return fallback;
    auto b = ParseBool(*v);
    if (!b.ok()) return ParamError(name, "'" + *v + "' is not true or false");
    return *b;
  }

  // `limit`: at least 1; more than `max` is capped to it.
  Result<size_t> Limit(size_t fallback, size_t max) const {
    auto v = Get("limit");
    if (!v) return std::min(fallback, max);
    auto n = ParsePositiveCount(*v);
    if (!n.ok()) return ParamError("limit", "'" + *v + "' is not a whole number of at least 1");
    return std::min(*n, max);
  }

  // [start, end) with end after start.
  Result<std::pair<int64_t, int64_t>> Range(int64_t default_start, int64_t default_end) const {
    TAI_ASSIGN_OR_RETURN(int64_t start, Time("start", default_start));
    TAI_ASSIGN_OR_RETURN(int64_t end, Time("end", default_end));
    if (end <= start) return ParamError("end", "must be after start");
    return std::make_pair(start, end);
  }

  Result<std::vector<LabelMatcher>> Matchers() const {
    std::vector<LabelMatcher> out;
    for (const std::string& text : All("match[]")) {
      auto m = ParseLabelMatcher(text);
      if (!m.ok()) return ParamError("match[]", m.status().message());
      out.push_back(std::move(*m));
    }
    return out;
  }

  int64_t now() const { return now_; }

 private:
  int64_t now_;
  std::vector<std::pair<std::string, std::string>> values_;
};

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kResourceExhausted:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return 422;  // a well-formed query the store refuses (too large, ...)
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

void WriteJson(const json& body, int status, HttpResponse& response) {
  response.status = status;
  response.content_type = "application/json";
  response.body = DumpJsonForWeb(body);
  response.body += '\n';
  // Data changes from one request to the next.
  response.SetHeader("Cache-Control", "no-store");
}

// `http_status` 0: the one HttpStatusFor gives.
void WriteError(const Status& status, HttpResponse& response, int http_status = 0) {
  json body = {{"error", status.message()}, {"code", StatusCodeName(status.code())}};
  const std::string& message = status.message();
  if (message.starts_with(kParameterPrefix)) {
    const size_t end = message.find('\'', kParameterPrefix.size());
    if (end != std::string::npos) {
      body["parameter"] = message.substr(kParameterPrefix.size(), end - kParameterPrefix.size());
    }
  }
  WriteJson(body, http_status != 0 ? http_status : HttpStatusFor(status), response);
}

// 405 for a method the route does not take, with an Allow header.
HttpHandler MethodNotAllowed(std::string allow) {
  return [allow = std::move(allow)](const HttpRequest& req, HttpResponse& res) {
    WriteJson({{"error", req.method + " " + req.path + ": this endpoint takes " + allow + " only"},
               {"code", "METHOD_NOT_ALLOWED"}},
              405, res);
    res.SetHeader("Allow", allow);
  };
}

// The options and what every handler reads; shared by the handlers.
struct Api {
  DashboardApiOptions options;
  const Store& store() const { return *options.store; }
  Store& writable_store() const { return *options.store; }  // the write endpoints only
  int64_t now() const { return options.clock ? options.clock() : WallNanos(); }
};

using JsonHandler = std::function<Result<json>(const Api&, const HttpRequest&, const Params&)>;
// For answers that are not JSON (SVG, text): writes the response itself.
using RawHandler =
    std::function<Status(const Api&, const HttpRequest&, const Params&, HttpResponse&)>;

void ServeJson(HttpServer& server, const std::shared_ptr<const Api>& api, std::string route,
               JsonHandler handler) {
  server.Handle("POST", route, MethodNotAllowed("GET"));
  server.Handle("GET", std::move(route),
                [api, handler = std::move(handler)](const HttpRequest& req, HttpResponse& res) {
                  Params params(req, api->now());
                  Result<json> body = handler(*api, req, params);
                  if (!body.ok()) return WriteError(body.status(), res);
                  WriteJson(*body, 200, res);
                });
}

void ServeRaw(HttpServer& server, const std::shared_ptr<const Api>& api, std::string route,
              RawHandler handler) {
  server.Handle("POST", route, MethodNotAllowed("GET"));
  server.Handle("GET", std::move(route),
                [api, handler = std::move(handler)](const HttpRequest& req, HttpResponse& res) {
                  Params params(req, api->now());
                  Status st = handler(*api, req, params, res);
                  if (!st.ok()) {
                    res = HttpResponse();
                    WriteError(st, res);
                  }
                });
}

Result<int64_t> RowIdParam(const HttpRequest& req, std::string_view name) {
  const std::string& text = req.path_params.at(std::string(name));
  int64_t id = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || id <= 0) {
    return ParamError(name, "'" + std::string(internal::Utf8Prefix(text, 64)) +
                                "' is not a profile row id (a whole number from /api/profiles)");
  }
  return id;
}

Result<std::string> KindParam(const Params& params, bool required) {
  std::optional<std::string> kind = params.Get("kind");
  if (!kind || kind->empty()) {
    if (required) return ParamError("kind", "is required (CPU, WALL, HEAP or THREADS)");
    return std::string();
  }
  auto parsed = ParseProfileKind(*kind);
  if (!parsed.ok()) return ParamError("kind", parsed.status().message());
  return std::string(ProfileKindName(*parsed));
}

// --- metrics ---

Result<json> MetricNames(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  TAI_ASSIGN_OR_RETURN(std::vector<std::string> names, api.store().MetricNames());
  return json{{"metrics", names}};
}

Result<json> MetricLatest(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({"metric", "match[]"}));
  TAI_ASSIGN_OR_RETURN(std::string metric, params.Required("metric"));
  TAI_ASSIGN_OR_RETURN(std::vector<LabelMatcher> matchers, params.Matchers());
  TAI_ASSIGN_OR_RETURN(std::vector<LatestPoint> points, api.store().Latest(metric, matchers));
  json series = json::array();
  for (const LatestPoint& p : points) {
    json one = {{"labels", internal::LabelsJson(p.labels)},
                {"time", internal::TimeJson(p.time_nanos)},
                {"time_unix_nanos", p.time_nanos},
                {"value", p.value}};
    if (p.histogram) one["count"] = p.histogram->count();
    series.push_back(std::move(one));
  }
  return json{{"metric", metric}, {"series", std::move(series)}};
}

Result<json> MetricRange(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(
      params.Allow({"metric", "match[]", "start", "end", "step", "fn", "q", "bound", "across"}));
  MetricRangeQuery query;
  TAI_ASSIGN_OR_RETURN(query.metric, params.Required("metric"));
  TAI_ASSIGN_OR_RETURN(query.matchers, params.Matchers());
  TAI_ASSIGN_OR_RETURN(auto range, params.Range(params.now() - kHourNanos, params.now()));
  std::tie(query.start_nanos, query.end_nanos) = range;
  const int64_t span = query.end_nanos - query.start_nanos;
  const int64_t default_step =
      std::max(kSecondNanos, (span + kDefaultPointsPerSeries - 1) / kDefaultPointsPerSeries);
  TAI_ASSIGN_OR_RETURN(query.step_nanos, params.Duration("step", default_step));
  if (query.step_nanos <= 0) return ParamError("step", "must be longer than 0");
  const int64_t points = (span + query.step_nanos - 1) / query.step_nanos;
  if (static_cast<uint64_t>(points) > api.options.max_points_per_series) {
    return ParamError("step", "gives " + std::to_string(points) + " points per series; at most " +
                                  std::to_string(api.options.max_points_per_series) +
                                  " (use a longer step or a shorter range)");
  }
  const std::string fn = params.GetOr("fn", "last");
  auto function = internal::ValueNamed(kStepFunctionNames, fn);
  if (!function) {
    return ParamError("fn", "'" + fn +
                                "' is not one of last, avg, min, max, sum, count, increase, "
                                "rate, quantile, count_at_or_below");
  }
  query.function = *function;
  TAI_ASSIGN_OR_RETURN(query.quantile, params.Number("q", 0.99));
  if (query.quantile < 0 || query.quantile > 1) return ParamError("q", "must be in [0, 1]");
  TAI_ASSIGN_OR_RETURN(query.bound, params.Number("bound", 0));
  const std::string across = params.GetOr("across", "none");
  auto aggregation = internal::ValueNamed(kAcrossNames, across);
  if (!aggregation) {
    return ParamError("across", "'" + across + "' is not one of none, sum, avg, min, max");
  }
  query.across = *aggregation;

  TAI_ASSIGN_OR_RETURN(MetricRangeResult result, api.store().QueryRange(query));
  return internal::MetricRangeJson(query, result);
}

Result<json> MetricStats(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({"metric", "match[]", "start", "end"}));
  TAI_ASSIGN_OR_RETURN(std::string metric, params.Required("metric"));
  TAI_ASSIGN_OR_RETURN(std::vector<LabelMatcher> matchers, params.Matchers());
  TAI_ASSIGN_OR_RETURN(auto range, params.Range(params.now() - kHourNanos, params.now()));
  TAI_ASSIGN_OR_RETURN(WindowStatistics s,
                       api.store().Statistics(metric, matchers, range.first, range.second));
  return json{{"metric", metric},
              {"start", internal::TimeJson(range.first)},
              {"end", internal::TimeJson(range.second)},
              {"count", s.count},
              {"mean", s.mean},
              {"min", s.min},
              {"max", s.max},
              {"p50", s.p50},
              {"p90", s.p90},
              {"p95", s.p95},
              {"p99", s.p99},
              {"p999", s.p999},
              {"relative_error", s.relative_error},
              {"tier", internal::StoreTierName(s.tier)}};
}

// --- traces and logs ---

Result<json> Traces(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({"service", "name", "min_duration", "max_duration", "error",
                                    "attr", "start", "end", "limit"}));
  TraceQuery query;
  query.service = params.GetOr("service");
  query.name = params.GetOr("name");
  TAI_ASSIGN_OR_RETURN(query.min_duration_nanos, params.Duration("min_duration", 0));
  TAI_ASSIGN_OR_RETURN(query.max_duration_nanos, params.Duration("max_duration", INT64_MAX));
  if (query.max_duration_nanos < query.min_duration_nanos) {
    return ParamError("max_duration", "is shorter than min_duration");
  }
  TAI_ASSIGN_OR_RETURN(query.errors_only, params.Bool("error", false));
  if (auto attr = params.Get("attr")) {
    const size_t eq = attr->find('=');
    if (eq == std::string::npos || eq == 0) {
      return ParamError("attr", "'" + *attr + "' is not key=value");
    }
    query.attribute_key = attr->substr(0, eq);
    query.attribute_value = attr->substr(eq + 1);
  }
  TAI_ASSIGN_OR_RETURN(auto range, params.Range(0, INT64_MAX));
  std::tie(query.start_nanos, query.end_nanos) = range;
  TAI_ASSIGN_OR_RETURN(query.limit, params.Limit(api.options.default_rows, api.options.max_rows));
  TAI_ASSIGN_OR_RETURN(std::vector<StoredSpan> spans, api.store().SearchSpans(query));
  json out = json::array();
  for (const StoredSpan& s : spans) out.push_back(internal::SpanJson(s));
  return json{{"spans", std::move(out)}, {"limit", query.limit}};
}

Result<json> Trace(const Api& api, const HttpRequest& req, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  const std::string& text = req.path_params.at("id");
  std::optional<TraceId> id = TraceId::FromHex(text);
  if (!id || !id->valid()) {
    return ParamError("id", "'" + std::string(internal::Utf8Prefix(text, 64)) +
                                "' is not a trace id (32 hex digits, not all zero)");
  }
  TAI_ASSIGN_OR_RETURN(std::vector<StoredSpan> spans, api.store().GetTrace(*id));
  LogQuery log_query;
  log_query.trace_id = *id;
  log_query.limit = api.options.max_rows;
  TAI_ASSIGN_OR_RETURN(std::vector<StoredLog> logs, api.store().SearchLogs(log_query));
  // The waterfall reads them in time order.
  std::reverse(logs.begin(), logs.end());
  json span_json = json::array();
  for (const StoredSpan& s : spans) span_json.push_back(internal::SpanJson(s));
  json log_json = json::array();
  for (const StoredLog& l : logs) log_json.push_back(internal::LogJson(l));
  return json{
      {"trace_id", id->ToHex()}, {"spans", std::move(span_json)}, {"logs", std::move(log_json)}};
}

Result<json> Logs(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(
      params.Allow({"start", "end", "level", "logger", "text", "trace_id", "limit"}));
  LogQuery query;
  TAI_ASSIGN_OR_RETURN(auto range, params.Range(0, INT64_MAX));
  std::tie(query.start_nanos, query.end_nanos) = range;
  if (auto level = params.Get("level")) {
    auto parsed = ParseLogLevel(*level);
    if (!parsed.ok()) return ParamError("level", parsed.status().message());
    query.min_level = *parsed;
  }
  query.logger = params.GetOr("logger");
  query.text = params.GetOr("text");
  if (auto trace = params.Get("trace_id")) {
    std::optional<TraceId> id = TraceId::FromHex(*trace);
    if (!id) return ParamError("trace_id", "'" + *trace + "' is not 32 hex digits");
    query.trace_id = *id;
  }
  TAI_ASSIGN_OR_RETURN(query.limit, params.Limit(api.options.default_rows, api.options.max_rows));
  TAI_ASSIGN_OR_RETURN(std::vector<StoredLog> logs, api.store().SearchLogs(query));
  json out = json::array();
  for (const StoredLog& l : logs) out.push_back(internal::LogJson(l));
  return json{{"logs", std::move(out)}, {"limit", query.limit}};
}

// --- profiles ---

Result<ProfileQuery> ProfileRangeQuery(const Api& api, const Params& params, bool kind_required) {
  ProfileQuery query;
  TAI_ASSIGN_OR_RETURN(query.kind, KindParam(params, kind_required));
  query.service = params.GetOr("service");
  TAI_ASSIGN_OR_RETURN(auto range, params.Range(0, INT64_MAX));
  std::tie(query.start_nanos, query.end_nanos) = range;
  TAI_ASSIGN_OR_RETURN(query.limit, params.Limit(api.options.default_rows, api.options.max_rows));
  return query;
}

Result<json> Profiles(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({"kind", "service", "start", "end", "limit"}));
  TAI_ASSIGN_OR_RETURN(ProfileQuery query, ProfileRangeQuery(api, params, false));
  TAI_ASSIGN_OR_RETURN(std::vector<StoredProfileInfo> list, api.store().ListProfiles(query));
  json out = json::array();
  for (const StoredProfileInfo& p : list) out.push_back(internal::ProfileInfoJson(p));
  return json{{"profiles", std::move(out)}, {"limit", query.limit}};
}

Result<json> ProfileSummary(const Api& api, const HttpRequest& req, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  TAI_ASSIGN_OR_RETURN(int64_t id, RowIdParam(req, "id"));
  TAI_ASSIGN_OR_RETURN(Profile profile, api.store().GetProfile(id));
  json out = internal::ProfileSummaryJson(id, profile, kHotFunctions);
  const std::string base = "/api/profiles/" + std::to_string(id);
  out["links"] = {{"flamegraph_svg", base + "/flamegraph.svg"},
                  {"flamegraph_json", base + "/flamegraph.json"},
                  {"collapsed", base + "/collapsed"},
                  {"speedscope", base + "/speedscope.json"}};
  return out;
}

Result<json> ProfileTree(const Api& api, const HttpRequest& req, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  TAI_ASSIGN_OR_RETURN(int64_t id, RowIdParam(req, "id"));
  TAI_ASSIGN_OR_RETURN(Profile profile, api.store().GetProfile(id));
  return internal::FlameGraphTreeJson(profile, kMaxFlameDepth);
}

void WriteSvg(std::string svg, HttpResponse& res) {
  res.content_type = "image/svg+xml";
  res.body = std::move(svg);
}

Status ProfileSvg(const Api& api, const HttpRequest& req, const Params& params, HttpResponse& res) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  TAI_ASSIGN_OR_RETURN(int64_t id, RowIdParam(req, "id"));
  TAI_ASSIGN_OR_RETURN(Profile profile, api.store().GetProfile(id));
  WriteSvg(FlameGraphSvg(profile, {.title = "Profile " + std::to_string(id)}), res);
  return Status::Ok();
}

Status MergedProfileSvg(const Api& api, const HttpRequest&, const Params& params,
                        HttpResponse& res) {
  TAI_RETURN_IF_ERROR(params.Allow({"kind", "service", "start", "end", "limit"}));
  TAI_ASSIGN_OR_RETURN(ProfileQuery query, ProfileRangeQuery(api, params, true));
  TAI_ASSIGN_OR_RETURN(Profile merged, api.store().MergeProfiles(query));
  WriteSvg(FlameGraphSvg(merged, {.title = "Merged " + query.kind + " profile"}), res);
  return Status::Ok();
}

Result<json> MergedProfileTree(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({"kind", "service", "start", "end", "limit"}));
  TAI_ASSIGN_OR_RETURN(ProfileQuery query, ProfileRangeQuery(api, params, true));
  TAI_ASSIGN_OR_RETURN(Profile merged, api.store().MergeProfiles(query));
  return internal::FlameGraphTreeJson(merged, kMaxFlameDepth);
}

Result<json> DiffProfileTree(const Api& api, const HttpRequest& req, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  TAI_ASSIGN_OR_RETURN(int64_t id, RowIdParam(req, "id"));
  TAI_ASSIGN_OR_RETURN(int64_t baseline_id, RowIdParam(req, "baseline"));
  TAI_ASSIGN_OR_RETURN(Profile current, api.store().GetProfile(id));
  TAI_ASSIGN_OR_RETURN(Profile baseline, api.store().GetProfile(baseline_id));
  return internal::DifferentialFlameGraphTreeJson(baseline, current, kMaxFlameDepth);
}

Status DiffProfileSvg(const Api& api, const HttpRequest& req, const Params& params,
                      HttpResponse& res) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  TAI_ASSIGN_OR_RETURN(int64_t id, RowIdParam(req, "id"));
  TAI_ASSIGN_OR_RETURN(int64_t baseline_id, RowIdParam(req, "baseline"));
  TAI_ASSIGN_OR_RETURN(Profile current, api.store().GetProfile(id));
  TAI_ASSIGN_OR_RETURN(Profile baseline, api.store().GetProfile(baseline_id));
  WriteSvg(DifferentialFlameGraphSvg(baseline, current,
                                     {.title = "Profile " + std::to_string(id) + " against " +
                                               std::to_string(baseline_id)}),
           res);
  return Status::Ok();
}

Status ProfileCollapsed(const Api& api, const HttpRequest& req, const Params& params,
                        HttpResponse& res) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  TAI_ASSIGN_OR_RETURN(int64_t id, RowIdParam(req, "id"));
  TAI_ASSIGN_OR_RETURN(Profile profile, api.store().GetProfile(id));
  res.content_type = "text/plain; charset=utf-8";
  res.body = CollapsedStacks(profile);
  return Status::Ok();
}

Status ProfileSpeedscope(const Api& api, const HttpRequest& req, const Params& params,
                         HttpResponse& res) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  TAI_ASSIGN_OR_RETURN(int64_t id, RowIdParam(req, "id"));
  TAI_ASSIGN_OR_RETURN(Profile profile, api.store().GetProfile(id));
  const std::string name = "profile-" + std::to_string(id);
  res.content_type = "application/json";
  res.body = internal::SpeedscopeJson(profile, name);
  res.SetHeader("Content-Disposition", "attachment; filename=\"" + name + ".speedscope.json\"");
  return Status::Ok();
}

// --- alerts ---

Result<json> Alerts(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  json out = json::array();
  if (api.options.alerts != nullptr) {
    for (const Alert& a : api.options.alerts->Alerts()) out.push_back(internal::AlertJson(a));
  }
  return json{{"alerts", std::move(out)}, {"engine", api.options.alerts != nullptr}};
}

Result<json> AlertHistory(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({"start", "end", "rule", "state", "fingerprint", "limit"}));
  AlertEventQuery query;
  TAI_ASSIGN_OR_RETURN(auto range, params.Range(0, INT64_MAX));
  query.start_nanos = range.first;
  query.end_nanos = range.second == INT64_MAX ? 0 : range.second;
  query.rule_id = params.GetOr("rule");
  query.state = params.GetOr("state");
  if (!query.state.empty() && query.state != "pending" && query.state != "firing" &&
      query.state != "resolved" && query.state != "inactive" && query.state != "acknowledged") {
    return ParamError("state", "'" + query.state +
                                   "' is not one of pending, firing, resolved, inactive, "
                                   "acknowledged");
  }
  query.fingerprint = params.GetOr("fingerprint");
  TAI_ASSIGN_OR_RETURN(query.limit, params.Limit(api.options.default_rows, api.options.max_rows));
  TAI_ASSIGN_OR_RETURN(std::vector<AlertEventRecord> events, api.store().SearchAlertEvents(query));
  json out = json::array();
  for (const AlertEventRecord& e : events) out.push_back(internal::AlertEventJson(e));
  return json{{"events", std::move(out)}, {"limit", query.limit}};
}

Result<json> Notifications(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({"start", "end", "rule", "fingerprint", "notifier", "limit"}));
  NotificationQuery query;
  TAI_ASSIGN_OR_RETURN(auto range, params.Range(0, INT64_MAX));
  query.start_nanos = range.first;
  query.end_nanos = range.second == INT64_MAX ? 0 : range.second;
  query.rule_id = params.GetOr("rule");
  query.fingerprint = params.GetOr("fingerprint");
  query.notifier = params.GetOr("notifier");
  TAI_ASSIGN_OR_RETURN(query.limit, params.Limit(api.options.default_rows, api.options.max_rows));
  TAI_ASSIGN_OR_RETURN(std::vector<NotificationAttempt> attempts,
                       api.store().SearchNotifications(query));
  json out = json::array();
  for (const NotificationAttempt& a : attempts) out.push_back(internal::NotificationJson(a));
  return json{{"notifications", std::move(out)}, {"limit", query.limit}};
}

Result<json> Slos(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  json out = json::array();
  if (api.options.alerts != nullptr) {
    for (const SloStatus& s : api.options.alerts->SloStatuses()) {
      out.push_back(internal::SloStatusJson(s));
    }
  }
  return json{{"slos", std::move(out)}};
}

Result<json> Rules(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  json out = json::array();
  json stats = nullptr;
  if (api.options.alerts != nullptr) {
    for (const AlertingRule& r : api.options.alerts->Rules()) out.push_back(internal::RuleJson(r));
    const AlertEngineStats s = api.options.alerts->stats();
    stats = {{"evaluations", s.evaluations},
             {"evaluation_failures", s.evaluation_failures},
             {"rules", s.rules},
             {"alerts", s.alerts},
             {"alerts_dropped", s.alerts_dropped},
             {"last_error", s.last_error}};
  }
  return json{{"rules", std::move(out)}, {"engine", std::move(stats)}};
}

// The dashboard in effect: the application's, else the default one built
// from what the store holds now (so new metrics appear on the next load).
Result<json> Dashboard(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  if (api.options.dashboard) return internal::DashboardJson(*api.options.dashboard);
  TAI_ASSIGN_OR_RETURN(std::vector<MetricSummary> metrics, api.store().MetricSummaries());
  return internal::DashboardJson(DefaultDashboard(api.options.service_name, metrics));
}

Result<json> Info(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({}));
  return json{{"service", api.options.service_name},
              {"alerts", api.options.alerts != nullptr},
              {"now", internal::TimeJson(params.now())}};
}

// --- annotations: alert state changes and deploys, for the charts ---

// "HighErrorRate firing: error rate 12% > 5%", "... acknowledged: on it".
std::string AlertAnnotationText(const AlertEventRecord& e) {
  const std::string* name = e.labels.Find("alertname");
  std::string text = (name != nullptr ? *name : e.rule_id) + " " + e.state;
  auto comment = e.annotations.find("comment");
  auto summary = e.annotations.find("summary");
  if (e.state == "acknowledged" && comment != e.annotations.end()) {
    text += ": " + comment->second;
  } else if (summary != e.annotations.end() && !summary->second.empty()) {
    text += ": " + summary->second;
  }
  return text;
}

Result<json> Annotations(const Api& api, const HttpRequest&, const Params& params) {
  TAI_RETURN_IF_ERROR(params.Allow({"start", "end", "limit"}));
  TAI_ASSIGN_OR_RETURN(auto range, params.Range(0, INT64_MAX));
  TAI_ASSIGN_OR_RETURN(size_t limit, params.Limit(api.options.default_rows, api.options.max_rows));
  std::vector<std::pair<int64_t, json>> items;
  for (const char* state : {"firing", "resolved", "acknowledged"}) {
    TAI_ASSIGN_OR_RETURN(
        std::vector<AlertEventRecord> events,
        api.store().SearchAlertEvents({.start_nanos = range.first,
                                       .end_nanos = range.second == INT64_MAX ? 0 : range.second,
                                       .state = state,
                                       .limit = limit}));
    for (const AlertEventRecord& e : events) {
      const std::string* severity = e.labels.Find("severity");
      items.emplace_back(e.time_nanos, json{{"time_unix_nanos", e.time_nanos},
                                            {"time", internal::TimeJson(e.time_nanos)},
                                            {"kind", "alert"},
                                            {"state", e.state},
                                            {"severity", severity ? *severity : "warning"},
                                            {"rule_id", e.rule_id},
                                            {"fingerprint", e.fingerprint},
                                            {"text", AlertAnnotationText(e)}});
    }
  }
  TAI_ASSIGN_OR_RETURN(std::vector<DeployRecord> deploys,
                       SearchDeploys(api.store(), range.first, range.second, limit));
  for (const DeployRecord& d : deploys) {
    items.emplace_back(d.time_nanos, json{{"time_unix_nanos", d.time_nanos},
                                          {"time", internal::TimeJson(d.time_nanos)},
                                          {"kind", "deploy"},
                                          {"service", d.service},
                                          {"version", d.version},
                                          {"text", d.message}});
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  if (items.size() > limit) items.resize(limit);
  json out = json::array();
  for (auto& [time, item] : items) out.push_back(std::move(item));
  return json{{"annotations", std::move(out)}, {"limit", limit}};
}

// --- writes: acknowledge an alert, pin a baseline (docs/dashboard.md, "Writes") ---

// An acknowledgement's comment fits in a few KB; nothing here takes more.
constexpr size_t kMaxWriteBodyBytes = 4096;

using WriteHandler = std::function<Result<json>(const Api&, const HttpRequest&, const json& body)>;

// The body of a write: nothing, or a JSON object of the named fields only.
Result<json> WriteBody(const HttpRequest& req, const std::vector<std::string>& fields) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidArgumentError("body: not a JSON object (send one, or no body)");
  }
  for (const auto& [key, value] : body.items()) {
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
      std::string known;
      for (const std::string& f : fields) known += (known.empty() ? "" : ", ") + f;
      return InvalidArgumentError("body: field '" + key +
                                  "' is not one this endpoint takes (it takes: " + known + ")");
    }
  }
  return body;
}

// POST `route`: the write checks (CheckWriteRequest, the body's size), then
// `handler`; GET `route` is 405. A state the write does not apply to (a
// resolved alert) is 409.
void ServeWrite(HttpServer& server, const std::shared_ptr<const Api>& api, std::string route,
                std::vector<std::string> fields, WriteHandler handler) {
  server.Handle("GET", route, MethodNotAllowed("POST"));
  server.Handle("POST", std::move(route),
                [api, handler = std::move(handler), fields = std::move(fields)](
                    const HttpRequest& req, HttpResponse& res) {
                  Status allowed = internal::CheckWriteRequest(req, api->options.access_token);
                  if (!allowed.ok()) return WriteError(allowed, res);
                  if (req.body.size() > kMaxWriteBodyBytes) {
                    return WriteError(
                        ResourceExhaustedError("body: " + std::to_string(req.body.size()) +
                                               " bytes; a write takes at most " +
                                               std::to_string(kMaxWriteBodyBytes)),
                        res, 413);
                  }
                  Params params(req, api->now());
                  Result<json> answer = [&]() -> Result<json> {
                    TAI_RETURN_IF_ERROR(params.Allow({}));
                    TAI_ASSIGN_OR_RETURN(json body, WriteBody(req, fields));
                    return handler(*api, req, body);
                  }();
                  if (!answer.ok()) {
                    const bool conflict = answer.status().code() == StatusCode::kFailedPrecondition;
                    return WriteError(answer.status(), res, conflict ? 409 : 0);
                  }
                  WriteJson(*answer, 200, res);
                });
}

Result<json> AcknowledgeAlert(const Api& api, const HttpRequest& req, const json& body) {
  const std::string& fingerprint = req.path_params.at("fingerprint");
  if (fingerprint.empty() || fingerprint.size() > 64 ||
      fingerprint.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return ParamError("fingerprint", "'" + std::string(internal::Utf8Prefix(fingerprint, 64)) +
                                         "' is not an alert fingerprint (lowercase hex, from "
                                         "/api/alerts)");
  }
  std::string comment;
  if (body.contains("comment")) {
    if (!body["comment"].is_string()) {
      return InvalidArgumentError("body: field 'comment': expected a string");
    }
    comment = body["comment"].get<std::string>();
  }
  if (api.options.alerts == nullptr) {
    return FailedPreconditionError("no alert engine runs here (alerting is off): no alert " +
                                   fingerprint + " to acknowledge");
  }
  TAI_RETURN_IF_ERROR(api.options.alerts->Acknowledge(fingerprint, std::move(comment)));
  int64_t at = 0;
  for (const Alert& a : api.options.alerts->Alerts()) {
    if (AlertFingerprint(a.labels) == fingerprint) at = a.acknowledged_at_nanos;
  }
  return json{{"fingerprint", fingerprint},
              {"acknowledged", true},
              {"acknowledged_at", internal::TimeJson(at)},
              {"acknowledged_at_unix_nanos", at}};
}

Result<json> PinBaseline(const Api& api, const HttpRequest& req, const json& body) {
  TAI_ASSIGN_OR_RETURN(int64_t id, RowIdParam(req, "id"));
  bool pinned = true;
  if (body.contains("pinned")) {
    if (!body["pinned"].is_boolean()) {
      return InvalidArgumentError("body: field 'pinned': expected true or false");
    }
    pinned = body["pinned"].get<bool>();
  }
  TAI_RETURN_IF_ERROR(api.writable_store().PinProfile(id, pinned));
  return json{{"id", id}, {"pinned", pinned}};
}

}  // namespace

Status ServeDashboardApi(HttpServer& server, DashboardApiOptions options) {
  if (options.store == nullptr) return InvalidArgumentError("dashboard API: no store given");
  if (options.max_rows == 0 || options.default_rows == 0 || options.max_points_per_series == 0) {
    return InvalidArgumentError(
        "dashboard API: max_rows, default_rows and max_points_per_series "
        "must be at least 1");
  }
  TAI_RETURN_IF_ERROR(internal::ValidateAccessToken(options.access_token));
  internal::UseDashboardSecurity(server, options.access_token);
  const bool assets = options.serve_assets;
  auto api = std::make_shared<const Api>(Api{std::move(options)});

  ServeJson(server, api, "/api/info", Info);
  ServeJson(server, api, "/api/metrics", MetricNames);
  ServeJson(server, api, "/api/metrics/latest", MetricLatest);
  ServeJson(server, api, "/api/metrics/range", MetricRange);
  ServeJson(server, api, "/api/metrics/stats", MetricStats);
  ServeJson(server, api, "/api/traces", Traces);
  ServeJson(server, api, "/api/traces/:id", Trace);
  ServeJson(server, api, "/api/logs", Logs);
  ServeJson(server, api, "/api/profiles", Profiles);
  // Before the ":id" routes, which would otherwise take "merged" as an id.
  ServeRaw(server, api, "/api/profiles/merged/flamegraph.svg", MergedProfileSvg);
  ServeJson(server, api, "/api/profiles/merged/flamegraph.json", MergedProfileTree);
  ServeJson(server, api, "/api/profiles/:id", ProfileSummary);
  ServeJson(server, api, "/api/profiles/:id/flamegraph.json", ProfileTree);
  ServeRaw(server, api, "/api/profiles/:id/flamegraph.svg", ProfileSvg);
  ServeRaw(server, api, "/api/profiles/:id/collapsed", ProfileCollapsed);
  ServeRaw(server, api, "/api/profiles/:id/speedscope.json", ProfileSpeedscope);
  ServeRaw(server, api, "/api/profiles/:id/diff/:baseline/flamegraph.svg", DiffProfileSvg);
  ServeJson(server, api, "/api/profiles/:id/diff/:baseline/flamegraph.json", DiffProfileTree);
  ServeJson(server, api, "/api/alerts", Alerts);
  ServeJson(server, api, "/api/alerts/history", AlertHistory);
  ServeJson(server, api, "/api/notifications", Notifications);
  ServeJson(server, api, "/api/rules", Rules);
  ServeJson(server, api, "/api/slos", Slos);
  ServeJson(server, api, "/api/dashboard", Dashboard);
  ServeJson(server, api, "/api/annotations", Annotations);
  ServeWrite(server, api, "/api/alerts/:fingerprint/ack", {"comment"}, AcknowledgeAlert);
  ServeWrite(server, api, "/api/profiles/:id/baseline", {"pinned"}, PinBaseline);
  if (assets) internal::ServeDashboardAssets(server);
  return Status::Ok();
}

}  // namespace tai
