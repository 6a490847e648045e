#include "tai/alert/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "alert/alert_tracker.h"
#include "tai/core/parse.h"

namespace tai {
namespace {

// JSON files become the same tree as YAML ones, so that one set of field
// readers (and one set of messages) serves both.
YAML::Node FromJson(const nlohmann::json& j) {
  if (j.is_object()) {
    YAML::Node n(YAML::NodeType::Map);
    for (const auto& [k, v] : j.items()) n[k] = FromJson(v);
    return n;
  }
  if (j.is_array()) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (const auto& v : j) n.push_back(FromJson(v));
    return n;
  }
  if (j.is_null()) return YAML::Node(YAML::NodeType::Null);
  if (j.is_string()) return YAML::Node(j.get<std::string>());
  return YAML::Node(j.dump());
}

// Reads the fields of one rule; the first bad field ends the rule.
class RuleReader {
 public:
  explicit RuleReader(const YAML::Node& node) : node_(node) {}

  Status Read(AlertingRule& r) {
    if (!node_.IsMap()) return InvalidArgumentError("a rule must be a mapping of fields");
    // The id first, wherever it is, so that errors in other fields name it
    // (JSON objects come back with their keys sorted).
    if (const YAML::Node id = node_["id"]) {
      field_ = "id";
      TAI_RETURN_IF_ERROR(Text(id, r.id));
    }
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (key == "id") continue;
      field_ = key;
      TAI_RETURN_IF_ERROR(ReadField(key, kv.second, r));
    }
    field_.clear();
    return Status::Ok();
  }
  const std::string& field() const { return field_; }

 private:
  Status ReadField(const std::string& key, const YAML::Node& v, AlertingRule& r) {
    if (key == "id") return Text(v, r.id);
    if (key == "display_name") return Text(v, r.display_name);
    if (key == "metric" || key == "metric_type") return Text(v, r.metric_type);
    if (key == "threshold") return Number(v, r.threshold);
    if (key == "op" || key == "comparison" || key == "comparison_operator") {
      std::string text;
      TAI_RETURN_IF_ERROR(Text(v, text));
      TAI_ASSIGN_OR_RETURN(r.comparison_operator, ParseComparison(text));
      return Status::Ok();
    }
    if (key == "window") {
      std::chrono::nanoseconds d;
      TAI_RETURN_IF_ERROR(Duration(v, d));
      r.evaluation_window_secs = std::chrono::duration_cast<std::chrono::seconds>(d).count();
      if (r.evaluation_window_secs < 1) return InvalidArgumentError("must be at least 1s");
      return Status::Ok();
    }
    if (key == "evaluation_window_secs") return Integer(v, r.evaluation_window_secs);
    if (key == "trigger_count") {
      int64_t n = 0;
      TAI_RETURN_IF_ERROR(Integer(v, n));
      r.trigger_count = static_cast<int32_t>(std::clamp<int64_t>(n, INT32_MIN, INT32_MAX));
      return Status::Ok();
    }
    if (key == "notification_channels") return List(v, r.notification_channels);
    if (key == "aggregation") {
      std::string text;
      TAI_RETURN_IF_ERROR(Text(v, text));
      TAI_ASSIGN_OR_RETURN(r.aggregation, ParseWindowAggregation(text));
      return Status::Ok();
    }
    if (key == "matchers") return Matchers(v, r.matchers);
    if (key == "group_by") return List(v, r.group_by);
    if (key == "per_series") return Bool(v, r.per_series);
    if (key == "interval") return Duration(v, r.interval);
    if (key == "for" || key == "for_duration") return Duration(v, r.for_duration);
    if (key == "no_data") {
      std::string text;
      TAI_RETURN_IF_ERROR(Text(v, text));
      TAI_ASSIGN_OR_RETURN(r.no_data, ParseNoDataPolicy(text));
      return Status::Ok();
    }
    if (key == "resolve_missing_after") return Duration(v, r.resolve_missing_after);
    if (key == "min_events") {
      int64_t n = 0;
      TAI_RETURN_IF_ERROR(Integer(v, n));
      if (n < 0) return InvalidArgumentError("must not be negative, got " + std::to_string(n));
      r.min_events = static_cast<uint64_t>(n);
      return Status::Ok();
    }
    if (key == "labels") return Map(v, r.labels);
    if (key == "annotations") return Map(v, r.annotations);
    if (key == "repeat_interval") return Duration(v, r.repeat_interval);
    return InvalidArgumentError("unknown field");
  }

