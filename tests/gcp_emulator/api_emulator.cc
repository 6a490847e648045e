#include "tests/gcp_emulator/api_emulator.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tai::testing {

ApiEmulator::ApiEmulator(const std::string& proto_file) {
  auto v = ProtoJsonValidator::Load(GoogleProtoRoot(), {proto_file});
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  if (v.ok()) validator_ = std::move(*v);
}

void ApiEmulator::Start() { EXPECT_TRUE(server_.Start().ok()); }

std::vector<std::string> ApiEmulator::problems() {
  std::lock_guard<std::mutex> lock(mu_);
  return problems_;
}

void ApiEmulator::Reject(HttpResponse& w, const std::string& why) {
  problems_.push_back(why);
  w.status = 400;
  w.content_type = "application/json";
  w.body =
      nlohmann::json{{"error", {{"code", 400}, {"message", why}, {"status", "INVALID_ARGUMENT"}}}}
          .dump();
}

}  // namespace tai::testing
