#include "tai/store/rollup_archive.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/gzip.h"
#include "core/regular_file.h"
#include "metrics/exponential_mapping.h"
#include "store/rollup_archive_io.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

using nlohmann::json;
// Written in the documented field order, so that a line reads naturally.
using ordered_json = nlohmann::ordered_json;

// A bucket array longer than this is not something the store writes (it
// keeps at most a few hundred per sign); refusing it bounds what a damaged
// or hostile file can make the reader allocate.
constexpr size_t kMaxBuckets = 65'536;

ordered_json Buckets(const ExponentialBuckets& b) {
  return {{"offset", b.offset}, {"counts", b.counts}};
}

ordered_json HistogramJson(const HistogramData& h) {
  const bool explicit_layout = h.layout() == HistogramData::Layout::kExplicit;
  ordered_json j = {{"layout", explicit_layout ? "explicit" : "exponential"},
                    {"count", h.count()},
                    {"sum", h.sum()},
                    {"min", h.min()},
                    {"max", h.max()},
                    {"mean", h.mean()},
                    {"sum_of_squared_deviation", h.sum_of_squared_deviation()}};
  if (explicit_layout) {
    j["bounds"] = h.bounds();
    j["counts"] = h.bucket_counts();
  } else {
    j["scale"] = h.scale();
    j["zero_count"] = h.zero_count();
    j["positive"] = Buckets(h.positive());
    j["negative"] = Buckets(h.negative());
  }
  return j;
}

// Reading: each accessor checks the field's type and says which is wrong.
class Fields {
 public:
  explicit Fields(const json& object) : j_(object) {}

  Status String(const char* key, std::string* out) const {
    auto it = j_.find(key);
    if (it == j_.end() || !it->is_string()) return Missing(key, "a string");
    *out = it->get<std::string>();
    return Status::Ok();
  }
  Status Int(const char* key, int64_t* out) const {
    auto it = j_.find(key);
    if (it == j_.end() || !it->is_number_integer()) return Missing(key, "an integer");
    *out = it->get<int64_t>();
    return Status::Ok();
  }
  Status Count(const char* key, uint64_t* out) const {
    auto it = j_.find(key);
    if (it == j_.end() || !it->is_number_unsigned()) return Missing(key, "a count");
    *out = it->get<uint64_t>();
    return Status::Ok();
  }
  // A number, or null for unknown (NaN).
  Status Double(const char* key, double* out) const {
    auto it = j_.find(key);
    if (it != j_.end() && it->is_null()) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return Status::Ok();
    }
    if (it == j_.end() || !it->is_number()) return Missing(key, "a number or null");
    *out = it->get<double>();
    return Status::Ok();
  }
  Status Counts(const json& array, const char* key, std::vector<uint64_t>* out) const {
    if (!array.is_array() || array.size() > kMaxBuckets) {
      return Missing(key, "an array of at most 65536 counts");
    }
    for (const json& c : array) {
      if (!c.is_number_unsigned()) return Missing(key, "an array of counts");
      out->push_back(c.get<uint64_t>());
    }
    return Status::Ok();
  }
  const json& operator[](const char* key) const {
    static const json kNull;
    auto it = j_.find(key);
    return it == j_.end() ? kNull : *it;
  }

 private:
  static Status Missing(const char* key, const char* what) {
    return InvalidArgumentError(std::string("\"") + key + "\" must be " + what);
  }
  const json& j_;
};

Status AddExponentialBuckets(const Fields& f, const char* key, bool negative, int scale,
                             HistogramData& h) {
  const json& b = f[key];
  if (!b.is_object()) return InvalidArgumentError(std::string("\"") + key + "\" is missing");
  Fields bf(b);
  int64_t offset = 0;
  std::vector<uint64_t> counts;
  TAI_RETURN_IF_ERROR(bf.Int("offset", &offset));
  TAI_RETURN_IF_ERROR(bf.Counts(bf["counts"], "counts", &counts));
  if (std::llabs(offset) > (int64_t{1} << 30)) {
    return InvalidArgumentError(std::string("\"") + key + "\" has an offset out of range");
  }
  for (size_t k = 0; k < counts.size(); ++k) {
    h.AddExponentialBucket(negative, static_cast<int32_t>(offset + static_cast<int64_t>(k)), scale,
                           counts[k]);
  }
  return Status::Ok();
}

