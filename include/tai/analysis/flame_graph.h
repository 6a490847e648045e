// Flame graphs of a Profile: the collapsed-stack text that flame graph tools
// read ("main;process;database 50000", one stack per line, root first,
// values in microseconds for time profiles), and a self-contained
// interactive SVG drawn by our own code (click a frame to zoom, Ctrl-F or
// the Search button to highlight, hover for details; frames coloured by the
// module they come from), and a differential SVG of a current profile
// against a baseline (frames sized by the current profile, red where they
// cost more than in the baseline, blue where less, paler the smaller the
// change; the tooltip gives both values and the change).
//
// Free functions, thread-safe (no shared state).
#pragma once

#include <string>

#include "tai/analysis/regression.h"
#include "tai/profile/profile.h"

namespace tai {

// One line per distinct stack, sorted; the value is Profile::DefaultValueIndex()
// in HotPath's unit (microseconds for nanosecond values). Stacks whose value
// rounds to 0 are left out. ';' inside a function name becomes ':'.
std::string CollapsedStacks(const Profile& profile);

struct FlameGraphOptions {
  std::string title = "Flame Graph";
  int width = 1200;           // pixels
  int frame_height = 16;      // pixels per stack level
  double min_frame_px = 0.3;  // narrower frames are left out (their cost stays in the parent)
  // Frames drawn per stack, from the root; what lies deeper is drawn as one
  // "[truncated]" frame. Bounds the work and the drawing's depth for
  // profiles from untrusted sources.
  int max_depth = 1024;
};

std::string FlameGraphSvg(const Profile& profile, const FlameGraphOptions& options = {});

// The baseline is scaled to the current profile's exposure as in
// CompareProfiles (per second of wall time when both have a duration; as
// they are with kPerRun; by the totals with kShareOfTotal or kPerWork), so
// equal colours mean equal rates.
std::string DifferentialFlameGraphSvg(const Profile& baseline, const Profile& current,
                                      const FlameGraphOptions& options = {},
                                      Normalization normalization = Normalization::kCpuPerSecond);

// The factor a differential flame graph multiplies the baseline's values by
// to put them on the current profile's exposure: the ratio of the durations
// (kCpuPerSecond; 1 when either has none), 1 (kPerRun), or the ratio of the
// totals (kShareOfTotal, and kPerWork, which has no work counts here).
// The dashboard's JSON differential flame graph uses it too.
double DifferentialBaselineScale(const Profile& baseline, const Profile& current,
                                 Normalization normalization = Normalization::kCpuPerSecond);

}  // namespace tai