 public:
  // The field readers, shared with SloReader.
  static Status Text(const YAML::Node& v, std::string& out) {
    if (!v.IsScalar()) return InvalidArgumentError("expected a single value");
    out = v.Scalar();
    return Status::Ok();
  }
  static Status Number(const YAML::Node& v, double& out) {
    std::string t;
    TAI_RETURN_IF_ERROR(Text(v, t));
    auto r = std::from_chars(t.data(), t.data() + t.size(), out);
    if (r.ec != std::errc() || r.ptr != t.data() + t.size()) {
      return InvalidArgumentError("expected a number, got '" + t + "'");
    }
    return Status::Ok();
  }
  static Status Integer(const YAML::Node& v, int64_t& out) {
    std::string t;
    TAI_RETURN_IF_ERROR(Text(v, t));
    auto r = std::from_chars(t.data(), t.data() + t.size(), out);
    if (r.ec != std::errc() || r.ptr != t.data() + t.size()) {
      return InvalidArgumentError("expected a whole number, got '" + t + "'");
    }
    return Status::Ok();
  }
  static Status Bool(const YAML::Node& v, bool& out) {
    std::string t;
    TAI_RETURN_IF_ERROR(Text(v, t));
    TAI_ASSIGN_OR_RETURN(out, ParseBool(t));
    return Status::Ok();
  }
  static Status Duration(const YAML::Node& v, std::chrono::nanoseconds& out) {
    std::string t;
    TAI_RETURN_IF_ERROR(Text(v, t));
    // Days too, for SLO windows ("30d"): the core parser stops at hours.
    if (t.size() > 1 && t.ends_with('d')) {
      double days = 0;
      auto r = std::from_chars(t.data(), t.data() + t.size() - 1, days);
      if (r.ec == std::errc() && r.ptr == t.data() + t.size() - 1 && days >= 0) {
        out = std::chrono::nanoseconds(static_cast<int64_t>(days * 86'400e9));
        return Status::Ok();
      }
    }
    auto d = ParseDuration(t);
    if (!d.ok()) return InvalidArgumentError("bad duration '" + t + "': " + d.status().message());
    out = *d;
    return Status::Ok();
  }
  static Status List(const YAML::Node& v, std::vector<std::string>& out) {
    if (!v.IsSequence()) return InvalidArgumentError("expected a list");
    for (const auto& item : v) {
      std::string t;
      TAI_RETURN_IF_ERROR(Text(item, t));
      out.push_back(std::move(t));
    }
    return Status::Ok();
  }
  static Status Map(const YAML::Node& v, std::map<std::string, std::string>& out) {
    if (!v.IsMap()) return InvalidArgumentError("expected a mapping of names to values");
    for (const auto& kv : v) {
      std::string t;
      TAI_RETURN_IF_ERROR(Text(kv.second, t));
      out[kv.first.as<std::string>()] = std::move(t);
    }
    return Status::Ok();
  }

  static Status Matchers(const YAML::Node& v, std::vector<LabelMatcher>& out) {
    std::vector<std::string> texts;
    TAI_RETURN_IF_ERROR(List(v, texts));
    for (const std::string& t : texts) {
      TAI_ASSIGN_OR_RETURN(LabelMatcher m, ParseLabelMatcher(t));
      out.push_back(std::move(m));
    }
    return Status::Ok();
  }

 private:
  const YAML::Node& node_;
  std::string field_;
};

// Reads the fields of one SLO (Slo's names); the first bad field ends it.
class SloReader {
 public:
  explicit SloReader(const YAML::Node& node) : node_(node) {}

  Status Read(Slo& slo) {
    if (!node_.IsMap()) return InvalidArgumentError("an slo must be a mapping of fields");
    // The naming fields first, so that errors in other fields name the SLO.
    for (const char* key : {"id", "metric"}) {
      if (const YAML::Node v = node_[key]) {
        field_ = key;
        TAI_RETURN_IF_ERROR(RuleReader::Text(v, key == std::string("id") ? slo.id : slo.metric));
      }
    }
    bool objective = false, budget = false;
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (key == "id" || key == "metric") continue;
      field_ = key;
      objective |= key == "objective";
      budget |= key == "error_budget";
      if (objective && budget) {
        return InvalidArgumentError("give 'objective' or 'error_budget', not both");
      }
      TAI_RETURN_IF_ERROR(ReadField(key, kv.second, slo));
    }
    field_.clear();
    return Status::Ok();
  }
  const std::string& field() const { return field_; }

 private:
  Status ReadField(const std::string& key, const YAML::Node& v, Slo& slo) {
    if (key == "threshold") return RuleReader::Number(v, slo.threshold);
    if (key == "window") return RuleReader::Duration(v, slo.window);
    if (key == "error_budget") return RuleReader::Number(v, slo.error_budget);
    if (key == "objective") return Objective(v, slo);
    if (key == "display_name") return RuleReader::Text(v, slo.display_name);
    if (key == "kind") {
      std::string text;
      TAI_RETURN_IF_ERROR(RuleReader::Text(v, text));
      TAI_ASSIGN_OR_RETURN(slo.kind, ParseSliKind(text));
      return Status::Ok();
    }
    if (key == "good_metric") return RuleReader::Text(v, slo.good_metric);
    if (key == "bad_metric") return RuleReader::Text(v, slo.bad_metric);
    if (key == "total_metric") return RuleReader::Text(v, slo.total_metric);
    if (key == "matchers") return RuleReader::Matchers(v, slo.matchers);
    if (key == "min_events") {
      int64_t n = 0;
      TAI_RETURN_IF_ERROR(RuleReader::Integer(v, n));
      if (n < 0) return InvalidArgumentError("must not be negative, got " + std::to_string(n));
      slo.min_events = static_cast<uint64_t>(n);
      return Status::Ok();
    }
    if (key == "burn_rate_alerts") return BurnRateAlerts(v, slo.burn_rate_alerts);
    if (key == "notification_channels") return RuleReader::List(v, slo.notification_channels);
    if (key == "labels") return RuleReader::Map(v, slo.labels);
    if (key == "annotations") return RuleReader::Map(v, slo.annotations);
    if (key == "interval") return RuleReader::Duration(v, slo.interval);
    return InvalidArgumentError("unknown field");
  }

  // "99.9%" or 0.999: the fraction of good events, 1 - error_budget.
  static Status Objective(const YAML::Node& v, Slo& slo) {
    std::string t;
    TAI_RETURN_IF_ERROR(RuleReader::Text(v, t));
    const bool percent = t.ends_with('%');
    const std::string digits = percent ? t.substr(0, t.size() - 1) : t;
    double value = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
      return InvalidArgumentError("expected a fraction (0.999) or a percentage (99.9%), got '" + t +
                                  "'");
    }
    if (percent) value /= 100;
    if (!(value > 0 && value < 1)) {
      return InvalidArgumentError("must be between 0 and 1 (0% and 100%), exclusive, got '" + t +
                                  "'");
    }
    slo.error_budget = 1 - value;
    return Status::Ok();
  }

