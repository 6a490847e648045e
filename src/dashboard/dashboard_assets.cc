#include "dashboard/dashboard_assets.h"

#include <map>
#include <memory>
#include <string>

#include "core/hash.h"
#include "core/text.h"
#include "dashboard/embedded_assets.h"

namespace tai::internal {
namespace {

struct ServedAsset {
  std::string_view body;
  std::string_view content_type;
  std::string etag;
};

using AssetMap = std::map<std::string, ServedAsset, std::less<>>;

std::shared_ptr<const AssetMap> BuildAssetMap() {
  auto map = std::make_shared<AssetMap>();
  for (const EmbeddedAsset& asset : EmbeddedAssets()) {
    const uint64_t hash = HashBytes(asset.bytes(), 0x7461692d64617368ULL);
    std::string etag = "\"";
    AppendHex(etag, reinterpret_cast<const uint8_t*>(&hash), sizeof(hash));
    etag += '"';
    map->emplace(asset.name, ServedAsset{asset.bytes(), AssetContentType(asset.name), etag});
  }
  return map;
}

void Respond(const ServedAsset& asset, const HttpRequest& request, HttpResponse& response) {
  response.SetHeader("ETag", asset.etag);
  // Revalidated on every load: the names carry no version, and a 304 costs
  // one round trip on the loopback.
  response.SetHeader("Cache-Control", "no-cache");
  response.content_type = std::string(asset.content_type);
  if (request.Header("if-none-match") == asset.etag) {
    response.status = 304;
    return;
  }
  response.body = std::string(asset.body);
}

void NotFound(std::string_view name, HttpResponse& response) {
  response.status = 404;
  response.content_type = "text/plain; charset=utf-8";
  response.body = "no dashboard asset named '" + std::string(Utf8Prefix(name, 200)) + "'\n";
}

}  // namespace

std::string_view AssetContentType(std::string_view name) {
  const size_t dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  return "application/octet-stream";
}

void ServeDashboardAssets(HttpServer& server) {
  std::shared_ptr<const AssetMap> assets = BuildAssetMap();
  server.Handle("GET", "/", [assets](const HttpRequest& request, HttpResponse& response) {
    auto it = assets->find("index.html");
    if (it == assets->end()) return NotFound("index.html", response);
    Respond(it->second, request, response);
  });
  server.Handle("GET", "/assets/:name",
                [assets](const HttpRequest& request, HttpResponse& response) {
                  const std::string& name = request.path_params.at("name");
                  auto it = assets->find(name);
                  if (it == assets->end()) return NotFound(name, response);
                  Respond(it->second, request, response);
                });
}

}  // namespace tai::internal
