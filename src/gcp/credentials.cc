#include "tai/gcp/credentials.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/regular_file.h"
#include "export/http/http_client.h"
#include "gcp/api_client.h"

namespace tai::gcp {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

// ---- endpoints -------------------------------------------------------------

struct ParsedUrl {
  std::string scheme;
  std::string host;
};

ParsedUrl ParseUrl(std::string_view url) {
  ParsedUrl out;
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos) return out;
  out.scheme = std::string(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find('/'));
  if (!rest.empty() && rest.front() == '[') {
    out.host = std::string(rest.substr(1, rest.find(']') - 1));
  } else {
    out.host = std::string(rest.substr(0, rest.find(':')));
  }
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Status CheckEndpoint(std::string_view field, std::string_view url) {
  const ParsedUrl u = ParseUrl(url);
  if (u.host.empty()) {
    return InvalidArgumentError("Google Cloud endpoint " + std::string(field) + " '" +
                                std::string(url) + "' is not a URL");
  }
  if (u.scheme == "https") return Status::Ok();
  if (u.scheme == "http" && IsLoopbackHost(u.host)) return Status::Ok();
  return InvalidArgumentError("Google Cloud endpoint " + std::string(field) + " '" +
                              std::string(url) +
                              "' must be https (plain http is allowed on loopback only)");
}

// ---- small helpers ---------------------------------------------------------

using internal::FormEncode;

Result<std::string> RequiredString(const json& j, const char* field, std::string_view what) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    return InvalidArgumentError(std::string(what) + ": field '" + field +
                                "' is missing or not a string");
  }
  return it->get<std::string>();
}

// Reads {"access_token": ..., "expires_in": N} (token endpoint and metadata
// server both answer so). The body is never quoted in an error: it holds
// the token.
Result<AccessToken> ParseTokenResponse(const internal::HttpClientResponse& r,
                                       std::string_view from) {
  if (r.status != 200) {
    // OAuth errors carry "error" and "error_description", which hold no secret.
    std::string why;
    const json body = json::parse(r.body, nullptr, false);
    if (body.is_object()) {
      if (auto e = body.find("error"); e != body.end() && e->is_string())
        why = e->get<std::string>();
      if (auto d = body.find("error_description"); d != body.end() && d->is_string()) {
        why += (why.empty() ? "" : ": ") + d->get<std::string>();
      }
    }
    return UnavailableError(std::string(from) + " answered HTTP " + std::to_string(r.status) +
                            (why.empty() ? "" : " (" + why + ")"));
  }
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string()) {
    return InternalError(std::string(from) + " answered without an access_token");
  }
  AccessToken token;
  token.value = body["access_token"].get<std::string>();
  const int64_t seconds = body.contains("expires_in") && body["expires_in"].is_number()
                              ? body["expires_in"].get<int64_t>()
                              : 3600;
  token.expiry = system_clock::now() + std::chrono::seconds(seconds);
  return token;
}

Result<AccessToken> PostForToken(std::string_view url, std::string form, std::string_view from) {
  internal::HttpClient client;
  internal::HttpClientRequest request;
  request.url = std::string(url);
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = std::move(form);
  request.timeout = std::chrono::seconds(10);
  internal::RetryPolicy policy;
  policy.max_attempts = 3;
  auto response = internal::SendWithRetry(client, request, policy);
  if (!response.ok()) {
    // The request body holds the signed assertion or a refresh token: only
    // the status travels up, never the request.
    return Status(response.status().code(), std::string(from) + " at " + std::string(url) +
                                                " failed: " + response.status().message());
  }
  return ParseTokenResponse(*response, from);
}

Result<std::string> MetadataGet(const GcpEndpoints& endpoints, std::string_view path,
                                std::chrono::milliseconds timeout) {
  internal::HttpClient client;
  internal::HttpClientRequest request;
  request.method = "GET";
  request.url = "http://" + endpoints.metadata_host + "/computeMetadata/v1/" + std::string(path);
  request.headers = {{"Metadata-Flavor", "Google"}};
  request.timeout = timeout;
  auto response = client.Send(request);
  if (!response.ok()) {
    return Status(response.status().code(), "metadata server " + endpoints.metadata_host + ": " +
                                                response.status().message());
  }
  if (response->status != 200) {
    return UnavailableError("metadata server " + endpoints.metadata_host + " answered HTTP " +
                            std::to_string(response->status) + " for " + std::string(path));
  }
  return response->body;
}

