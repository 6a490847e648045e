#include "tests/gcp_emulator/fault_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tai::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Moves what is readable on `from` to `to`; false at end of stream or error.
bool Forward(int from, int to) {
  char buf[16384];
  ssize_t n = ::read(from, buf, sizeof(buf));
  if (n <= 0) return false;
  for (ssize_t sent = 0; sent < n;) {
    ssize_t w = ::send(to, buf + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
    if (w <= 0) return false;
    sent += w;
  }
  return true;
}

}  // namespace

int PortOf(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

FaultProxy::FaultProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = Loopback(0);
  EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(::listen(listen_fd_, 64), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  acceptor_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (std::thread& t : connections_) t.join();
  ::close(listen_fd_);
}

void FaultProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (down_) {
      ++cut_;
      ::close(fd);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    connections_.emplace_back([this, fd] { Carry(fd); });
  }
}

void FaultProxy::Carry(int client_fd) {
  int server_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = Loopback(target_port_);
  bool open = ::connect(server_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  while (open && !stop_) {
    if (down_) {
      ++cut_;
      break;
    }
    pollfd p[2] = {{client_fd, POLLIN, 0}, {server_fd, POLLIN, 0}};
    if (::poll(p, 2, 100) <= 0) continue;
    if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !Forward(client_fd, server_fd)) break;
    if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) && !Forward(server_fd, client_fd)) break;
  }
  ::close(server_fd);
  ::close(client_fd);
}

}  // namespace tai::testing
