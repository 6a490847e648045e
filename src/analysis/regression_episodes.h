// RegressionEpisodes: the regressions a continuous profiling service has
// alerted and not yet seen end, by (function, profile kind), so that one
// regression raises one alert while it lasts (and again only when it rises
// to a higher severity band), and a comparison that no longer shows it
// resolves it. The same identity and the same "a comparison without it ends
// it" as the alert engine's ProfileRegression alerts (AlertEngine::
// ReportRegressions), so a service wired to the engine tells one story in
// its events and in the engine.
//
// Internal to the analysis module. Not synchronised: the service's thread
// owns it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tai/analysis/continuous_profiling.h"
#include "tai/analysis/regression.h"
#include "tai/profile/profile_sink.h"

namespace tai::internal {

class RegressionEpisodes {
 public:
  struct Update {
    // The regressions that started, or rose to a higher band, in this
    // comparison; nullopt when none did.
    std::optional<RegressionAlert> alert;
    // The regressions earlier comparisons showed and this one does not.
    std::vector<AlertResolved> resolved;
  };

  // One comparison of the `kind` window `profile_id`, made at `now`.
  Update Observe(ProfileKind kind, const std::string& profile_id,
                 const ProfileComparison& comparison, int64_t now);
  size_t active() const { return active_.size(); }

 private:
  struct Active {
    std::string alert_id;
    AlertSeverity severity = AlertSeverity::kNone;
    int64_t since = 0;
    int64_t windows = 0;
  };
  std::map<std::pair<ProfileKind, std::string>, Active> active_;
};

}  // namespace tai::internal
