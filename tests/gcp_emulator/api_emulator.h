// Test support: the shared part of the Google Cloud API emulators. Each
// API's emulator registers its routes on server(), checks request bodies
// with validator() against Google's .proto files, and answers rule
// violations with Reject(), which records them for the test to assert on.
//
// Handlers run on the server's threads; the emulators guard their state
// with mu(). Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tai/http_server.h"
#include "tests/gcp_emulator/proto_json_validator.h"

namespace tai::testing {

class ApiEmulator {
 public:
  // Loads `proto_file` from Google's set; a failure fails the test.
  explicit ApiEmulator(const std::string& proto_file);
  virtual ~ApiEmulator() = default;

  std::string url() const { return server_.url(); }
  // Every request refused so far, with the reason.
  std::vector<std::string> problems();

 protected:
  // Call after registering routes.
  void Start();
  HttpServer& server() { return server_; }
  const ProtoJsonValidator& validator() const { return *validator_; }
  std::mutex& mu() { return mu_; }
  // Answers 400 INVALID_ARGUMENT with `why`, as Google's APIs do. Call with
  // mu() held.
  void Reject(HttpResponse& w, const std::string& why);

 private:
  std::unique_ptr<ProtoJsonValidator> validator_;
  HttpServer server_;
  std::mutex mu_;
  std::vector<std::string> problems_;
};

}  // namespace tai::testing
