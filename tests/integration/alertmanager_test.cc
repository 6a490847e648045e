// Our alerts through a real Alertmanager (Debian package
// `prometheus-alertmanager`) on 127.0.0.1: the Alertmanager notifier posts
// them to its API v2, Alertmanager routes them to a webhook receiver served
// by this test, firing and then resolved. The webhook notifier's payload is
// checked against the one Alertmanager itself sends.
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "export/http/http_client.h"
#include "tai/alert/notification_dispatcher.h"
#include "tai/alert/notifiers.h"
#include "tai/core/clock.h"
#include "tai/web/http_server.h"
#include "tests/integration/child_process.h"

namespace tai {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::FreeLocalPort;
using testing::TempDir;

constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

// The test's own webhook receiver: keeps every payload posted to /hook.
class WebhookReceiver {
 public:
  WebhookReceiver() {
    server_.Handle("POST", "/hook", [this](const HttpRequest& request, HttpResponse&) {
      std::lock_guard lock(mu_);
      payloads_.push_back(json::parse(request.body, nullptr, false));
      arrived_.notify_all();
    });
    EXPECT_TRUE(server_.Start().ok());
  }
  std::string url() const { return server_.url() + "/hook"; }

  // The first payload `accept` takes, or null once `deadline` has passed.
  json WaitFor(const std::function<bool(const json&)>& accept, std::chrono::seconds deadline) {
    std::unique_lock lock(mu_);
    json found;
    arrived_.wait_for(lock, deadline, [&] {
      for (const json& p : payloads_) {
        if (!p.is_discarded() && accept(p)) {
          found = p;
          return true;
        }
      }
      return false;
    });
    return found;
  }

 private:
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<json> payloads_;
  HttpServer server_;  // last: stopped before the fields its handler uses go
};

bool HasAlert(const json& payload, const std::string& status, const std::string& alertname) {
  if (payload.value("status", "") != status) return false;
  for (const json& a : payload["alerts"]) {
    if (a["labels"].value("alertname", "") == alertname && a.value("status", "") == status) {
      return true;
    }
  }
  return false;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.insert(it.key());
  return keys;
}

std::string Get(const std::string& url) {
  internal::HttpClient client;
  auto r = client.Send({.method = "GET", .url = url});
  return r.ok() && r->status == 200 ? r->body : "";
}

bool WaitReady(const std::string& base, std::chrono::seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (!Get(base + "/-/ready").empty()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(AlertmanagerIntegrationTest, FiringThenResolvedReachTheWebhookReceiver) {
  ASSERT_EQ(access(kAlertmanager, X_OK), 0) << kAlertmanager << " is missing: run scripts/setup";
  WebhookReceiver receiver;
  TempDir dir;
  {
    std::ofstream cfg(dir.path() + "/alertmanager.yml");
    cfg << "route:\n  receiver: test\n  group_by: ['alertname']\n  group_wait: 1s\n"
        << "  group_interval: 1s\n  repeat_interval: 1h\n"
        << "receivers:\n  - name: test\n    webhook_configs:\n      - url: '" << receiver.url()
        << "'\n        send_resolved: true\n";
  }
  const int port = FreeLocalPort();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  ChildProcess alertmanager;
  ASSERT_TRUE(alertmanager.Start(
      {kAlertmanager, "--config.file=" + dir.path() + "/alertmanager.yml",
       "--storage.path=" + dir.path() + "/data",
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="},
      dir.path() + "/alertmanager.log"));
  ASSERT_TRUE(WaitReady(base, 30s)) << "Alertmanager did not become ready; see its log";

  auto notifier = MakeAlertmanagerNotifier({.url = base});
  ASSERT_TRUE(notifier.ok()) << notifier.status().ToString();
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(std::move(notifier).value());
  auto dispatcher = NotificationDispatcher::Create(std::move(notifiers));
  ASSERT_TRUE(dispatcher.ok());

  Alert alert;
  alert.rule_id = "checkout-latency";
  alert.labels = LabelSet({{"alertname", "TaiCheckoutLatency"}, {"severity", "page"}});
  alert.annotations = {{"summary", "p99 above 500ms"}};
  alert.state = AlertState::kFiring;
  alert.value = 0.73;
  alert.fired_at_nanos = WallNanos() - 1'000'000'000;
  alert.generator_url = "http://127.0.0.1:9464/alerts/checkout-latency";
  ASSERT_EQ((*dispatcher)->Enqueue(alert, {}), 1u);
  ASSERT_TRUE((*dispatcher)->Flush(10s));
  ASSERT_EQ((*dispatcher)->stats().notifiers[0].sent, 1u)
      << (*dispatcher)->stats().notifiers[0].last_error;

  json firing = receiver.WaitFor(
      [](const json& p) { return HasAlert(p, "firing", "TaiCheckoutLatency"); }, 30s);
  ASSERT_FALSE(firing.is_null()) << "no firing notification from Alertmanager";
  const json& fired = firing["alerts"][0];
  EXPECT_EQ(fired["labels"]["severity"], "page");
  EXPECT_EQ(fired["annotations"]["summary"], "p99 above 500ms");
  EXPECT_EQ(fired["generatorURL"], alert.generator_url);

  json listed = json::parse(Get(base + "/api/v2/alerts"), nullptr, false);
  ASSERT_TRUE(listed.is_array()) << listed.dump();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["labels"]["alertname"], "TaiCheckoutLatency");
  EXPECT_EQ(listed[0]["status"]["state"], "active");

  alert.state = AlertState::kResolved;
  alert.resolved_at_nanos = WallNanos();
  ASSERT_EQ((*dispatcher)->Enqueue(alert, {}), 1u);
  ASSERT_TRUE((*dispatcher)->Flush(10s));
  json resolved = receiver.WaitFor(
      [](const json& p) { return HasAlert(p, "resolved", "TaiCheckoutLatency"); }, 30s);
  ASSERT_FALSE(resolved.is_null()) << "no resolved notification from Alertmanager";
  EXPECT_NE(resolved["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");

  // Our webhook payload has the fields Alertmanager's has, so receivers
  // written for Alertmanager take it.
  auto webhook = MakeWebhookNotifier({.url = receiver.url()});
  ASSERT_TRUE(webhook.ok());
  alert.labels = LabelSet({{"alertname", "TaiWebhookShape"}, {"severity", "page"}});
  alert.state = AlertState::kFiring;
  ASSERT_TRUE((*webhook)->Send({alert}).status.ok());
  json ours =
      receiver.WaitFor([](const json& p) { return HasAlert(p, "firing", "TaiWebhookShape"); }, 10s);
  ASSERT_FALSE(ours.is_null());
  std::set<std::string> theirs_keys = Keys(firing);
  std::set<std::string> our_keys = Keys(ours);
  for (const std::string& key : theirs_keys) EXPECT_TRUE(our_keys.contains(key)) << key;
  for (const std::string& key : Keys(firing["alerts"][0])) {
    EXPECT_TRUE(ours["alerts"][0].contains(key)) << "alerts[]." << key;
  }
  EXPECT_EQ(ours["version"], firing["version"]);
  EXPECT_EQ(ours["groupKey"], "{}:{alertname=\"TaiWebhookShape\"}");  // as Alertmanager spells it
  (*dispatcher)->Shutdown(5s);
}

}  // namespace
}  // namespace tai