Result<HistogramData> HistogramFrom(const json& j) {
  if (!j.is_object()) return InvalidArgumentError("\"histogram\" must be an object");
  Fields f(j);
  std::string layout;
  TAI_RETURN_IF_ERROR(f.String("layout", &layout));
  HistogramData h;
  if (layout == "exponential") {
    int64_t scale = 0;
    uint64_t zero = 0;
    TAI_RETURN_IF_ERROR(f.Int("scale", &scale));
    if (scale < internal::kMinScale || scale > internal::kMaxScale) {
      return InvalidArgumentError("histogram scale " + std::to_string(scale) + " is not in [" +
                                  std::to_string(internal::kMinScale) + ", " +
                                  std::to_string(internal::kMaxScale) + "]");
    }
    TAI_RETURN_IF_ERROR(f.Count("zero_count", &zero));
    h.AddZero(zero);
    TAI_RETURN_IF_ERROR(AddExponentialBuckets(f, "positive", false, static_cast<int>(scale), h));
    TAI_RETURN_IF_ERROR(AddExponentialBuckets(f, "negative", true, static_cast<int>(scale), h));
  } else if (layout == "explicit") {
    const json& b = f["bounds"];
    if (!b.is_array() || b.size() > kMaxBuckets) {
      return InvalidArgumentError("\"bounds\" must be an array of at most 65536 numbers");
    }
    std::vector<double> bounds;
    for (const json& v : b) {
      if (!v.is_number()) return InvalidArgumentError("\"bounds\" must hold numbers");
      bounds.push_back(v.get<double>());
    }
    std::vector<uint64_t> counts;
    TAI_RETURN_IF_ERROR(f.Counts(f["counts"], "counts", &counts));
    if (counts.size() != bounds.size() + 1) {
      return InvalidArgumentError("an explicit histogram needs one more count than bounds");
    }
    TAI_ASSIGN_OR_RETURN(h, HistogramData::WithExplicitBounds(std::move(bounds)));
    for (size_t k = 0; k < counts.size(); ++k) h.AddExplicitBucket(k, counts[k]);
  } else {
    return InvalidArgumentError("histogram layout \"" + layout +
                                "\" is neither exponential nor explicit");
  }
  uint64_t count = 0;
  double sum = 0, mn = 0, mx = 0, mean = 0, m2 = 0;
  TAI_RETURN_IF_ERROR(f.Count("count", &count));
  TAI_RETURN_IF_ERROR(f.Double("sum", &sum));
  TAI_RETURN_IF_ERROR(f.Double("min", &mn));
  TAI_RETURN_IF_ERROR(f.Double("max", &mx));
  TAI_RETURN_IF_ERROR(f.Double("mean", &mean));
  TAI_RETURN_IF_ERROR(f.Double("sum_of_squared_deviation", &m2));
  h.AddStats(count, sum, mn, mx, mean, m2);
  if (std::isnan(mn) || std::isnan(mx)) h.MarkMinMaxUnknown();
  return h;
}

Result<MetricType> KindNamed(const std::string& name) {
  for (MetricType t : {MetricType::kGauge, MetricType::kCumulative, MetricType::kDistribution}) {
    if (MetricTypeName(t) == name) return t;
  }
  return InvalidArgumentError("\"kind\" \"" + name + "\" is not GAUGE, CUMULATIVE or DISTRIBUTION");
}

}  // namespace