// ---- credential kinds ------------------------------------------------------

class ServiceAccount final : public Credentials {
 public:
  ServiceAccount(std::string email, std::string key_pem, std::string key_id, std::string token_url,
                 std::string project)
      : email_(std::move(email)),
        key_pem_(std::move(key_pem)),
        key_id_(std::move(key_id)),
        token_url_(std::move(token_url)),
        project_(std::move(project)) {}

  Result<AccessToken> FetchToken() override {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch())
            .count();
    const json claims = {{"iss", email_},
                         {"scope", kCloudPlatformScope},
                         {"aud", token_url_},
                         {"iat", now},
                         {"exp", now + 3600}};
    TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(auto jwt, SignJwtRs256(claims.dump(), key_pem_, key_id_),
                                      Describe());
    return PostForToken(token_url_,
                        "grant_type=" + FormEncode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
                            "&assertion=" + jwt,
                        "token endpoint");
  }
  std::string Describe() const override { return "service account " + email_; }
  std::string ProjectId() const override { return project_; }

 private:
  const std::string email_;
  const std::string key_pem_;
  const std::string key_id_;
  const std::string token_url_;
  const std::string project_;
};

class AuthorizedUser final : public Credentials {
 public:
  AuthorizedUser(std::string client_id, std::string client_secret, std::string refresh_token,
                 std::string token_url, std::string project)
      : client_id_(std::move(client_id)),
        client_secret_(std::move(client_secret)),
        refresh_token_(std::move(refresh_token)),
        token_url_(std::move(token_url)),
        project_(std::move(project)) {}

  Result<AccessToken> FetchToken() override {
    return PostForToken(token_url_,
                        "grant_type=refresh_token&client_id=" + FormEncode(client_id_) +
                            "&client_secret=" + FormEncode(client_secret_) +
                            "&refresh_token=" + FormEncode(refresh_token_),
                        "token endpoint");
  }
  std::string Describe() const override { return "authorized user (client " + client_id_ + ")"; }
  std::string ProjectId() const override { return project_; }

 private:
  const std::string client_id_;
  const std::string client_secret_;
  const std::string refresh_token_;
  const std::string token_url_;
  const std::string project_;
};

class MetadataServer final : public Credentials {
 public:
  explicit MetadataServer(GcpEndpoints endpoints) : endpoints_(std::move(endpoints)) {}

  Result<AccessToken> FetchToken() override {
    TAI_ASSIGN_OR_RETURN(auto body,
                         MetadataGet(endpoints_, "instance/service-accounts/default/token",
                                     std::chrono::seconds(5)));
    internal::HttpClientResponse response;
    response.status = 200;
    response.body = std::move(body);
    return ParseTokenResponse(response, "metadata server");
  }
  std::string Describe() const override {
    return "metadata server " + endpoints_.metadata_host + " (default service account)";
  }

 private:
  const GcpEndpoints endpoints_;
};

}  // namespace

Status GcpEndpoints::Validate() const {
  TAI_RETURN_IF_ERROR(CheckEndpoint("token_url", token_url));
  TAI_RETURN_IF_ERROR(CheckEndpoint("monitoring", monitoring));
  TAI_RETURN_IF_ERROR(CheckEndpoint("trace", trace));
  TAI_RETURN_IF_ERROR(CheckEndpoint("logging", logging));
  TAI_RETURN_IF_ERROR(CheckEndpoint("profiler", profiler));
  if (metadata_host.empty() || metadata_host.find('/') != std::string::npos) {
    return InvalidArgumentError("Google Cloud metadata host '" + metadata_host +
                                "' must be host or host:port");
  }
  return Status::Ok();
}

Result<std::string> SignJwtRs256(std::string_view claims_json, std::string_view private_key_pem,
                                 std::string_view key_id) {
  json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!key_id.empty()) header["kid"] = std::string(key_id);
  const std::string signing_input =
      internal::Base64UrlEncode(header.dump()) + "." + internal::Base64UrlEncode(claims_json);

  BIO* bio = BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (!key) return InvalidArgumentError("private_key is not a PEM private key");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t size = 0;
  std::string signature;
  bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &size,
                           reinterpret_cast<const unsigned char*>(signing_input.data()),
                           signing_input.size()) == 1;
  if (ok) {
    signature.resize(size);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size,
                        reinterpret_cast<const unsigned char*>(signing_input.data()),
                        signing_input.size()) == 1;
    signature.resize(size);
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  if (!ok) return InternalError("signing the JWT with RS256 failed (is the key an RSA key?)");
  return signing_input + "." + internal::Base64UrlEncode(signature);
}

