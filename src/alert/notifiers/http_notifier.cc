#include "alert/notifiers/http_notifier.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"
#include "tai/alert/notifiers.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

constexpr std::string_view kRedacted = "[REDACTED]";

struct UrlParts {
  std::string_view scheme;
  std::string_view host_port;  // without user info
  std::string_view rest;       // path, query and fragment
};

bool ParseUrl(std::string_view url, UrlParts* out) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  out->scheme = url.substr(0, sep);
  for (char c : out->scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  std::string_view after = url.substr(sep + 3);
  const size_t end = after.find_first_of("/?#");
  std::string_view authority = after.substr(0, end);
  out->rest = end == std::string_view::npos ? std::string_view() : after.substr(end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  out->host_port = authority;
  return !authority.empty();
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  UrlParts parts;
  if (!ParseUrl(url, &parts)) return std::string(kRedacted);
  std::string out = std::string(parts.scheme) + "://" + std::string(parts.host_port);
  if (!parts.rest.empty() && parts.rest != "/") out += "/…";
  return out;
}

namespace internal {

Status CheckNotifierUrl(std::string_view field, std::string_view url) {
  if (url.empty()) return InvalidArgumentError(std::string(field) + " is required");
  UrlParts parts;
  const bool clean = std::none_of(url.begin(), url.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  });
  if (!clean || !ParseUrl(url, &parts) || (parts.scheme != "http" && parts.scheme != "https") ||
      parts.host_port.starts_with(':')) {
    return InvalidArgumentError(std::string(field) + " '" + RedactUrl(url) +
                                "' is not an http:// or https:// URL with a host");
  }
  return Status::Ok();
}

std::string AlertTime(int64_t wall_nanos) {
  return wall_nanos == 0 ? "0001-01-01T00:00:00Z" : FormatRfc3339(wall_nanos);
}

std::string AlertSummary(const Alert& alert) {
  if (auto it = alert.annotations.find("summary");
      it != alert.annotations.end() && !it->second.empty()) {
    return it->second;
  }
  if (const std::string* name = alert.labels.Find("alertname")) return *name;
  return alert.rule_id;
}

HttpNotifier::HttpNotifier(std::string name, std::string description,
                           std::vector<std::string> secrets, std::chrono::milliseconds timeout)
    : name_(std::move(name)),
      description_(std::move(description)),
      secrets_([&] {
        // A URL's path alone is a secret too (Slack's is the credential);
        // longest first, so a whole URL is replaced before its path.
        std::vector<std::string> all;
        for (const std::string& s : secrets) {
          if (s.empty()) continue;
          all.push_back(s);
          UrlParts parts;
          if (ParseUrl(s, &parts) && parts.rest.size() > 1) all.emplace_back(parts.rest);
        }
        std::sort(all.begin(), all.end(),
                  [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
        return all;
      }()),
      timeout_(timeout) {}

HttpNotifier::~HttpNotifier() = default;

std::string HttpNotifier::Scrub(std::string text) const {
  auto replace_all = [&text](const std::string& secret, const std::string& with) {
    for (size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + with.size())) {
      text.replace(at, secret.size(), with);
    }
  };
  for (const std::string& secret : secrets_) {
    UrlParts parts;
    const std::string with = ParseUrl(secret, &parts) ? RedactUrl(secret) : std::string(kRedacted);
    replace_all(secret, with);
    // As a JSON answer would echo it.
    std::string escaped;
    for (char c : secret) {
      if (c == '/') escaped += '\\';
      escaped += c;
    }
    if (escaped != secret) replace_all(escaped, with);
  }
  return text;
}

NotifyOutcome HttpNotifier::PostJson(
    const std::string& url, std::string body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  if (client_ == nullptr) client_ = std::make_unique<HttpClient>();
  HttpClientRequest request{.url = url, .body = std::move(body), .timeout = timeout_};
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  request.cancel = &cancel_;

  NotifyOutcome outcome;
  Result<HttpClientResponse> response = client_->Send(request);
  if (!response.ok()) {
    const Status& error = response.status();
    outcome.retryable = error.code() != StatusCode::kCancelled;
    outcome.status = Status(error.code(), name_ + ": " + Scrub(error.message()));
    return outcome;
  }
  outcome.http_status = response->status;
  if (response->status >= 200 && response->status < 300) return outcome;

  outcome.retryable = IsRetryableStatus(response->status) || response->status >= 500;
  if (auto after = response->RetryAfter()) outcome.retry_after = *after;
  // Scrubbed before it is cut short, so no part of a secret is left.
  std::string answer = Scrub(response->body);
  std::replace_if(
      answer.begin(), answer.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  const std::string message(Utf8Prefix(TrimSpaces(answer), 300));
  StatusCode code = StatusCode::kFailedPrecondition;
  if (outcome.retryable) {
    code = StatusCode::kUnavailable;
  } else if (response->status == 400 || response->status == 422) {
    code = StatusCode::kInvalidArgument;
  } else if (response->status == 401) {
    code = StatusCode::kUnauthenticated;
  } else if (response->status == 403) {
    code = StatusCode::kPermissionDenied;
  } else if (response->status == 404) {
    code = StatusCode::kNotFound;
  }
  outcome.status = Status(
      code, Scrub(name_ + ": " + RedactUrl(url) + " answered " + std::to_string(response->status) +
                  (message.empty() ? "" : ": ") + message));
  return outcome;
}

}  // namespace internal
}  // namespace tai
