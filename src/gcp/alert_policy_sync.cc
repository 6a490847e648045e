#include "tai/gcp/alert_policy_sync.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/hash.h"
#include "core/text.h"
#include "gcp/api_client.h"

namespace tai::gcp {
namespace {

using nlohmann::json;

constexpr const char* kManaged = "tai_managed";
constexpr const char* kScope = "tai_scope";
constexpr const char* kRuleId = "tai_rule_id";
constexpr const char* kSpec = "tai_spec";
// Every field the rule export writes; a field missing from the body is
// cleared. Not `enabled`: a person may switch one of ours off.
constexpr const char* kUpdateMask =
    "displayName,documentation,conditions,combiner,notificationChannels,userLabels,severity";
constexpr int kPageSize = 100;

std::string HexHash(std::string_view s) {
  const uint64_t h = internal::HashBytes(s, 0x7461692d73706563ULL);  // "tai-spec"
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(h >> (56 - 8 * i));
  std::string out;
  internal::AppendHex(out, bytes, sizeof bytes);
  return out;
}

std::string LabelOf(const json& policy, const char* key) {
  const json* labels = policy.contains("userLabels") ? &policy["userLabels"] : nullptr;
  if (labels == nullptr || !labels->is_object() || !labels->contains(key)) return "";
  const json& v = (*labels)[key];
  return v.is_string() ? v.get<std::string>() : "";
}

// "HTTP 400 INVALID_ARGUMENT: <the API's message>", with the code a caller
// can act on: refusals are not retried, outages are.
Status ApiError(const internal::GcpApiResponse& r) {
  const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  std::string message = r.body.substr(0, 300);
  std::string status;
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    message = body["error"].value("message", message);
    status = body["error"].value("status", "");
  }
  const int s = r.http_status;
  const StatusCode code = s == 400 || s == 409   ? StatusCode::kInvalidArgument
                          : s == 404             ? StatusCode::kNotFound
                          : s == 401 || s == 403 ? StatusCode::kFailedPrecondition
                                                 : StatusCode::kUnavailable;
  return Status(
      code, "HTTP " + std::to_string(s) + (status.empty() ? "" : " " + status) + ": " + message);
}

class Syncer {
 public:
  explicit Syncer(const AlertPolicySyncOptions& o)
      : o_(o), client_(o_.api, "Cloud Monitoring"), base_(o.api.endpoints.monitoring + "/v3/") {}

  Result<std::vector<json>> ListAll() {
    std::vector<json> all;
    std::string token;
    do {
      std::string url = base_ + "projects/" + o_.api.project_id +
                        "/alertPolicies?pageSize=" + std::to_string(kPageSize);
      if (!token.empty()) url += "&pageToken=" + internal::FormEncode(token);
      TAI_ASSIGN_OR_RETURN(json page, Send("GET", url, ""));
      if (page.contains("alertPolicies") && page["alertPolicies"].is_array()) {
        for (json& p : page["alertPolicies"]) all.push_back(std::move(p));
      }
      token = page.value("nextPageToken", "");
    } while (!token.empty());
    return all;
  }

  Status Create(const json& body) {
    return Send("POST", base_ + "projects/" + o_.api.project_id + "/alertPolicies", body.dump())
        .status();
  }
  Status Patch(const std::string& name, json body) {
    body["name"] = name;
    return Send("PATCH", base_ + name + "?updateMask=" + internal::FormEncode(kUpdateMask),
                body.dump())
        .status();
  }
  Status Delete(const std::string& name) { return Send("DELETE", base_ + name, "").status(); }

  bool cancelled() const { return o_.cancel != nullptr && o_.cancel->load(); }

 private:
  Result<json> Send(const std::string& method, const std::string& url, std::string body) {
    if (cancelled()) return UnavailableError("cancelled (shutdown)");
    TAI_ASSIGN_OR_RETURN(internal::GcpApiResponse r,
                         client_.Call(method, url, std::move(body),
                                      {.cancel = o_.cancel, .sleep_for = o_.sleep_for}));
    if (!r.ok()) return ApiError(r);
    json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
      return UnavailableError("the answer is not JSON: " + r.body.substr(0, 200));
    return j;
  }