  // A list replaces the defaults (an empty list: no burn-rate alert).
  static Status BurnRateAlerts(const YAML::Node& v, std::vector<BurnRateAlert>& out) {
    if (!v.IsSequence()) return InvalidArgumentError("expected a list");
    out.clear();
    int index = 0;
    for (const auto& item : v) {
      ++index;
      const std::string where = "entry #" + std::to_string(index) + ": ";
      if (!item.IsMap()) return InvalidArgumentError(where + "expected a mapping of fields");
      BurnRateAlert a;
      for (const auto& kv : item) {
        const std::string key = kv.first.as<std::string>();
        Status s = InvalidArgumentError("unknown field");
        if (key == "factor") s = RuleReader::Number(kv.second, a.factor);
        if (key == "long_window") s = RuleReader::Duration(kv.second, a.long_window);
        if (key == "short_window") s = RuleReader::Duration(kv.second, a.short_window);
        if (key == "severity") s = RuleReader::Text(kv.second, a.severity);
        if (!s.ok()) return InvalidArgumentError(where + "field '" + key + "': " + s.message());
      }
      out.push_back(std::move(a));
    }
    return Status::Ok();
  }

  const YAML::Node& node_;
  std::string field_;
};

// "rule 'x': field 'y': what" from the validators becomes "field 'y': what":
// the caller names the rule with its position.
std::string WithoutRulePrefix(const std::string& message, const std::string& id,
                              const std::string& what = "rule") {
  const std::string prefix = what + " '" + id + "': ";
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

// The annotation templates of an SLO, checked as the engine will.
Status CheckSloTemplates(const Slo& slo) {
  for (const auto& [key, text] : slo.annotations) {
    auto t = internal::AlertTemplate::Parse(text);
    if (!t.ok()) {
      return InvalidArgumentError("field 'annotations." + key + "': " + t.status().message());
    }
  }
  return Status::Ok();
}

void ParseSlos(const YAML::Node& slos, const std::string& file, RuleFile& out,
               std::vector<std::string>& errors) {
  if (!slos || slos.IsNull()) return;
  if (!slos.IsSequence()) {
    errors.push_back(file + ": field 'slos': expected a list of slos");
    return;
  }
  std::set<std::string> ids;
  int index = 0;
  for (const auto& node : slos) {
    ++index;
    Slo slo;
    SloReader reader(node);
    Status s = reader.Read(slo);
    const std::string who = file + ": slo '" + SloId(slo) + "' (#" + std::to_string(index) + ")";
    if (!s.ok()) {
      errors.push_back(who + ": field '" + reader.field() + "': " + s.message());
      continue;
    }
    Status valid = ValidateSlo(slo);
    if (valid.ok()) valid = CheckSloTemplates(slo);
    if (!valid.ok()) {
      errors.push_back(who + ": " + WithoutRulePrefix(valid.message(), SloId(slo), "slo"));
      continue;
    }
    if (!ids.insert(SloId(slo)).second) {
      errors.push_back(who + ": field 'id': another slo has this id");
      continue;
    }
    out.slos.push_back(std::move(slo));
  }
}

// Reads one notifier's fields (NotifierSpec's names); the first bad field
// ends it.
Status ReadNotifier(const YAML::Node& node, NotifierSpec& spec, std::string& field) {
  if (!node.IsMap()) return InvalidArgumentError("a notifier must be a mapping of fields");
  const std::pair<const char*, std::string*> fields[] = {
      {"name", &spec.name},
      {"type", &spec.type},
      {"url", &spec.url},
      {"url_env", &spec.url_env},
      {"routing_key", &spec.routing_key},
      {"routing_key_env", &spec.routing_key_env}};
  for (const auto& kv : node) {
    field = kv.first.as<std::string>();
    auto it = std::find_if(std::begin(fields), std::end(fields),
                           [&](const auto& f) { return field == f.first; });
    if (it == std::end(fields)) return InvalidArgumentError("unknown field");
    TAI_RETURN_IF_ERROR(RuleReader::Text(kv.second, *it->second));
  }
  field.clear();
  return Status::Ok();
}

void ParseNotifiers(const YAML::Node& list, const std::string& file, RuleFile& out,
                    std::vector<std::string>& errors) {
  if (!list || list.IsNull()) return;
  if (!list.IsSequence()) {
    errors.push_back(file + ": field 'notifiers': expected a list of notifiers");
    return;
  }
  std::set<std::string> names;
  int index = 0;
  for (const auto& node : list) {
    ++index;
    NotifierSpec spec;
    std::string field;
    Status s = ReadNotifier(node, spec, field);
    const std::string who =
        file + ": notifier '" + spec.name + "' (#" + std::to_string(index) + ")";
    if (!s.ok()) {
      errors.push_back(who + ": field '" + field + "': " + s.message());
    } else if (Status valid = ValidateNotifierSpec(spec); !valid.ok()) {
      errors.push_back(who + ": " + valid.message());
    } else if (!names.insert(spec.name).second) {
      errors.push_back(who + ": field 'name': another notifier has this name");
    } else {
      out.notifiers.push_back(std::move(spec));
    }
  }
}

Status ParseTree(const YAML::Node& root, std::string_view name, RuleFile& out) {
  const std::string file(name);
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) {
    return InvalidArgumentError(file +
                                ": expected a mapping with a 'rules' or 'slos' list at the top");
  }
  std::vector<std::string> errors;
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key != "rules" && key != "slos" && key != "notifiers")
      errors.push_back(file + ": field '" + key + "': unknown field");
  }
  const YAML::Node rules = root["rules"];
  if (rules && !rules.IsNull() && !rules.IsSequence()) {
    errors.push_back(file + ": field 'rules': expected a list of rules");
  } else if (rules && rules.IsSequence()) {
    std::set<std::string> ids;
    int index = 0;
    for (const auto& node : rules) {
      ++index;
      AlertingRule rule;
      RuleReader reader(node);
      Status s = reader.Read(rule);
      const std::string who = file + ": rule '" + rule.id + "' (#" + std::to_string(index) + ")";
      if (!s.ok()) {
        errors.push_back(who + ": field '" + reader.field() + "': " + s.message());
        continue;
      }
      Status valid = ValidateAlertingRule(rule);
      if (valid.ok()) valid = internal::MakeAlertTrackerSettings(rule, "").status();
      if (!valid.ok()) {
        errors.push_back(who + ": " + WithoutRulePrefix(valid.message(), rule.id));
        continue;
      }
      if (!ids.insert(rule.id).second) {
        errors.push_back(who + ": field 'id': another rule has this id");
        continue;
      }
      out.rules.push_back(std::move(rule));
    }
  }
  ParseSlos(root["slos"], file, out, errors);
  ParseNotifiers(root["notifiers"], file, out, errors);
  if (errors.empty()) return Status::Ok();
  std::string message;
  for (const std::string& e : errors) message += (message.empty() ? "" : "\n") + e;
  return InvalidArgumentError(message);
}

}  // namespace

Result<RuleFile> ParseRuleFile(std::string_view text, std::string_view name,
                               RuleFileFormat format) {
  YAML::Node root;
  const std::string file(name);
  if (format == RuleFileFormat::kJson) {
    auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return InvalidArgumentError(file + ": not valid JSON");
    root = FromJson(j);
  } else {
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      return InvalidArgumentError(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                                  std::to_string(e.mark.column + 1) + ": not valid YAML: " + e.msg);
    }
  }
  RuleFile out;
  try {
    TAI_RETURN_IF_ERROR(ParseTree(root, name, out));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(file + ": " + e.msg);
  }
  return out;
}

Result<RuleFile> LoadRuleFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open the rule file");
  std::stringstream text;
  text << in.rdbuf();
  return ParseRuleFile(text.str(), path,
                       path.ends_with(".json") ? RuleFileFormat::kJson : RuleFileFormat::kYaml);
}

}  // namespace tai
