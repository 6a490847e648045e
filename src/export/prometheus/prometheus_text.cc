#include "tai/export/prometheus_text.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include "core/text.h"
#include "metrics/exponential_mapping.h"

namespace tai {
namespace {

struct UnitName {
  std::string_view ucum;
  std::string_view kept;  // PrometheusUnitStyle::kKeepUnits
  std::string_view base;  // PrometheusUnitStyle::kBaseUnits
  double to_base;         // factor from the unit to `base`
};

constexpr UnitName kUnits[] = {
    {"ns", "nanoseconds", "seconds", 1e-9},
    {"us", "microseconds", "seconds", 1e-6},
    {"ms", "milliseconds", "seconds", 1e-3},
    {"s", "seconds", "seconds", 1},
    {"min", "minutes", "seconds", 60},
    {"h", "hours", "seconds", 3600},
    {"d", "days", "seconds", 86400},
    {"By", "bytes", "bytes", 1},
    {"KiBy", "kibibytes", "bytes", 1024},
    {"MiBy", "mebibytes", "bytes", 1048576},
    {"GiBy", "gibibytes", "bytes", 1073741824},
    {"kBy", "kilobytes", "bytes", 1e3},
    {"MBy", "megabytes", "bytes", 1e6},
    {"GBy", "gigabytes", "bytes", 1e9},
    {"bit", "bits", "bits", 1},
    {"%", "percent", "percent", 1},
    {"m", "meters", "meters", 1},
    {"Cel", "celsius", "celsius", 1},
    {"Hz", "hertz", "hertz", 1},
    {"V", "volts", "volts", 1},
    {"W", "watts", "watts", 1},
    {"J", "joules", "joules", 1},
};

void AppendSanitized(std::string& out, std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':';
    char w = ok ? c : '_';
    if (w == '_' && !out.empty() && out.back() == '_') continue;  // no runs of _
    out += w;
  }
}

// The unit as a name suffix ("" for dimensionless), and the value factor.
std::string UnitSuffix(std::string_view ucum, PrometheusUnitStyle style, double* scale) {
  *scale = 1;
  std::string plain;
  int depth = 0;
  for (char c : ucum) {  // {annotations} carry no unit
    if (c == '{') {
      ++depth;
    } else if (c == '}') {
      --depth;
    } else if (depth == 0) {
      plain += c;
    }
  }
  if (plain.empty() || plain == "1") return "";
  size_t slash = plain.find('/');
  if (slash != std::string::npos) {
    double unused;
    std::string num = UnitSuffix(plain.substr(0, slash), PrometheusUnitStyle::kKeepUnits, &unused);
    std::string den = UnitSuffix(plain.substr(slash + 1), PrometheusUnitStyle::kKeepUnits, &unused);
    if (num.empty()) return "per_" + den;
    return num + "_per_" + den;
  }
  for (const UnitName& u : kUnits) {
    if (u.ucum == plain) {
      if (style == PrometheusUnitStyle::kBaseUnits) {
        *scale = u.to_base;
        return std::string(u.base);
      }
      return std::string(u.kept);
    }
  }
  std::string out;
  AppendSanitized(out, plain);
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsCounter(const MetricData& m) {
  return m.kind == InstrumentKind::kCounter || m.kind == InstrumentKind::kObservedCounter ||
         (m.kind == InstrumentKind::kWrittenPoint &&
          m.descriptor->value_type == MetricType::kCumulative);
}

bool IsDistribution(const MetricData& m) {
  return m.descriptor->value_type == MetricType::kDistribution;
}

void AppendEscaped(std::string& out, std::string_view s, bool quote_too) {
  size_t run = 0;  // start of the run of characters that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\\' && c != '\n' && (c != '"' || !quote_too)) continue;
    out.append(s.data() + run, i - run);
    out += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : "\\\"";
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

class Writer {
 public:
  Writer(const PrometheusOptions& options, std::string* out) : o_(options), out_(*out) {}

  void Metric(const MetricData& m) {
    double scale = 1;
    const std::string name = PrometheusName(*m.descriptor, o_.units, &scale);
    const bool counter = IsCounter(m);
    const bool histogram = IsDistribution(m) && HasBuckets(m);
    const bool summary = IsDistribution(m) && !histogram;
    // Text 0.0.4 names the counter family with _total; OpenMetrics without.
    const std::string family = counter && !o_.open_metrics ? name + "_total" : name;
    if (!families_.insert(family).second) return;  // two metrics, one Prometheus name

    const MetricDescriptor& d = *m.descriptor;
    out_ += "# HELP ";
    out_ += family;
    out_ += ' ';
    const std::string& help = !d.description.empty()    ? d.description
                              : !d.display_name.empty() ? d.display_name
                                                        : d.metric_type;
    AppendEscaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += family;
    out_ += counter     ? " counter\n"
            : histogram ? " histogram\n"
            : summary   ? " summary\n"
                        : " gauge\n";
    if (o_.open_metrics) {
      double unused;
      std::string unit = UnitSuffix(d.unit.ucum(), o_.units, &unused);
      if (!unit.empty() && EndsWith(name, "_" + unit)) {
        out_ += "# UNIT " + family + " " + unit + "\n";
      }
    }
    ExposedLayout layout;
    if (histogram) layout = CommonLayout(m);
    const std::string sample_name = counter ? name + "_total" : name;
    const auto& points = m.points;
    for (size_t i = 0; i < points.size(); ++i) {
      // Exposition is bound by memory latency over thousands of label sets:
      // fetch the ones a few points ahead while this one is written.
      if (i + 8 < points.size()) points[i + 8].labels.PrefetchStorage();
      if (i + 4 < points.size()) points[i + 4].labels.PrefetchLabels();
      const MetricPoint& p = points[i];
      if (histogram) {
        Histogram(name, p, &layout, scale);
      } else if (summary) {
        Summary(name, p, scale);
      } else {
        Sample(sample_name, p.labels, {}, {}, p.value, scale);
      }
    }
  }

  void Finish() {
    if (o_.open_metrics) out_ += "# EOF\n";
  }

 private:
  static bool HasBuckets(const MetricData& m) {
    for (const MetricPoint& p : m.points) {
      if (!p.value.is_distribution() || !p.value.distribution().histogram) return false;
    }
    return true;
  }

  void Labels(const LabelSet& labels, std::string_view extra_key, std::string_view extra_value) {
    if (labels.empty() && extra_key.empty()) return;
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels.labels()) {
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      AppendEscaped(out_, v, true);
      out_ += '"';
    }
    if (!extra_key.empty()) {
      if (!first) out_ += ',';
      out_ += extra_key;
      out_ += "=\"";
      out_ += extra_value;
      out_ += '"';
    }
    out_ += '}';
  }

  void Number(double v) { internal::AppendDouble(out_, v); }

  void Sample(const std::string& name, const LabelSet& labels, std::string_view extra_key,
              std::string_view extra_value, const MetricValue& v, double scale) {
    out_ += name;
    Labels(labels, extra_key, extra_value);
    out_ += ' ';
    if (v.is_int64() && scale == 1) {
      internal::AppendInt(out_, v.int64());
    } else {
      Number(v.AsDouble() * scale);
    }
    out_ += '\n';
  }

  void Bucket(const std::string& name, const LabelSet& labels, double le, uint64_t cumulative) {
    std::string le_text;
    internal::AppendDouble(le_text, le);
    out_ += name;
    out_ += "_bucket";
    Labels(labels, "le", le_text);
    out_ += ' ';
    internal::AppendUint(out_, cumulative);
    out_ += '\n';
  }

  // One set of `le` boundaries for every series of a metric, so that
  // sum by (le) (...) across series adds like with like: the coarsest scale
  // of any series, lowered until the union of their ranges fits the budget.
  struct ExposedLayout {
    int scale = internal::kMaxScale;
    bool zero_bucket = false;
    bool positive = false, negative = false;
    int32_t pos_lo = 0, pos_hi = 0, neg_lo = 0, neg_hi = 0;
  };

  ExposedLayout CommonLayout(const MetricData& m) const {
    ExposedLayout l;
    for (const MetricPoint& p : m.points)
      l.scale = std::min(l.scale, p.value.distribution().histogram->scale());
    for (;; --l.scale) {
      l.positive = l.negative = l.zero_bucket = false;
      for (const MetricPoint& p : m.points) {
        const HistogramData& h = *p.value.distribution().histogram;
        const int by = h.scale() - l.scale;
        Widen(h.positive(), by, &l.positive, &l.pos_lo, &l.pos_hi);
        Widen(h.negative(), by, &l.negative, &l.neg_lo, &l.neg_hi);
        l.zero_bucket |= h.zero_count() > 0 || !h.negative().empty();
      }
      const size_t budget = std::max<size_t>(o_.max_exposed_buckets, 2);
      bool fits = (!l.positive || static_cast<size_t>(l.pos_hi - l.pos_lo) < budget) &&
                  (!l.negative || static_cast<size_t>(l.neg_hi - l.neg_lo) < budget);
      if (fits || l.scale <= internal::kMinScale) return l;
    }
  }

  static void Widen(const ExponentialBuckets& b, int by, bool* any, int32_t* lo, int32_t* hi) {
    if (b.empty()) return;
    const int32_t first = internal::DownscaleIndex(b.offset, by);
    const int32_t last =
        internal::DownscaleIndex(b.offset + static_cast<int32_t>(b.counts.size()) - 1, by);
    *lo = *any ? std::min(*lo, first) : first;
    *hi = *any ? std::max(*hi, last) : last;
    *any = true;
  }

  static uint64_t CountAt(const ExponentialBuckets& b, int32_t index) {
    const int32_t k = index - b.offset;
    return k >= 0 && k < static_cast<int32_t>(b.counts.size()) ? b.counts[static_cast<size_t>(k)]
                                                               : 0;
  }

  void Histogram(const std::string& name, const MetricPoint& p, const ExposedLayout* layout,
                 double scale) {
    HistogramData h = *p.value.distribution().histogram;
    if (h.layout() == HistogramData::Layout::kExplicit) {
      uint64_t cum = 0;
      for (size_t k = 0; k < h.bounds().size(); ++k) {
        cum += h.bucket_counts()[k];
        Bucket(name, p.labels, h.bounds()[k] * scale, cum);
      }
    } else {
      h.Downscale(h.scale() - layout->scale);
      ExponentialBuckets(name, p.labels, h, *layout, scale);
    }
    Bucket(name, p.labels, std::numeric_limits<double>::infinity(), h.count());
    Sample(name + "_sum", p.labels, {}, {}, MetricValue(h.sum()), scale);
    Sample(name + "_count", p.labels, {}, {}, MetricValue(static_cast<int64_t>(h.count())), 1);
  }

  // Every bucket of the common range, plus the lower edge of the first
  // positive one, so each interpolation of histogram_quantile stays inside
  // one bucket.
  void ExponentialBuckets(const std::string& name, const LabelSet& labels, const HistogramData& h,
                          const ExposedLayout& l, double scale) {
    auto boundary = [&](int32_t index) {
      return internal::ExponentialLowerBoundary(index, l.scale) * scale;
    };
    uint64_t cum = 0;
    if (l.negative) {
      for (int32_t i = l.neg_hi; i >= l.neg_lo; --i) {
        cum += CountAt(h.negative(), i);
        Bucket(name, labels, -boundary(i), cum);
      }
    }
    if (l.zero_bucket) {
      cum += h.zero_count();
      Bucket(name, labels, 0.0, cum);
    }
    if (!l.positive) return;
    Bucket(name, labels, boundary(l.pos_lo), cum);
    for (int32_t i = l.pos_lo; i <= l.pos_hi; ++i) {
      cum += CountAt(h.positive(), i);
      Bucket(name, labels, boundary(i + 1), cum);
    }
  }

  void Summary(const std::string& name, const MetricPoint& p, double scale) {
    const DistributionValue& d = p.value.distribution();
    for (const auto& [key, value] : d.percentiles) {
      if (key.size() < 2 || key[0] != 'p') continue;
      double q = std::strtod(key.c_str() + 1, nullptr) / 100;
      std::string q_text;
      internal::AppendDouble(q_text, q);
      Sample(name, p.labels, "quantile", q_text, MetricValue(value), scale);
    }
    Sample(name + "_sum", p.labels, {}, {}, MetricValue(d.sum()), scale);
    Sample(name + "_count", p.labels, {}, {}, MetricValue(static_cast<int64_t>(d.count)), 1);
  }

  const PrometheusOptions& o_;
  std::string& out_;
  std::unordered_set<std::string> families_;
};

}  // namespace

std::string PrometheusName(const MetricDescriptor& d, PrometheusUnitStyle units,
                           double* value_scale) {
  std::string_view type = d.metric_type;
  size_t slash = type.find('/');
  if (slash != std::string_view::npos &&
      type.substr(0, slash).find('.') != std::string_view::npos) {
    type = type.substr(slash + 1);  // drop the domain: custom.googleapis.com/
  }
  std::string name;
  if (!type.empty() && type[0] >= '0' && type[0] <= '9') name += '_';
  AppendSanitized(name, type);
  const bool counter = d.value_type == MetricType::kCumulative;
  if (counter && EndsWith(name, "_total")) name.resize(name.size() - 6);
  double scale = 1;
  std::string unit = UnitSuffix(d.unit.ucum(), units, &scale);
  if (!unit.empty() && !EndsWith(name, "_" + unit)) name += "_" + unit;
  if (value_scale) *value_scale = scale;
  return name;
}

void WritePrometheusText(const MetricBatch& batch, const PrometheusOptions& options,
                         std::string* out) {
  Writer w(options, out);
  for (const MetricData& m : batch.metrics) w.Metric(m);
  w.Finish();
}

}  // namespace tai