Result<std::unique_ptr<Credentials>> CredentialsFromJson(std::string_view text,
                                                         const GcpEndpoints& endpoints) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return InvalidArgumentError("credentials are not a JSON object");
  TAI_ASSIGN_OR_RETURN(auto type, RequiredString(j, "type", "credentials"));
  std::string token_url = endpoints.token_url;
  if (type == "service_account") {
    constexpr std::string_view kWhat = "service account key";
    TAI_ASSIGN_OR_RETURN(auto email, RequiredString(j, "client_email", kWhat));
    TAI_ASSIGN_OR_RETURN(auto key, RequiredString(j, "private_key", kWhat));
    std::string key_id = j.value("private_key_id", "");
    std::string project = j.value("project_id", "");
    return std::unique_ptr<Credentials>(
        std::make_unique<ServiceAccount>(std::move(email), std::move(key), std::move(key_id),
                                         std::move(token_url), std::move(project)));
  }
  if (type == "authorized_user") {
    constexpr std::string_view kWhat = "authorized user credentials";
    TAI_ASSIGN_OR_RETURN(auto id, RequiredString(j, "client_id", kWhat));
    TAI_ASSIGN_OR_RETURN(auto secret, RequiredString(j, "client_secret", kWhat));
    TAI_ASSIGN_OR_RETURN(auto refresh, RequiredString(j, "refresh_token", kWhat));
    return std::unique_ptr<Credentials>(
        std::make_unique<AuthorizedUser>(std::move(id), std::move(secret), std::move(refresh),
                                         std::move(token_url), j.value("quota_project_id", "")));
  }
  return InvalidArgumentError("credentials type '" + type +
                              "' is not service_account or authorized_user");
}

Result<std::unique_ptr<Credentials>> CredentialsFromFile(const std::string& path,
                                                         const GcpEndpoints& endpoints) {
  // A key file is a few KiB of JSON; anything else named here is a mistake.
  constexpr size_t kMaxKeyFileBytes = 1 << 20;
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(
      std::string text, internal::ReadRegularFile(path, kMaxKeyFileBytes, "the key file limit"),
      "credentials file");
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(auto credentials, CredentialsFromJson(text, endpoints),
                                    "credentials file '" + path + "'");
  return credentials;
}

std::unique_ptr<Credentials> MetadataServerCredentials(const GcpEndpoints& endpoints) {
  return std::make_unique<MetadataServer>(endpoints);
}

Result<std::unique_ptr<Credentials>> DefaultCredentials(GcpEndpoints endpoints,
                                                        const EnvLookup& getenv) {
  if (const char* host = getenv("GCE_METADATA_HOST"); host && *host) endpoints.metadata_host = host;
  TAI_RETURN_IF_ERROR(endpoints.Validate());
  if (const char* path = getenv("GOOGLE_APPLICATION_CREDENTIALS"); path && *path) {
    return CredentialsFromFile(path, endpoints);
  }
  if (const char* home = getenv("HOME"); home && *home) {
    const std::string well_known =
        std::string(home) + "/.config/gcloud/application_default_credentials.json";
    if (std::ifstream(well_known).good()) return CredentialsFromFile(well_known, endpoints);
  }
  return MetadataServerCredentials(endpoints);
}

Result<MetadataInfo> ReadMetadata(const GcpEndpoints& endpoints,
                                  std::chrono::milliseconds timeout) {
  MetadataInfo info;
  TAI_ASSIGN_OR_RETURN(info.project_id, MetadataGet(endpoints, "project/project-id", timeout));
  // "projects/123/zones/us-central1-a" -> "us-central1-a"
  auto zone = MetadataGet(endpoints, "instance/zone", timeout);
  if (zone.ok()) info.zone = zone->substr(zone->rfind('/') + 1);
  auto id = MetadataGet(endpoints, "instance/id", timeout);
  if (id.ok()) info.instance_id = std::move(*id);
  auto cluster = MetadataGet(endpoints, "instance/attributes/cluster-name", timeout);
  if (cluster.ok()) info.cluster_name = std::move(*cluster);
  auto cluster_location = MetadataGet(endpoints, "instance/attributes/cluster-location", timeout);
  if (cluster_location.ok()) info.cluster_location = std::move(*cluster_location);
  return info;
}

}  // namespace tai::gcp
