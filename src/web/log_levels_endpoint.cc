#include "tai/web/log_levels_endpoint.h"

namespace tai {

void ServeLogLevels(HttpServer& server, LogPipeline& logs) {
  server.Handle("GET", "/api/log/levels", [&logs](const HttpRequest&, HttpResponse& res) {
    res.body = logs.Levels() + "\n";
  });
  server.Handle("PUT", "/api/log/levels", [&logs](const HttpRequest& req, HttpResponse& res) {
    std::string_view spec = req.body;
    while (!spec.empty() && (spec.back() == '\n' || spec.back() == '\r')) spec.remove_suffix(1);
    Status st = logs.SetLevels(spec);
    if (!st.ok()) {
      res.status = 400;
      res.body = st.message() + "\n";
      return;
    }
    res.body = logs.Levels() + "\n";
  });
}

}  // namespace tai
