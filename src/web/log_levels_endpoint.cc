#include "tai/web/log_levels_endpoint.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace tai {
namespace {

bool IsLoggerNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._:/-").find(c) != std::string_view::npos;
}

// The names this endpoint has given a level, so that requests cannot make
// loggers (which live as long as the pipeline) without end.
struct NamesSet {
  std::mutex mu;
  std::set<std::string> names;
};

// The error for a spec a client may not apply, or "" when it may.
std::string CheckSpec(const std::vector<std::pair<std::string, LogLevel>>& items, NamesSet& set) {
  if (items.size() > kMaxLogLevelItems) {
    return "more than " + std::to_string(kMaxLogLevelItems) + " items";
  }
  size_t new_names = 0;
  std::lock_guard<std::mutex> lock(set.mu);
  for (const auto& [name, level] : items) {
    if (name.empty()) continue;
    if (name.size() > kMaxLoggerNameBytes) {
      return "logger name longer than " + std::to_string(kMaxLoggerNameBytes) + " bytes";
    }
    if (!std::all_of(name.begin(), name.end(), IsLoggerNameChar)) {
      return "logger name '" + name + "' may hold only A-Z a-z 0-9 . _ : / -";
    }
    new_names += set.names.count(name) == 0;
  }
  if (set.names.size() + new_names > kMaxLoggersSetOverHttp) {
    return "at most " + std::to_string(kMaxLoggersSetOverHttp) +
           " loggers can be given a level over HTTP";
  }
  for (const auto& [name, level] : items) {
    if (!name.empty()) set.names.insert(name);
  }
  return "";
}

}  // namespace

void ServeLogLevels(HttpServer& server, LogPipeline& logs) {
  server.Handle("GET", "/api/log/levels", [&logs](const HttpRequest&, HttpResponse& res) {
    res.body = logs.Levels() + "\n";
  });
  auto set = std::make_shared<NamesSet>();
  server.Handle("PUT", "/api/log/levels", [&logs, set](const HttpRequest& req, HttpResponse& res) {
    std::string_view spec = req.body;
    while (!spec.empty() && (spec.back() == '\n' || spec.back() == '\r')) spec.remove_suffix(1);
    if (spec.size() > kMaxLogLevelSpecBytes) {
      res.status = 413;
      res.body =
          "log levels: spec longer than " + std::to_string(kMaxLogLevelSpecBytes) + " bytes\n";
      return;
    }
    // The answer names what was wrong, not the whole request again.
    auto items = ParseLogLevels(spec);
    std::string error = items.ok() ? CheckSpec(*items, *set) : items.status().message();
    if (error.empty()) error = logs.SetLevels(spec).message();
    if (!error.empty()) {
      res.status = 400;
      res.body = "log levels: " + error + "\n";
      return;
    }
    res.body = logs.Levels() + "\n";
  });
}

}  // namespace tai
