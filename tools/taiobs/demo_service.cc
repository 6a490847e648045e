#include "tools/taiobs/demo_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tai/log/log.h"
#include "tai/trace/trace.h"
#include "tai/web/http_metrics.h"
#include "tai/web/http_tracing.h"

namespace taiobs {

// The steps of a payment, outside any anonymous namespace and never inlined,
// so that profiles, flame graphs and regression alerts name them.
__attribute__((noinline)) uint64_t demo_validate_card(uint64_t card);
__attribute__((noinline)) uint64_t demo_query_orders(uint64_t account, bool index_missing);
__attribute__((noinline)) uint64_t demo_serialize_receipt(uint64_t order);
__attribute__((noinline)) std::string demo_render_receipt(uint64_t order, uint64_t receipt);

namespace {

constexpr size_t kOrders = 400'000;
// Receipts kept for the account pages: about 8 KiB each, so up to ~8 MiB in
// use once the cache is full, the newest replacing the oldest.
constexpr size_t kKeptReceipts = 1024;
constexpr int kReceiptLines = 96;

// The orders "table": sorted, so the index is a binary search.
const std::vector<uint64_t>& Orders() {
  static const std::vector<uint64_t> orders = [] {
    std::vector<uint64_t> v(kOrders);
    for (size_t i = 0; i < kOrders; ++i) v[i] = i * 7 + 3;
    return v;
  }();
  return orders;
}

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator(std::hash<std::thread::id>()(std::this_thread::get_id()));
  return generator;
}

double Uniform() { return std::uniform_real_distribution<double>(0, 1)(Generator()); }

// Waits as a database or cache round trip would: log-normal around `median`.
void Wait(std::chrono::microseconds median, double spread) {
  const double factor = std::exp(spread * std::normal_distribution<double>(0, 1)(Generator()));
  std::this_thread::sleep_for(std::chrono::microseconds(
      static_cast<int64_t>(static_cast<double>(median.count()) * factor)));
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

uint64_t demo_validate_card(uint64_t card) {
  uint64_t h = card;
  for (int i = 0; i < 1'000'000; ++i) h = Mix(h + i);  // the checksum and fraud score
  return h;
}

// With the index: a binary search and the account's few rows. Without it
// (the incident): every row is read and compared.
uint64_t demo_query_orders(uint64_t account, bool index_missing) {
  const std::vector<uint64_t>& orders = Orders();
  uint64_t found = 0;
  if (index_missing) {
    for (int pass = 0; pass < 15; ++pass) {  // a scan per joined table
      for (uint64_t o : orders) found += Mix(o ^ account ^ pass) % 1000 == 0 ? o : 0;
    }
    return found;
  }
  auto it = std::lower_bound(orders.begin(), orders.end(), account % (kOrders * 7));
  for (int i = 0; i < 300'000; ++i) {
    found += Mix(*it ^ account ^ i) % 7;
    if (++it == orders.end()) it = orders.begin();
  }
  return found;
}

uint64_t demo_serialize_receipt(uint64_t order) {
  uint64_t h = order;
  for (int i = 0; i < 600'000; ++i) h = Mix(h ^ static_cast<uint64_t>(i));
  return h;
}

// The receipt document (its line items) the service keeps; its allocations
// are what the demo's heap profile shows under this name.
std::string demo_render_receipt(uint64_t order, uint64_t receipt) {
  std::string out;
  out.reserve(kReceiptLines * 80);
  out += "{\"order\":" + std::to_string(order % 1'000'000) + ",\"lines\":[";
  for (int i = 0; i < kReceiptLines; ++i) {
    const uint64_t sku = Mix(receipt + static_cast<uint64_t>(i));
    out += "{\"sku\":\"" + std::to_string(sku % 100'000) +
           "\",\"qty\":" + std::to_string(1 + sku % 5) +
           ",\"cents\":" + std::to_string(sku % 10'000) + "},";
  }
  out.back() = ']';
  out += "}";
  return out;
}

void DemoService::KeepReceipt(std::string receipt) {
  std::lock_guard<std::mutex> lock(receipts_mu_);
  receipts_.push_back(std::move(receipt));
  while (receipts_.size() > kKeptReceipts) receipts_.pop_front();
}

// Workers enough for the load generator's concurrency while the incident
// makes every payment wait on a slow query.
DemoService::DemoService(tai::Observability& obs, const std::string& address)
    : obs_(obs),
      log_(obs.logger("payments")),
      server_(tai::HttpServerOptions{.address = address, .worker_threads = 16}) {}

DemoService::~DemoService() { server_.Stop(); }

tai::Result<std::unique_ptr<DemoService>> DemoService::Start(tai::Observability& obs,
                                                             const std::string& address) {
  std::unique_ptr<DemoService> s(new DemoService(obs, address));
  s->server_.Use(tai::HttpMetricsMiddleware(obs.http_server_metrics()));
  s->server_.Use(tai::TracingMiddleware(obs.tracer()));
  DemoService* self = s.get();
  s->server_.Handle("POST", "/pay", [self](const tai::HttpRequest& req, tai::HttpResponse& res) {
    self->Pay(req, res);
  });
  s->server_.Handle(
      "GET", "/orders/:id",
      [self](const tai::HttpRequest& req, tai::HttpResponse& res) { self->GetOrder(req, res); });
  s->server_.Handle("POST", "/admin/incident",
                    [self](const tai::HttpRequest&, tai::HttpResponse& res) {
                      self->SetIncident(true);
                      res.body = "incident started: demo_query_orders scans every order\n";
                    });
  s->server_.Handle("POST", "/admin/resolve",
                    [self](const tai::HttpRequest&, tai::HttpResponse& res) {
                      self->SetIncident(false);
                      res.body = "incident resolved: the index is back\n";
                    });
  TAI_RETURN_IF_ERROR(s->server_.Start());
  return s;
}

void DemoService::SetIncident(bool on) {
  if (incident_.exchange(on) == on) return;
  if (on) {
    TAI_LOG_WARN(log_, {{"incident", "missing_index"}},
                 "incident: the orders index is gone, demo_query_orders scans every row");
  } else {
    TAI_LOG_INFO(log_, {{"incident", "missing_index"}}, "incident resolved: the index is back");
  }
}

void DemoService::Pay(const tai::HttpRequest& request, tai::HttpResponse& response) {
  tai::Tracer& tracer = obs_.tracer();
  const uint64_t card = Generator()();
  const bool incident = incident_.load();
  {
    tai::Span span = tracer.StartSpan("validate");
    span.SetAttribute("payment.card_bin", static_cast<int64_t>(card % 1'000'000));
    if (demo_validate_card(card) % 500 == 0 || request.body.size() > 4096) {
      span.SetStatus(tai::SpanStatusCode::kError, "card declined");
      TAI_LOG_WARN(log_, "card declined");
      response.status = 402;
      response.body = "{\"error\":\"card declined\"}";
      return;
    }
  }
  std::unique_lock<std::mutex> lock(account_lock_, std::defer_lock);
  {
    tai::Span span = tracer.StartSpan("account.lock");
    lock.lock();
  }
  uint64_t order = 0;
  {
    tai::Span span = tracer.StartSpan("db.query", {.kind = tai::SpanKind::kClient});
    tai::SpanScope scope(span);
    span.SetAttribute("db.system", "sqlite");
    span.SetAttribute("db.statement", "SELECT * FROM orders WHERE account = ?");
    lock.unlock();  // the lock guards the account row, not the query
    order = demo_query_orders(card, incident);
    Wait(incident ? std::chrono::microseconds(260'000) : std::chrono::microseconds(12'000), 0.35);
    if (Uniform() < (incident ? 0.15 : 0.003)) {
      span.SetStatus(tai::SpanStatusCode::kError, "query timed out");
      TAI_LOG_ERROR(log_, {{"db.statement", "SELECT * FROM orders WHERE account = ?"}},
                    "orders query timed out after {} ms", incident ? 400 : 50);
      response.status = 503;
      response.body = "{\"error\":\"orders database timed out\"}";
      return;
    }
  }
  {
    tai::Span span = tracer.StartSpan("cache.get", {.kind = tai::SpanKind::kClient});
    span.SetAttribute("cache.hit", Uniform() < 0.8);
    Wait(std::chrono::microseconds(800), 0.3);
  }
  tai::Span span = tracer.StartSpan("serialize");
  response.status = 201;
  response.content_type = "application/json";
  const uint64_t receipt = demo_serialize_receipt(order);
  response.body = "{\"receipt\":" + std::to_string(receipt % 1'000'000) + "}";
  KeepReceipt(demo_render_receipt(order, receipt));
  if (Uniform() < 0.05) TAI_LOG_INFO(log_, "payment accepted, receipt {}", response.body);
}

void DemoService::GetOrder(const tai::HttpRequest& request, tai::HttpResponse& response) {
  const auto id = request.path_params.find(":id");
  const uint64_t key = id == request.path_params.end() ? 0 : std::hash<std::string>()(id->second);
  {
    tai::Span span = obs_.tracer().StartSpan("db.query", {.kind = tai::SpanKind::kClient});
    span.SetAttribute("db.statement", "SELECT * FROM orders WHERE id = ?");
    demo_query_orders(key, false);
    Wait(std::chrono::microseconds(4'000), 0.3);
  }
  response.content_type = "application/json";
  response.body = "{\"order\":" + std::to_string(key % 100'000) + "}";
}

}  // namespace taiobs
