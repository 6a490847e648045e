#include "gcp/api_client.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "export/delivery/http_delivery.h"
#include "tai/core/parse.h"

namespace tai::gcp {

Status GcpApiOptions::Validate(std::string_view api) const {
  if (project_id.empty()) {
    return InvalidArgumentError(std::string(api) + " exporter: the project id is empty");
  }
  return endpoints.Validate();
}

}  // namespace tai::gcp

namespace tai::internal {

std::string FormEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

std::optional<std::chrono::milliseconds> RetryDelayFromErrorBody(std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return std::nullopt;
  const nlohmann::json& details = j["error"].value("details", nlohmann::json::array());
  if (!details.is_array()) return std::nullopt;
  for (const nlohmann::json& d : details) {
    if (!d.is_object() || !d.contains("retryDelay") || !d["retryDelay"].is_string()) continue;
    const std::string type = d.value("@type", "");
    if (!type.ends_with("google.rpc.RetryInfo")) continue;
    auto delay = ParseDuration(d["retryDelay"].get<std::string>());
    if (delay.ok()) return *delay;
  }
  return std::nullopt;
}

Status GcpApiResponse::ToStatus(const std::string& api_name) const {
  if (ok()) return Status::Ok();
  return Status(http_status == 400 ? StatusCode::kInvalidArgument : StatusCode::kUnavailable,
                api_name + ": HTTP " + std::to_string(http_status) + ": " + body.substr(0, 300));
}

GcpApiClient::GcpApiClient(const gcp::GcpApiOptions& options, std::string api_name)
    : options_(options), api_name_(std::move(api_name)) {}

std::string RetargetApiUrl(std::string_view url, std::string_view endpoint,
                           std::string_view project) {
  const size_t scheme = url.find("://");
  const size_t path = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  std::string out(endpoint);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (path == std::string_view::npos) return out;
  std::string_view rest = url.substr(path);
  constexpr std::string_view kProjects = "/projects/";
  const size_t p = rest.find(kProjects);
  if (p == std::string_view::npos || project.empty()) return out + std::string(rest);
  const size_t id = p + kProjects.size();
  size_t end = rest.find_first_of("/:", id);
  if (end == std::string_view::npos) end = rest.size();
  return out + std::string(rest.substr(0, id)) + std::string(project) +
         std::string(rest.substr(end));
}

namespace {

// The project id after the first "projects/" of `text` ("" when none).
std::string_view ProjectIn(std::string_view text) {
  constexpr std::string_view kProjects = "projects/";
  const size_t p = text.find(kProjects);
  if (p == std::string_view::npos) return {};
  const size_t id = p + kProjects.size();
  const size_t end = text.find_first_of("/:\"", id);
  return text.substr(id, end == std::string_view::npos ? text.size() - id : end - id);
}

// "https://host:port" of `url`.
std::string_view Origin(std::string_view url) {
  const size_t scheme = url.find("://");
  return url.substr(0, url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3));
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

}  // namespace

RetargetedRequest RetargetApiRequest(std::string_view url, std::string_view body,
                                     std::string_view endpoint, std::string_view project) {
  RetargetedRequest r{RetargetApiUrl(url, endpoint, project), std::string(body), false};
  // Compared as the URL is rebuilt, so that a trailing '/' on the endpoint
  // is no change.
  r.retargeted = r.url != RetargetApiUrl(url, Origin(url), ProjectIn(url));
  std::string_view old = ProjectIn(url);
  if (old.empty()) old = ProjectIn(body);
  if (old.empty() || project.empty() || old == project) return r;
  // Only the fields the exporters write: a key followed by its value's
  // opening quote cannot occur inside a JSON string, where quotes are
  // escaped, so log text that names the old project is left alone.
  const std::string from(old), to(project);
  for (const char* key : {"logName", "trace", "name"}) {
    const std::string field = "\"" + std::string(key) + "\":\"projects/";
    ReplaceAll(r.body, field + from + "/", field + to + "/");
  }
  ReplaceAll(r.body, "\"project_id\":\"" + from + "\"", "\"project_id\":\"" + to + "\"");
  r.retargeted = true;
  return r;
}

std::unique_ptr<DeliveryQueue> MakeApiQueue(const gcp::GcpApiOptions& options, std::string api_name,
                                            const std::string& name, std::string endpoint) {
  // The client keeps a reference to its options: they travel together.
  struct Transport {
    Transport(const gcp::GcpApiOptions& o, std::string api)
        : api_options(o), api_client(api_options, std::move(api)) {}
    const gcp::GcpApiOptions api_options;
    GcpApiClient api_client;
  };
  auto transport = std::make_shared<Transport>(options, std::move(api_name));
  DeliveryOptions delivery = options.delivery;
  if (!delivery.spill_directory.empty()) delivery.spill_directory += "/" + name;
  return std::make_unique<DeliveryQueue>(
      name, std::move(delivery),
      [transport, endpoint = std::move(endpoint)](const std::string& url, const std::string& body) {
        RetargetedRequest now =
            RetargetApiRequest(url, body, endpoint, transport->api_options.project_id);
        return transport->api_client.PostOnce(now.url, now.body,
                                              now.retargeted ? std::string_view(url) : "");
      });
}

DeliveryAttempt GcpApiClient::PostOnce(const std::string& url, const std::string& body,
                                       std::string_view made_for) {
  Result<GcpApiResponse> response = Call("POST", url, body, {.max_attempts = 1});
  if (!response.ok()) return {DeliveryAttempt::kRetry, {}, response.status().message()};
  if (response->ok()) return {};
  const int status = response->http_status;
  if (!made_for.empty() && (status == 401 || status == 403)) {
    return {DeliveryAttempt::kRejected,
            {},
            response->ToStatus(api_name_).message() + " (a request made for " +
                std::string(made_for) +
                " before the endpoint or project changed: dropped rather than held until the "
                "new configuration's permission covers it)"};
  }
  return ClassifyHttpAnswer(response->http_status, response->retry_delay,
                            response->ToStatus(api_name_).message());
}

Status GcpApiClient::PostJson(const std::string& url, std::string body) {
  TAI_ASSIGN_OR_RETURN(auto response, Call("POST", url, std::move(body)));
  return response.ToStatus(api_name_);
}

Result<GcpApiResponse> GcpApiClient::Call(const std::string& method, const std::string& url,
                                          std::string body, const GcpCallOptions& call) {
  HttpClientRequest request;
  request.method = method;
  request.url = url;
  request.headers = {{"Content-Type", "application/json"}};
  if (options_.tokens) {
    TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(auto auth, options_.tokens->AuthorizationHeader(), api_name_);
    request.headers.emplace_back("Authorization", std::move(auth));
  }
  request.body = std::move(body);
  request.gzip_body = true;
  request.timeout = call.timeout.count() > 0 ? call.timeout : options_.timeout;
  request.cancel = call.cancel;
  RetryPolicy policy;
  policy.max_attempts = call.max_attempts > 0 ? call.max_attempts : options_.max_attempts;
  policy.initial_backoff = options_.initial_backoff;
  policy.max_backoff = options_.max_backoff;
  // One attempt goes straight to Send, so that a retryable status (429,
  // 503) still comes back as a response with its retry delay.
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(HttpClientResponse response,
                                    policy.max_attempts == 1
                                        ? client_.Send(request)
                                        : SendWithRetry(client_, request, policy, call.sleep_for),
                                    api_name_ + " " + url);
  GcpApiResponse out;
  out.http_status = response.status;
  out.body = std::move(response.body);
  if (!out.ok()) {
    out.retry_delay = RetryDelayFromErrorBody(out.body);
    if (!out.retry_delay) out.retry_delay = response.RetryAfter();
  }
  return out;
}

}  // namespace tai::internal
