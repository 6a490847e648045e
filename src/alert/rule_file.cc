#include "tai/alert/rule_file.h"

#include <yaml-cpp/yaml.h>

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
    if (key == "matchers") {
      std::vector<std::string> texts;
      TAI_RETURN_IF_ERROR(List(v, texts));
      for (const std::string& t : texts) {
        TAI_ASSIGN_OR_RETURN(LabelMatcher m, ParseLabelMatcher(t));
        r.matchers.push_back(std::move(m));
      }
      return Status::Ok();
    }
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

  const YAML::Node& node_;
  std::string field_;
};

// "rule 'x': field 'y': what" from the validators becomes "field 'y': what":
// the caller names the rule with its position.
std::string WithoutRulePrefix(const std::string& message, const std::string& id) {
  const std::string prefix = "rule '" + id + "': ";
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

Status ParseTree(const YAML::Node& root, std::string_view name, RuleFile& out) {
  const std::string file(name);
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) {
    return InvalidArgumentError(file + ": expected a mapping with a 'rules' list at the top");
  }
  std::vector<std::string> errors;
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key != "rules") errors.push_back(file + ": field '" + key + "': unknown field");
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
