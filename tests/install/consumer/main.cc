// A program built against an installed tai-observability, the way a user's
// would be (tests/install/install_test.cmake builds it with find_package and
// with pkg-config): it starts the library with the store off and /metrics on
// a free port, records a counter, a span and a log line, reads its own
// /metrics over HTTP with libcurl, and prints one line the test checks.
#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <string>

#include "tai/observability.h"
#include "tai/profile/heap_profiler.h"

namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// GET `url`; the body, or "" with a message on stderr.
std::string Fetch(const std::string& url) {
  std::string body;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) std::fprintf(stderr, "GET %s: %s\n", url.c_str(), curl_easy_strerror(rc));
  curl_easy_cleanup(curl);
  return body;
}

}  // namespace

int main() {
  tai::Config config;
  config.resource.service_name = "install-consumer";
  config.metrics.prometheus_address = "127.0.0.1:0";
  config.traces.sampler = "always_on";
  config.store.enabled = false;  // nothing on disk: the test only checks linking and wiring
  auto obs = tai::Observability::Start(config);
  if (!obs.ok()) {
    std::fprintf(stderr, "Start: %s\n", obs.status().ToString().c_str());
    return 1;
  }
  auto spans = std::make_shared<tai::InMemorySpanSink>();
  (*obs)->AddSpanSink(spans);

  auto requests = (*obs)->metrics().CreateCounter({.metric_type = "consumer/requests"});
  if (!requests.ok()) {
    std::fprintf(stderr, "CreateCounter: %s\n", requests.status().ToString().c_str());
    return 1;
  }
  requests->Add(42);
  {
    tai::Span span = (*obs)->tracer().StartSpan("consumer.work");
    TAI_LOG_INFO((*obs)->logger("consumer"), "did {} units of work", 42);
  }

  std::string metrics = Fetch((*obs)->metrics_url());
  bool counter = metrics.find("consumer_requests_total 42") != std::string::npos;
  (*obs)->Shutdown();  // flushes the span to the sinks
  // heap_hooks says whether tai::heap_hooks was linked in (the test knows
  // which build should have them).
  std::printf("consumer: counter=%s spans=%zu heap_hooks=%d\n", counter ? "42" : "missing",
              spans->exported(), tai::HeapProfiler::HooksLinked() ? 1 : 0);
  return counter && spans->exported() == 1 ? 0 : 1;
}
