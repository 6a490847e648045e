// `taiobs serve --store PATH [--listen ADDR] [--token TOKEN]`: the dashboard
// and its API over an existing store, opened read-only so that the service
// writing it keeps running; prints "dashboard: URL" and runs until SIGINT or
// SIGTERM.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tai/dashboard/dashboard_api.h"
#include "tai/web/http_server.h"
#include "tools/taiobs/commands.h"
#include "tools/taiobs/flags.h"

namespace taiobs {
namespace {

constexpr const char* kDefaultListen = "127.0.0.1:9464";

tai::Status Serve(const Flags& flags, const sigset_t& stop_signals) {
  if (!flags.positional().empty()) {
    return tai::InvalidArgumentError("unexpected argument '" + flags.positional()[0] + "'");
  }
  const std::string listen = flags.Get("--listen").value_or(kDefaultListen);
  std::string token = flags.Get("--token").value_or("");
  if (token.empty()) {
    const char* env = std::getenv(std::string(tai::kDashboardTokenVariable).c_str());
    if (env != nullptr) token = env;
  }
  TAI_ASSIGN_OR_RETURN(std::unique_ptr<tai::Store> store, OpenStoreFlag(flags));
  TAI_RETURN_IF_ERROR(tai::CheckDashboardBinding(listen, token));
  tai::HttpServer server({.address = listen});
  TAI_RETURN_IF_ERROR(tai::ServeDashboardApi(
      server, {.store = store.get(),
               .service_name = std::filesystem::path(store->path()).stem().string(),
               .access_token = token,
               .serve_assets = true}));
  TAI_RETURN_IF_ERROR(server.Start());
  std::printf("dashboard: %s/\n", server.url().c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  std::fprintf(stderr, "taiobs serve: stopping (%s)\n", received == SIGINT ? "SIGINT" : "SIGTERM");
  server.Stop();
  return tai::Status::Ok();
}

}  // namespace

int ServeCommand(int argc, char** argv) {
  auto flags = Flags::Parse(argc, argv, 1, {{"--store"}, {"--listen"}, {"--token"}});
  if (!flags.ok()) return ReportError("serve", flags.status());
  // Blocked before any thread starts, so every thread inherits the mask and
  // the signals wait for sigwait instead of killing the process mid-request.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  tai::Status status = Serve(*flags, stop_signals);
  if (!status.ok()) return ReportError("serve", status);
  return 0;
}

}  // namespace taiobs
