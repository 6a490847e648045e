#include "tools/taiobs/demo_traffic.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "tai/web/curl_tracing.h"

namespace taiobs {
namespace {

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

// One traced request; the status code, or 0 when no answer came.
long Send(tai::Observability& obs, CURL* curl, const std::string& method, const std::string& url,
          const std::string& body) {
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5'000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  tai::TracedCurlRequest traced(obs.tracer(), curl, method, url,
                                {.metrics = obs.http_client_metrics()});
  const CURLcode rc = curl_easy_perform(curl);
  traced.Finish(rc);
  long code = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

}  // namespace

LoadGenerator::LoadGenerator(tai::Observability& obs, std::string service_url, double rate,
                             int threads)
    : obs_(obs), url_(std::move(service_url)) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i, per = rate / threads] { Run(i, per); });
  }
}

LoadGenerator::~LoadGenerator() { Stop(); }

void LoadGenerator::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

// Poisson arrivals at the thread's share of the rate; a request slower than
// the gap delays the next one, as a client with a fixed pool would.
void LoadGenerator::Run(int index, double per_thread_rate) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return;
  std::mt19937_64 random(1000 + index);
  std::exponential_distribution<double> gap(per_thread_rate);
  std::uniform_real_distribution<double> uniform(0, 1);
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    next += std::chrono::microseconds(static_cast<int64_t>(gap(random) * 1e6));
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_cv_.wait_until(lock, next, [this] { return stop_; })) break;
    }
    long code;
    if (uniform(random) < 0.8) {
      const std::string body = "{\"amount\": " + std::to_string(random() % 10'000) + "}";
      code = Send(obs_, curl, "POST", url_ + "/pay", body);
    } else {
      code = Send(obs_, curl, "GET", url_ + "/orders/" + std::to_string(random() % 100'000), "");
    }
    sent_.fetch_add(1);
    if (code == 0 || code >= 500) failed_.fetch_add(1);
    next = std::max(next, std::chrono::steady_clock::now());
  }
  curl_easy_cleanup(curl);
}

tai::Result<std::unique_ptr<WebhookReceiver>> WebhookReceiver::Start() {
  std::unique_ptr<WebhookReceiver> r(new WebhookReceiver());
  WebhookReceiver* self = r.get();
  r->server_.Handle("POST", "/alerts", [self](const tai::HttpRequest& req, tai::HttpResponse& res) {
    self->Take(req.body);
    res.body = "ok\n";
  });
  r->server_.Handle("GET", "/received", [self](const tai::HttpRequest&, tai::HttpResponse& res) {
    nlohmann::json list = nlohmann::json::array();
    for (const Notification& n : self->received()) {
      list.push_back({{"status", n.status},
                      {"alertname", n.alertname},
                      {"severity", n.severity},
                      {"summary", n.summary}});
    }
    res.content_type = "application/json";
    res.body = list.dump();
  });
  TAI_RETURN_IF_ERROR(r->server_.Start());
  return r;
}

std::vector<WebhookReceiver::Notification> WebhookReceiver::received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

// The Alertmanager webhook payload: one entry per alert of the group.
void WebhookReceiver::Take(const std::string& body) {
  const nlohmann::json payload = nlohmann::json::parse(body, nullptr, false);
  if (!payload.is_object() || !payload.contains("alerts")) return;
  for (const nlohmann::json& a : payload["alerts"]) {
    Notification n;
    n.status = a.value("status", "");
    const nlohmann::json labels = a.value("labels", nlohmann::json::object());
    n.alertname = labels.value("alertname", "");
    n.severity = labels.value("severity", "");
    n.summary = a.value("annotations", nlohmann::json::object()).value("summary", "");
    std::printf("notification: %-8s %s%s%s%s\n", n.status == "firing" ? "FIRING" : "RESOLVED",
                n.alertname.c_str(), n.severity.empty() ? "" : (" [" + n.severity + "]").c_str(),
                n.summary.empty() ? "" : ": ", n.summary.c_str());
    std::fflush(stdout);
    std::lock_guard<std::mutex> lock(mu_);
    received_.push_back(std::move(n));
  }
}

}  // namespace taiobs
