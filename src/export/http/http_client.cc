#include "export/http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>
#include <thread>

#include "core/gzip.h"
#include "tai/core/ids.h"

namespace tai::internal {
namespace {

std::once_flag g_curl_init;

size_t WriteBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* out) {
  std::string_view line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    static_cast<std::vector<std::pair<std::string, std::string>>*>(out)->emplace_back(
        std::move(name), std::string(value));
  }
  return size * n;
}

// libcurl calls this often while data moves and about once a second while
// idle; a non-zero return aborts the transfer.
int CheckCancel(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load(std::memory_order_relaxed) ? 1 : 0;
}

}  // namespace

std::string_view HttpClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return {};
}

std::optional<std::chrono::milliseconds> HttpClientResponse::RetryAfter() const {
  std::string v(Header("retry-after"));
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::chrono::seconds(std::stoll(v.substr(0, 9)));
  }
  time_t when = curl_getdate(v.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  time_t now = time(nullptr);
  return std::chrono::seconds(std::max<time_t>(0, when - now));
}

HttpClient::HttpClient() {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<HttpClientResponse> HttpClient::Send(const HttpClientRequest& request) {
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) return InternalError("libcurl could not make a handle");
  curl_easy_reset(c);
  HttpClientResponse response;
  // A GET or HEAD sends no body, so it says nothing of the body's coding.
  const bool sends_body = request.method != "GET" && request.method != "HEAD";
  const bool gzip = request.gzip_body && sends_body;
  std::string body = gzip ? GzipCompress(request.body) : std::string();
  const std::string& payload = gzip ? body : request.body;

  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers)
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  if (gzip) headers = curl_slist_append(headers, "Content-Encoding: gzip");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (sends_body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  }
  if (request.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(request.timeout.count(), 5000)));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);         // never SIGALRM the host application
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // accept and decode gzip responses
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (request.cancel != nullptr) {
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, CheckCancel);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(request.cancel));
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  }

  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    std::string what = request.method + " " + request.url + ": " + curl_easy_strerror(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) return DeadlineExceededError(what);
    if (rc == CURLE_ABORTED_BY_CALLBACK) return Status(StatusCode::kCancelled, what);
    return UnavailableError(what);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

bool IsRetryableStatus(int status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

Result<HttpClientResponse> SendWithRetry(
    HttpClient& client, const HttpClientRequest& request, const RetryPolicy& policy,
    const std::function<bool(std::chrono::milliseconds)>& sleep_for) {
  auto wait = [&](std::chrono::milliseconds d) {
    if (sleep_for) return sleep_for(d);
    std::this_thread::sleep_for(d);
    return true;
  };
  std::chrono::milliseconds backoff = policy.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    Result<HttpClientResponse> r = client.Send(request);
    bool retryable = !r.ok() || IsRetryableStatus(r->status);
    if (!retryable) return r;
    if (attempt >= std::max(1, policy.max_attempts)) {
      if (r.ok()) {
        return UnavailableError(request.url + " answered " + std::to_string(r->status) + " after " +
                                std::to_string(attempt) + " attempts: " + r->body.substr(0, 512));
      }
      return r;
    }
    // Full jitter: a uniform wait in [0, backoff], so clients spread out.
    auto delay = std::chrono::milliseconds(
        static_cast<int64_t>(RandomU64() % static_cast<uint64_t>(backoff.count() + 1)));
    if (r.ok()) {
      if (auto after = r->RetryAfter()) delay = std::max(delay, *after);
    }
    if (!wait(delay)) return r.ok() ? Result<HttpClientResponse>(UnavailableError("cancelled")) : r;
    backoff = std::min(policy.max_backoff,
                       std::chrono::milliseconds(static_cast<int64_t>(
                           static_cast<double>(backoff.count()) * policy.multiplier)));
  }
}

}  // namespace tai::internal
