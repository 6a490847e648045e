// Resource: who is emitting the telemetry (service name, version, instance,
// environment, Google Cloud project). Attached to every export.
//
// A value type, filled from code or from the environment (Config::FromEnv);
// immutable once handed to Observability::Start. Not synchronised.
#pragma once

#include <string>
#include <string_view>

#include "tai/core/attributes.h"
#include "tai/core/status.h"

namespace tai {

enum class Environment { kDev, kStaging, kProd };

std::string_view EnvironmentName(Environment env);  // "dev", "staging", "prod"
// Accepts dev/development, staging/stage, prod/production (any case).
Result<Environment> ParseEnvironment(std::string_view text);

struct Resource {
  std::string service_name = "unknown_service";
  std::string service_version;
  // Unique per process; a random id is made when left empty.
  std::string instance_id;
  Environment environment = Environment::kDev;
  std::string gcp_project;
  // Further attributes (e.g. from OTEL_RESOURCE_ATTRIBUTES).
  Attributes attributes;

  // OpenTelemetry semantic-convention attributes: service.name,
  // service.version, service.instance.id, deployment.environment.name,
  // cloud.provider/cloud.account.id when a project is set, then `attributes`.
  Attributes ToAttributes() const;
  Status Validate() const;
};

}  // namespace tai