  const AlertPolicySyncOptions& o_;
  internal::GcpApiClient client_;
  const std::string base_;
};

// Our policies of this scope, by tai_rule_id.
std::map<std::string, std::vector<json>> Ours(std::vector<json> all, const std::string& scope) {
  std::map<std::string, std::vector<json>> ours;
  for (json& p : all) {
    if (LabelOf(p, kManaged) != "true" || LabelOf(p, kScope) != scope) continue;
    const std::string id = LabelOf(p, kRuleId);
    if (!id.empty() && p.contains("name") && p["name"].is_string()) {
      ours[id].push_back(std::move(p));
    }
  }
  for (auto& [id, list] : ours) {
    std::sort(list.begin(), list.end(), [](const json& a, const json& b) {
      return a["name"].get<std::string>() < b["name"].get<std::string>();
    });
  }
  return ours;
}

// The body with our markers, or why it cannot be sent.
Result<json> Marked(const ManagedAlertPolicy& p, const std::string& key_label,
                    const std::string& scope) {
  TAI_RETURN_IF_ERROR(p.error);
  json body = json::parse(p.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return InvalidArgumentError("the alert policy body is not a JSON object");
  const std::string spec = HexHash(body.dump());
  json& labels = body["userLabels"];
  if (!labels.is_object()) labels = json::object();
  labels[kManaged] = "true";
  labels[kRuleId] = key_label;
  labels[kSpec] = spec;
  if (!scope.empty()) labels[kScope] = scope;
  return body;
}

}  // namespace

std::string AlertPolicyKeyLabel(std::string_view key) {
  const std::string text = internal::GoogleLabelText(key);
  if (text == key && !text.empty()) return text;
  return text.substr(0, 46) + "-" + HexHash(key);
}

Status AlertPolicySyncReport::status() const {
  if (errors.empty()) return Status::Ok();
  std::string message;
  for (const Status& e : errors) message += (message.empty() ? "" : "\n") + e.message();
  return Status(errors.front().code(), std::move(message));
}

bool AlertPolicySyncReport::retryable() const {
  return std::any_of(errors.begin(), errors.end(),
                     [](const Status& e) { return e.code() == StatusCode::kUnavailable; });
}

Result<AlertPolicySyncReport> SyncAlertPolicies(const std::vector<ManagedAlertPolicy>& policies,
                                                const AlertPolicySyncOptions& options) {
  TAI_RETURN_IF_ERROR(options.api.Validate("Cloud Monitoring alert policies"));
  const std::string scope = internal::GoogleLabelText(options.scope);
  Syncer api(options);
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(
      std::vector<json> all, api.ListAll(),
      "listing the alert policies of project " + options.api.project_id);
  std::map<std::string, std::vector<json>> ours = Ours(std::move(all), scope);
  AlertPolicySyncReport report;
  auto fail = [&](const std::string& what, std::string_view doing, const Status& s) {
    report.errors.push_back(s.WithContext(what + ": " + std::string(doing)));
  };
  // Extra copies first, so that what follows patches the one that stays.
  for (auto& [id, list] : ours) {
    while (list.size() > 1) {
      const std::string name = list.back()["name"].get<std::string>();
      if (Status s = api.Delete(name); !s.ok()) {
        fail("alert policy " + name, "deleting a duplicate", s);
      } else {
        ++report.deleted;
      }
      list.pop_back();
    }
  }
  std::map<std::string, const ManagedAlertPolicy*> wanted;
  for (const ManagedAlertPolicy& p : policies) {
    const std::string label = AlertPolicyKeyLabel(p.key);
    if (auto [it, fresh] = wanted.emplace(label, &p); !fresh) {
      fail(p.what, "its key",
           InvalidArgumentError("'" + p.key + "' is also the key of " + it->second->what));
      continue;
    }
    if (api.cancelled()) break;
    if (!p.error.ok()) {  // the rule's own error already names it
      report.errors.push_back(p.error);
      continue;
    }
    auto body = Marked(p, label, scope);
    if (!body.ok()) {
      fail(p.what, "making its alert policy", body.status());
      continue;
    }
    auto existing = ours.find(label);
    if (existing == ours.end()) {
      if (Status s = api.Create(*body); !s.ok()) {
        fail(p.what, "creating its alert policy", s);
      } else {
        ++report.created;
      }
    } else if (LabelOf(existing->second.front(), kSpec) == (*body)["userLabels"][kSpec]) {
      ++report.unchanged;
    } else if (Status s =
                   api.Patch(existing->second.front()["name"].get<std::string>(), std::move(*body));
               !s.ok()) {
      fail(p.what, "updating its alert policy", s);
    } else {
      ++report.updated;
    }
  }
  // A cancelled sync has not seen every key: none of ours is an orphan yet.
  if (!options.delete_orphans || api.cancelled()) return report;
  for (const auto& [id, list] : ours) {
    if (wanted.count(id)) continue;
    const std::string name = list.front()["name"].get<std::string>();
    if (Status s = api.Delete(name); !s.ok()) {
      fail("alert policy " + name + " (" + id + ")", "deleting it (its rule is gone)", s);
    } else {
      ++report.deleted;
    }
  }
  return report;
}

}  // namespace tai::gcp
