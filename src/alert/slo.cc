#include "tai/alert/slo.h"

#include <cmath>

#include "core/enum_names.h"
#include "core/text.h"

namespace tai {
namespace {

constexpr internal::EnumNames<SliKind, 3> kKindNames{{
    {SliKind::kLatency, "latency"},
    {SliKind::kGoodRatio, "good_ratio"},
    {SliKind::kBadRatio, "bad_ratio"},
}};

std::string Num(double v) {
  std::string out;
  internal::AppendDouble(out, v);
  return out;
}

std::string Seconds(std::chrono::nanoseconds d) {
  return Num(std::chrono::duration<double>(d).count()) + "s";
}

Status FieldError(const Slo& slo, std::string_view field, std::string_view what) {
  return InvalidArgumentError("slo '" + SloId(slo) + "': field '" + std::string(field) +
                              "': " + std::string(what));
}

Status ValidateKindFields(const Slo& slo) {
  auto need = [&](std::string_view field, const std::string& value) -> Status {
    if (!value.empty()) return Status::Ok();
    return FieldError(slo, field,
                      "required for a " + std::string(SliKindName(slo.kind)) + " SLI, got none");
  };
  switch (slo.kind) {
    case SliKind::kLatency:
      TAI_RETURN_IF_ERROR(need("metric", slo.metric));
      if (!std::isfinite(slo.threshold) || slo.threshold < 0) {
        return FieldError(slo, "threshold",
                          "must be a finite latency bound >= 0, got " + Num(slo.threshold));
      }
      return Status::Ok();
    case SliKind::kGoodRatio:
      TAI_RETURN_IF_ERROR(need("good_metric", slo.good_metric));
      return need("total_metric", slo.total_metric);
    case SliKind::kBadRatio:
      TAI_RETURN_IF_ERROR(need("bad_metric", slo.bad_metric));
      return need("total_metric", slo.total_metric);
  }
  return Status::Ok();
}

Status ValidateBurnRateAlert(const Slo& slo, size_t i, const BurnRateAlert& a) {
  const std::string field = "burn_rate_alerts[" + std::to_string(i) + "]";
  if (!(a.factor > 0) || !std::isfinite(a.factor)) {
    return FieldError(slo, field + ".factor", "must be > 0, got " + Num(a.factor));
  }
  if (a.short_window <= std::chrono::nanoseconds::zero()) {
    return FieldError(slo, field + ".short_window",
                      "must be positive, got " + Seconds(a.short_window));
  }
  if (a.long_window <= a.short_window) {
    return FieldError(slo, field + ".long_window",
                      "must be longer than short_window (" + Seconds(a.short_window) + "), got " +
                          Seconds(a.long_window));
  }
  if (a.severity.empty()) return FieldError(slo, field + ".severity", "must be set (page, ticket)");
  return Status::Ok();
}

}  // namespace

std::string_view SliKindName(SliKind kind) { return internal::NameOf(kKindNames, kind, "unknown"); }

Result<SliKind> ParseSliKind(std::string_view name) {
  if (auto kind = internal::ValueNamed(kKindNames, name)) return *kind;
  return InvalidArgumentError("SLI kind '" + std::string(name) +
                              "': expected latency, good_ratio or bad_ratio");
}

std::vector<BurnRateAlert> DefaultBurnRateAlerts() {
  using std::chrono::hours;
  using std::chrono::minutes;
  return {
      {.factor = 14.4, .long_window = hours(1), .short_window = minutes(5), .severity = "page"},
      {.factor = 6, .long_window = hours(6), .short_window = minutes(30), .severity = "page"},
      {.factor = 1, .long_window = hours(72), .short_window = hours(6), .severity = "ticket"},
  };
}

std::string SloId(const Slo& slo) { return slo.id.empty() ? slo.metric : slo.id; }

Status ValidateSlo(const Slo& slo) {
  if (SloId(slo).empty()) {
    return InvalidArgumentError("slo without an id: set 'id' (or 'metric', its default)");
  }
  if (!(slo.error_budget > 0 && slo.error_budget < 1)) {
    return FieldError(slo, "error_budget", "must be in (0, 1), got " + Num(slo.error_budget));
  }
  if (slo.window <= std::chrono::nanoseconds::zero()) {
    return FieldError(slo, "window", "must be positive, got " + Seconds(slo.window));
  }
  if (slo.interval <= std::chrono::nanoseconds::zero()) {
    return FieldError(slo, "interval", "must be positive, got " + Seconds(slo.interval));
  }
  TAI_RETURN_IF_ERROR(ValidateKindFields(slo));
  for (size_t i = 0; i < slo.burn_rate_alerts.size(); ++i) {
    TAI_RETURN_IF_ERROR(ValidateBurnRateAlert(slo, i, slo.burn_rate_alerts[i]));
  }
  return Status::Ok();
}

}  // namespace tai
