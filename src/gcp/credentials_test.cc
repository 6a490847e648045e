#include "tai/gcp/credentials.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/base64.h"
#include "tai/gcp/token_source.h"
#include "tai/web/http_server.h"

namespace tai::gcp {
namespace {

using nlohmann::json;

// A fresh RSA key: the private half for the key file, the public half for
// the token endpoint to verify what the library signed.
struct TestKey {
  TestKey() {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    BIO* priv = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
    private_pem = Read(priv);
    BIO* pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(pub, key);
    public_pem = Read(pub);
    EVP_PKEY_free(key);
  }
  static std::string Read(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
  }
  bool Verify(std::string_view signed_part, std::string_view signature) const {
    BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                                     signature.size(),
                                     reinterpret_cast<const unsigned char*>(signed_part.data()),
                                     signed_part.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
  }
  std::string private_pem;
  std::string public_pem;
};

const TestKey& Key() {
  static const TestKey key;
  return key;
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < body.size()) {
    size_t amp = body.find('&', start);
    std::string item = body.substr(start, amp == std::string::npos ? amp : amp - start);
    size_t eq = item.find('=');
    std::string value = item.substr(eq + 1);
    std::string decoded;
    for (size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '%' && i + 2 < value.size()) {
        decoded += static_cast<char>(std::stoi(value.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        decoded += value[i];
      }
    }
    out[item.substr(0, eq)] = decoded;
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

// The token endpoint and the metadata server, as Google's behave, on loopback.
class FakeGoogle {
 public:
  FakeGoogle() {
    server_.Handle("POST", "/token", [this](const HttpRequest& r, HttpResponse& w) {
      std::lock_guard<std::mutex> lock(mu_);
      w.content_type = "application/json";
      auto form = ParseForm(r.body);
      if (form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        last_jwt_error_ = CheckJwt(form["assertion"]);
        if (!last_jwt_error_.empty()) {
          w.status = 400;
          w.body = R"({"error":"invalid_grant","error_description":"bad assertion"})";
          return;
        }
      } else if (form["grant_type"] == "refresh_token") {
        if (form["refresh_token"] != "r3fresh" || form["client_secret"] != "s&cret") {
          w.status = 400;
          w.body = R"({"error":"invalid_grant"})";
          return;
        }
      } else {
        w.status = 400;
        w.body = R"({"error":"unsupported_grant_type"})";
        return;
      }
      ++tokens_issued_;
      w.body = json{{"access_token", "tok-" + std::to_string(tokens_issued_)},
                    {"expires_in", expires_in_},
                    {"token_type", "Bearer"}}
                   .dump();
    });
    server_.Handle("GET", "/computeMetadata/v1/*", [this](const HttpRequest& r, HttpResponse& w) {
      if (r.Header("metadata-flavor") != "Google") {
        w.status = 403;
        return;
      }
      if (r.path.ends_with("/token")) {
        std::lock_guard<std::mutex> lock(mu_);
        w.body = json{{"access_token", "meta-" + std::to_string(++tokens_issued_)},
                      {"expires_in", expires_in_}}
                     .dump();
      } else if (r.path.ends_with("/project/project-id")) {
        w.body = "my-project";
      } else if (r.path.ends_with("/instance/zone")) {
        w.body = "projects/123/zones/europe-west1-b";
      } else if (r.path.ends_with("/instance/id")) {
        w.body = "4567";
      } else if (r.path.ends_with("/instance/attributes/cluster-name")) {
        w.body = "prod-cluster";
      } else {
        w.status = 404;
      }
    });
    EXPECT_TRUE(server_.Start().ok());
  }

  GcpEndpoints Endpoints() const {
    GcpEndpoints e;
    e.token_url = server_.url() + "/token";
    e.metadata_host = "127.0.0.1:" + std::to_string(server_.port());
    return e;
  }
  std::string KeyJson() const {
    return json{{"type", "service_account"},
                {"project_id", "key-project"},
                {"private_key_id", "kid-1"},
                {"private_key", Key().private_pem},
                {"client_email", "exporter@key-project.iam.gserviceaccount.com"}}
        .dump();
  }
  std::string last_jwt_error() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_jwt_error_;
  }
  void set_expires_in(int seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    expires_in_ = seconds;
  }

 private:
  // "" when the JWT is signed by the test key with the claims Google needs.
  std::string CheckJwt(const std::string& jwt) const {
    const size_t dot1 = jwt.find('.');
    const size_t dot2 = jwt.find('.', dot1 + 1);
    if (dot1 == std::string::npos || dot2 == std::string::npos) return "not three parts";
    auto header = internal::Base64Decode(jwt.substr(0, dot1));
    auto claims = internal::Base64Decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
    auto signature = internal::Base64Decode(jwt.substr(dot2 + 1));
    if (!header || !claims || !signature) return "bad base64url";
    if (!Key().Verify(jwt.substr(0, dot2), *signature)) return "signature does not verify";
    const json h = json::parse(*header);
    if (h["alg"] != "RS256" || h["typ"] != "JWT" || h["kid"] != "kid-1") return "bad header";
    const json c = json::parse(*claims);
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (c["iss"] != "exporter@key-project.iam.gserviceaccount.com") return "bad iss";
    if (c["scope"] != "https://www.googleapis.com/auth/cloud-platform") return "bad scope";
    if (c["aud"] != server_.url() + "/token") return "bad aud";
    if (std::abs(c["iat"].get<int64_t>() - now) > 60) return "bad iat";
    if (c["exp"].get<int64_t>() - c["iat"].get<int64_t>() != 3600) return "bad exp";
    return "";
  }

  HttpServer server_;
  mutable std::mutex mu_;
  int tokens_issued_ = 0;
  int expires_in_ = 3600;
  std::string last_jwt_error_;
};

TEST(CredentialsTest, ServiceAccountSignsAJwtTheTokenEndpointVerifies) {
  FakeGoogle google;
  auto credentials = CredentialsFromJson(google.KeyJson(), google.Endpoints());
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_EQ((*credentials)->Describe(),
            "service account exporter@key-project.iam.gserviceaccount.com");
  EXPECT_EQ((*credentials)->ProjectId(), "key-project");
  auto token = (*credentials)->FetchToken();
  ASSERT_TRUE(token.ok()) << token.status().ToString() << " " << google.last_jwt_error();
  EXPECT_EQ(token->value, "tok-1");
  EXPECT_GT(token->expiry, std::chrono::system_clock::now() + std::chrono::minutes(59));
}

TEST(CredentialsTest, AuthorizedUserRefreshes) {
  FakeGoogle google;
  const std::string file = json{
      {"type", "authorized_user"},
      {"client_id", "cid"},
      {"client_secret", "s&cret"},
      {"refresh_token",
       "r3fresh"}}.dump();
  auto credentials = CredentialsFromJson(file, google.Endpoints());
  ASSERT_TRUE(credentials.ok());
  auto token = (*credentials)->FetchToken();
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->value, "tok-1");
}

TEST(CredentialsTest, ErrorsNameTheProblemAndNeverASecret) {
  FakeGoogle google;
  json key = json::parse(google.KeyJson());
  key.erase("client_email");
  auto missing = CredentialsFromJson(key.dump(), google.Endpoints());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("'client_email'"), std::string::npos);
  EXPECT_EQ(missing.status().message().find("PRIVATE KEY"), std::string::npos);

