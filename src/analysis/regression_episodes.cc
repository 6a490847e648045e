#include "analysis/regression_episodes.h"

#include <algorithm>
#include <set>

namespace tai::internal {

RegressionEpisodes::Update RegressionEpisodes::Observe(ProfileKind kind,
                                                       const std::string& profile_id,
                                                       const ProfileComparison& comparison,
                                                       int64_t now) {
  ProfileComparison raised;
  raised.options = comparison.options;
  std::set<std::string> seen;
  for (const Regression& r : comparison.regressions) {
    seen.insert(r.function);
    auto it = active_.find({kind, r.function});
    if (it != active_.end()) ++it->second.windows;
    // Under 5% a regression has no band and raises no alert (the design's bands).
    if (r.severity == AlertSeverity::kNone) continue;
    if (it == active_.end() || r.severity > it->second.severity) raised.regressions.push_back(r);
  }
  Update update;
  update.alert = MakeRegressionAlert(raised, now);
  if (update.alert) {
    for (const Regression& r : raised.regressions) {
      auto [it, fresh] =
          active_.try_emplace({kind, r.function}, Active{.since = now, .windows = 1});
      it->second.alert_id = update.alert->alert_id;
      it->second.severity = std::max(it->second.severity, r.severity);
    }
  }
  for (auto it = active_.begin(); it != active_.end();) {
    if (it->first.first != kind || seen.contains(it->first.second)) {
      ++it;
      continue;
    }
    update.resolved.push_back(AlertResolved{.timestamp = now,
                                            .profile_id = profile_id,
                                            .function = it->first.second,
                                            .kind = kind,
                                            .alert_id = it->second.alert_id,
                                            .severity = it->second.severity,
                                            .since = it->second.since,
                                            .windows = it->second.windows});
    it = active_.erase(it);
  }
  return update;
}

}  // namespace tai::internal
