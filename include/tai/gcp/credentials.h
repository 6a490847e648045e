// Google Cloud credentials, found in the Application Default Credentials
// order: the key file named by GOOGLE_APPLICATION_CREDENTIALS (a service
// account, whose RS256-signed JWT is exchanged for an access token, or an
// authorized user, whose refresh token is), then gcloud's well-known
// application_default_credentials.json, then the metadata server (GCE, GKE,
// Cloud Run).
//
// A Credentials object fetches a fresh token over the network on each
// FetchToken(): callers go through AccessTokenSource (token_source.h),
// which caches it and refreshes it on one background thread. Tokens, keys
// and secrets never appear in a Status message or in Describe().
//
// Credentials are immutable after construction; FetchToken is not meant to
// be called concurrently (AccessTokenSource calls it from one thread).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tai/core/status.h"

namespace tai::gcp {

// Every Google endpoint the library talks to, overridable so that tests
// (and private deployments) point them elsewhere. A non-loopback endpoint
// must be https, whose certificates are always verified: no setting turns
// that off. The metadata server is plain http on the link-local address,
// as on Google's platforms.
struct GcpEndpoints {
  std::string token_url = "https://oauth2.googleapis.com/token";
  // host[:port], as GCE_METADATA_HOST.
  std::string metadata_host = "metadata.google.internal";
  std::string monitoring = "https://monitoring.googleapis.com";
  std::string trace = "https://cloudtrace.googleapis.com";
  std::string logging = "https://logging.googleapis.com";
  std::string profiler = "https://cloudprofiler.googleapis.com";

  // Checks each URL: https, or http on a loopback host.
  Status Validate() const;
};

// The scope every exporter needs.
inline constexpr std::string_view kCloudPlatformScope =
    "https://www.googleapis.com/auth/cloud-platform";

struct AccessToken {
  std::string value;
  std::chrono::system_clock::time_point expiry;
};

class Credentials {
 public:
  virtual ~Credentials() = default;
  virtual Result<AccessToken> FetchToken() = 0;
  // "service account exporter@p.iam.gserviceaccount.com": safe to log.
  virtual std::string Describe() const = 0;
  // The project the credentials belong to, when they say ("" otherwise).
  virtual std::string ProjectId() const { return ""; }
};

// From the JSON of a key file ("type": "service_account" or
// "authorized_user"). Errors name the missing or bad field, never a value.
Result<std::unique_ptr<Credentials>> CredentialsFromJson(std::string_view json,
                                                         const GcpEndpoints& endpoints);
Result<std::unique_ptr<Credentials>> CredentialsFromFile(const std::string& path,
                                                         const GcpEndpoints& endpoints);
// The metadata server's default service account.
std::unique_ptr<Credentials> MetadataServerCredentials(const GcpEndpoints& endpoints);

// Application Default Credentials, in the order above. `getenv` reads
// GOOGLE_APPLICATION_CREDENTIALS, GCE_METADATA_HOST and HOME (tests pass
// their own); `endpoints.metadata_host` gives way to GCE_METADATA_HOST.
using EnvLookup = std::function<const char*(const char*)>;
Result<std::unique_ptr<Credentials>> DefaultCredentials(GcpEndpoints endpoints,
                                                        const EnvLookup& getenv);

// What the metadata server says about where we run.
struct MetadataInfo {
  std::string project_id;
  std::string zone;  // "us-central1-a"
  std::string instance_id;
  // On GKE nodes: the cluster's name and location (a zone or a region).
  std::string cluster_name;
  std::string cluster_location;
};
Result<MetadataInfo> ReadMetadata(const GcpEndpoints& endpoints,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(2));

// Signs `claims` (a JSON object) as a JWT with RS256 under the PEM private
// key; `key_id` goes into the header as kid when not empty.
Result<std::string> SignJwtRs256(std::string_view claims_json, std::string_view private_key_pem,
                                 std::string_view key_id);

}  // namespace tai::gcp