  key = json::parse(google.KeyJson());
  key["private_key"] = "-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n";
  auto bad_key = CredentialsFromJson(key.dump(), google.Endpoints());
  ASSERT_TRUE(bad_key.ok());
  auto token = (*bad_key)->FetchToken();
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.status().message().find("not a PEM private key"), std::string::npos);
  EXPECT_EQ(token.status().message().find("not really"), std::string::npos);

  const std::string user = json{
      {"type", "authorized_user"},
      {"client_id", "cid"},
      {"client_secret", "wrong-secret"},
      {"refresh_token",
       "r3fresh"}}.dump();
  auto rejected = (*CredentialsFromJson(user, google.Endpoints()))->FetchToken();
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find("invalid_grant"), std::string::npos);
  EXPECT_EQ(rejected.status().message().find("wrong-secret"), std::string::npos);
  EXPECT_EQ(rejected.status().message().find("r3fresh"), std::string::npos);

  EXPECT_FALSE(CredentialsFromJson("{\"type\":\"external_account\"}", google.Endpoints()).ok());
  EXPECT_FALSE(CredentialsFromJson("not json", google.Endpoints()).ok());
  EXPECT_EQ(CredentialsFromFile("/nonexistent/key.json", google.Endpoints()).status().code(),
            StatusCode::kNotFound);
  // A device named as the key file is refused, not read until memory runs out.
  EXPECT_EQ(CredentialsFromFile("/dev/zero", google.Endpoints()).status().message(),
            "credentials file: '/dev/zero' is not a regular file (a FIFO, socket or device)");
}

