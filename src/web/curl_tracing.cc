#include "tai/web/curl_tracing.h"

#include <cstdlib>
#include <string>

namespace tai {
namespace {

// A carrier that appends "name: value" lines to a curl header list.
class CurlHeaderCarrier : public TextMapCarrier {
 public:
  explicit CurlHeaderCarrier(curl_slist** list) : list_(list) {}
  std::string_view Get(std::string_view) const override { return {}; }
  void Set(std::string_view name, std::string_view value) override {
    std::string line(name);
    line += ": ";
    line += value;
    if (curl_slist* next = curl_slist_append(*list_, line.c_str())) *list_ = next;
  }

 private:
  curl_slist** list_;
};

}  // namespace

TracedCurlRequest::TracedCurlRequest(Tracer& tracer, CURL* curl, std::string_view method,
                                     std::string_view url, const curl_slist* extra_headers,
                                     std::shared_ptr<const Propagator> propagator)
    : TracedCurlRequest(
          tracer, curl, method, url,
          CurlRequestOptions{.extra_headers = extra_headers, .propagator = std::move(propagator)}) {
}

TracedCurlRequest::TracedCurlRequest(Tracer& tracer, CURL* curl, std::string_view method,
                                     std::string_view url, CurlRequestOptions options)
    : curl_(curl), method_(method), metrics_(std::move(options.metrics)) {
  span_ = tracer.StartSpan(std::string(method), {.kind = SpanKind::kClient});
  if (span_.IsRecording() || metrics_) ParseServer(url);
  if (span_.IsRecording()) {
    span_.SetAttribute("http.request.method", method);
    span_.SetAttribute("url.full", url);
    if (!server_address_.empty()) span_.SetAttribute("server.address", server_address_);
    if (server_port_ != 0) span_.SetAttribute("server.port", server_port_);
  }
  for (const curl_slist* h = options.extra_headers; h; h = h->next) {
    if (curl_slist* next = curl_slist_append(headers_, h->data)) headers_ = next;
  }
  PropagationContext context;
  context.span_context = span_.context();
  CurlHeaderCarrier carrier(&headers_);
  options.propagator->Inject(context, carrier);
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
}

void TracedCurlRequest::ParseServer(std::string_view url) {
  CURLU* parsed = curl_url();
  if (parsed && curl_url_set(parsed, CURLUPART_URL, std::string(url).c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK) server_address_ = host;
    if (curl_url_get(parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
      server_port_ = std::atoi(port);
    }
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(parsed);
}

TracedCurlRequest::~TracedCurlRequest() {
  span_.End();
  // The handle may be reused after us; it must not point at a freed list.
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers_);
}

void TracedCurlRequest::Finish(CURLcode result) {
  long code = 0;
  if (result != CURLE_OK) {
    span_.SetAttribute("error.type", curl_easy_strerror(result));
    span_.SetStatus(SpanStatusCode::kError, curl_easy_strerror(result));
  } else {
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    span_.SetAttribute("http.response.status_code", static_cast<int64_t>(code));
    if (code >= 400) {
      span_.SetAttribute("error.type", std::to_string(code));
      span_.SetStatus(SpanStatusCode::kError, "HTTP " + std::to_string(code));
    }
  }
  span_.End();
  if (metrics_) RecordMetrics(static_cast<int>(code));
}

void TracedCurlRequest::RecordMetrics(int status_code) {
  curl_off_t micros = 0, sent = 0, received = 0;
  curl_easy_getinfo(curl_, CURLINFO_TOTAL_TIME_T, &micros);
  curl_easy_getinfo(curl_, CURLINFO_SIZE_UPLOAD_T, &sent);
  curl_easy_getinfo(curl_, CURLINFO_SIZE_DOWNLOAD_T, &received);
  metrics_->Record({.method = method_,
                    .server_address = server_address_,
                    .server_port = server_port_,
                    .status_code = status_code,
                    .duration_seconds = static_cast<double>(micros) / 1e6,
                    .request_body_bytes = static_cast<size_t>(sent),
                    .response_body_bytes = static_cast<size_t>(received)});
}

}  // namespace tai