namespace internal {

Result<ArchivedRollup> ParseRollupArchiveLine(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (!j.is_object()) return InvalidArgumentError("not a JSON object");
  Fields f(j);
  ArchivedRollup r;
  std::string kind;
  TAI_RETURN_IF_ERROR(f.String("metric", &r.metric));
  TAI_RETURN_IF_ERROR(f.String("kind", &kind));
  TAI_ASSIGN_OR_RETURN(r.kind, KindNamed(kind));
  TAI_RETURN_IF_ERROR(f.String("unit", &r.unit));
  const json& labels = f["labels"];
  if (!labels.is_object()) return InvalidArgumentError("\"labels\" must be an object");
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [k, v] : labels.items()) {
    if (!v.is_string()) return InvalidArgumentError("label \"" + k + "\" must be a string");
    pairs.emplace_back(k, v.get<std::string>());
  }
  r.labels = LabelSet::FromPairs(std::move(pairs));
  TAI_RETURN_IF_ERROR(f.Int("start_unix_nanos", &r.start_unix_nanos));
  TAI_RETURN_IF_ERROR(f.Int("end_unix_nanos", &r.end_unix_nanos));
  TAI_RETURN_IF_ERROR(f.Count("count", &r.count));
  TAI_RETURN_IF_ERROR(f.Double("sum", &r.sum));
  TAI_RETURN_IF_ERROR(f.Double("min", &r.min));
  TAI_RETURN_IF_ERROR(f.Double("max", &r.max));
  TAI_RETURN_IF_ERROR(f.Double("last", &r.last));
  TAI_RETURN_IF_ERROR(f.Double("increase", &r.increase));
  if (const json& h = f["histogram"]; !h.is_null()) {
    TAI_ASSIGN_OR_RETURN(r.histogram, HistogramFrom(h));
  }
  return r;
}

}  // namespace internal

Result<std::vector<ArchivedRollup>> ReadRollupArchive(const std::string& path) {
  TAI_ASSIGN_OR_RETURN(
      std::string compressed,
      internal::ReadRegularFile(path, kMaxRollupArchiveBytes, "kMaxRollupArchiveBytes"));
  auto text = internal::GzipDecompress(compressed, kMaxRollupArchiveBytes);
  if (!text.ok()) return text.status().WithContext("rollup archive " + path);
  std::vector<ArchivedRollup> out;
  size_t line_number = 0;
  for (size_t at = 0; at < text->size();) {
    size_t end = text->find('\n', at);
    if (end == std::string::npos) end = text->size();
    ++line_number;
    const std::string_view line(text->data() + at, end - at);
    at = end + 1;
    if (line.empty()) continue;
    auto row = internal::ParseRollupArchiveLine(line);
    if (!row.ok()) {
      return row.status().WithContext("rollup archive " + path + " line " +
                                      std::to_string(line_number));
    }
    out.push_back(std::move(*row));
  }
  return out;
}

namespace internal {

std::string RollupArchivePath(const std::string& directory, const std::string& store_path,
                              int64_t day_start_nanos) {
  const std::string day = FormatRfc3339(day_start_nanos).substr(0, 10);  // YYYY-MM-DD
  return directory + "/" + std::filesystem::path(store_path).stem().string() + "-daily-" + day +
         ".jsonl.gz";
}

std::string RollupArchiveLine(const ArchivedRollup& r) {
  ordered_json labels = ordered_json::object();
  for (const auto& [k, v] : r.labels.labels()) labels[k] = v;
  ordered_json j = {{"metric", r.metric},
                    {"labels", std::move(labels)},
                    {"kind", MetricTypeName(r.kind)},
                    {"unit", r.unit},
                    {"start", FormatRfc3339(r.start_unix_nanos)},
                    {"start_unix_nanos", r.start_unix_nanos},
                    {"end_unix_nanos", r.end_unix_nanos},
                    {"count", r.count},
                    {"sum", r.sum},
                    {"min", r.min},
                    {"max", r.max},
                    {"last", r.last},
                    {"increase", r.increase}};
  if (r.histogram) j["histogram"] = HistogramJson(*r.histogram);
  // Names and labels come from the application: invalid UTF-8 is replaced
  // rather than failing the whole day.
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

Status WriteRollupArchive(const std::string& directory, const std::string& path,
                          const std::vector<ArchivedRollup>& rows) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return UnavailableError("cannot create the rollup archive directory " + directory + ": " +
                            ec.message());
  }
  std::string text;
  for (const ArchivedRollup& r : rows) {
    text += RollupArchiveLine(r);
    text += '\n';
  }
  return WriteFileAtomically(path, GzipCompress(text), /*sync=*/true);
}

}  // namespace internal
}  // namespace tai