TEST(CredentialsTest, DefaultCredentialsFallBackToTheMetadataServer) {
  FakeGoogle google;
  const std::string host = google.Endpoints().metadata_host;
  std::map<std::string, std::string> env = {{"GCE_METADATA_HOST", host},
                                            {"HOME", "/nonexistent-home"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  GcpEndpoints endpoints;  // production defaults but for the metadata host
  auto credentials = DefaultCredentials(endpoints, getenv);
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_NE((*credentials)->Describe().find("metadata server " + host), std::string::npos);
  auto token = (*credentials)->FetchToken();
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->value, "meta-1");

  GcpEndpoints local = google.Endpoints();
  auto info = ReadMetadata(local);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->project_id, "my-project");
  EXPECT_EQ(info->zone, "europe-west1-b");
  EXPECT_EQ(info->instance_id, "4567");
  EXPECT_EQ(info->cluster_name, "prod-cluster");
  EXPECT_EQ(info->cluster_location, "");  // 404: not every node says
}

TEST(CredentialsTest, KeyFileNamedByTheEnvironmentComesFirst) {
  FakeGoogle google;
  const std::string path = ::testing::TempDir() + "/tai_key.json";
  { std::ofstream(path) << google.KeyJson(); }
  auto getenv = [&](const char* name) -> const char* {
    return std::string_view(name) == "GOOGLE_APPLICATION_CREDENTIALS" ? path.c_str() : nullptr;
  };
  GcpEndpoints endpoints = google.Endpoints();
  auto credentials = DefaultCredentials(endpoints, getenv);
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_EQ((*credentials)->ProjectId(), "key-project");
}

TEST(CredentialsTest, EndpointsMustBeHttpsOffLoopback) {
  GcpEndpoints e;
  EXPECT_TRUE(e.Validate().ok());
  e.trace = "http://127.0.0.1:8080";
  EXPECT_TRUE(e.Validate().ok());
  e.trace = "http://[::1]:8080";
  EXPECT_TRUE(e.Validate().ok());
  e.trace = "http://cloudtrace.example.com";
  Status s = e.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("trace"), std::string::npos);
  EXPECT_NE(s.message().find("https"), std::string::npos);
  e.trace = "cloudtrace";
  EXPECT_FALSE(e.Validate().ok());
}

TEST(AccessTokenSourceTest, RefreshesBeforeExpiryOnItsOwnThread) {
  FakeGoogle google;
  google.set_expires_in(2);  // refreshed at half its life: about every second
  AccessTokenSource source(*CredentialsFromJson(google.KeyJson(), google.Endpoints()));
  auto first = source.Token();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // Bounded wait for the background refresh; Token() never fetches itself.
  for (int i = 0; i < 200 && source.fetches() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(source.fetches(), 3u);
  auto later = source.Token();
  ASSERT_TRUE(later.ok());
  EXPECT_NE(*later, *first);
  EXPECT_EQ(source.AuthorizationHeader().value(), "Bearer " + source.Token().value());
}

TEST(AccessTokenSourceTest, ReportsWhyThereIsNoToken) {
  GcpEndpoints nowhere;
  nowhere.metadata_host = "127.0.0.1:1";  // nothing listens on port 1
  AccessTokenSource source(MetadataServerCredentials(nowhere));
  auto token = source.Token(std::chrono::seconds(10));
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.status().message().find("metadata server 127.0.0.1:1"), std::string::npos)
      << token.status().ToString();
  EXPECT_GE(source.failures(), 1u);
}

}  // namespace
}  // namespace tai::gcp
