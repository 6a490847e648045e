// Test support: a TCP proxy on 127.0.0.1 in front of an emulator, to cut the
// network: while down, it closes the connections it carries and every new
// one as soon as it is accepted, so clients see refused or reset
// connections, as in a real outage.
//
// Owns its threads; the destructor stops them (each notices within 100 ms).
// Thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tai::testing {

class FaultProxy {
 public:
  // Forwards to 127.0.0.1:<target_port>.
  explicit FaultProxy(int target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void SetDown(bool down) { down_ = down; }
  // Connections closed because the proxy was down.
  int cut() const { return cut_; }

 private:
  void AcceptLoop();
  void Carry(int client_fd);

  const int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> down_{false};
  std::atomic<bool> stop_{false};
  std::atomic<int> cut_{0};
  std::mutex mu_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

// The port of an http://127.0.0.1:PORT url.
int PortOf(const std::string& url);

}  // namespace tai::testing
