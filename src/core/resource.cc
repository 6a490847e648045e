#include "tai/core/resource.h"

#include <algorithm>

#include "core/enum_names.h"

namespace tai {

namespace {

constexpr internal::EnumNames<Environment, 3> kEnvironmentNames{{
    {Environment::kDev, "dev"},
    {Environment::kStaging, "staging"},
    {Environment::kProd, "prod"},
}};

// The longer spellings ParseEnvironment also takes.
constexpr internal::EnumNames<Environment, 3> kEnvironmentAliases{{
    {Environment::kDev, "development"},
    {Environment::kStaging, "stage"},
    {Environment::kProd, "production"},
}};

}  // namespace

std::string_view EnvironmentName(Environment env) {
  return internal::NameOf(kEnvironmentNames, env, "dev");
}

Result<Environment> ParseEnvironment(std::string_view text) {
  if (auto env = internal::ValueNamed(kEnvironmentNames, text)) return *env;
  if (auto env = internal::ValueNamed(kEnvironmentAliases, text)) return *env;
  return InvalidArgumentError("environment '" + std::string(text) +
                              "' is not one of dev, staging, prod");
}

Attributes Resource::ToAttributes() const {
  Attributes out;
  out.push_back({"service.name", service_name});
  if (!service_version.empty()) out.push_back({"service.version", service_version});
  if (!instance_id.empty()) out.push_back({"service.instance.id", instance_id});
  out.push_back({"deployment.environment.name", std::string(EnvironmentName(environment))});
  if (!gcp_project.empty()) {
    out.push_back({"cloud.provider", "gcp"});
    out.push_back({"cloud.account.id", gcp_project});
  }
  for (const Attribute& a : attributes) {
    bool shadowed = std::any_of(out.begin(), out.end(),
                                [&](const Attribute& have) { return have.key == a.key; });
    if (!shadowed) out.push_back(a);
  }
  return out;
}

Status Resource::Validate() const {
  if (service_name.empty()) return InvalidArgumentError("resource: service name is empty");
  if (service_name.size() > 255) {
    return InvalidArgumentError("resource: service name is longer than 255 characters");
  }
  for (const Attribute& a : attributes) {
    if (a.key.empty()) return InvalidArgumentError("resource: an attribute has an empty key");
  }
  return Status::Ok();
}

}  // namespace tai
