#include "tai/analysis/flame_graph.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string_view>

#include "core/text.h"
#include "profile/profile_index.h"

namespace tai {
namespace {

std::string CleanName(std::string name) {
  std::replace(name.begin(), name.end(), ';', ':');
  return name;
}

void AppendXml(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out += c;
    }
  }
}

struct Node {
  std::string name;
  std::string module;
  int64_t value = 0;
  int64_t base = 0;  // the baseline's value, in a differential graph
  std::map<std::string, std::unique_ptr<Node>> children;
};

uint32_t Hash(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h;
}

// Warm colours; the hue is picked by module so that one library's frames
// share a colour family, and varies a little by function.
std::string Colour(const Node& n) {
  std::string_view base = n.module;
  if (size_t slash = base.rfind('/'); slash != std::string_view::npos)
    base = base.substr(slash + 1);
  uint32_t m = Hash(base), f = Hash(n.name);
  double hue = static_cast<double>(m % 60);                                     // red..yellow
  if (base.rfind("libc", 0) == 0 || base.rfind("ld-linux", 0) == 0) hue = 200;  // system: blue
  double sat = 55 + static_cast<double>(f % 25);
  double light = 55 + static_cast<double>((f >> 8) % 15);
  return internal::StringPrintf("hsl(%.0f,%.0f%%,%.0f%%)", hue, sat, light);
}

const char kScript[] = R"JS(
var frames = [].slice.call(document.querySelectorAll('g.f'));
var W = +document.documentElement.getAttribute('data-width'), PAD = 10;
var details = document.getElementById('details');
function attr(g, k) { return +g.getAttribute('data-' + k); }
function place(g, x, w, show) {
  var r = g.querySelector('rect'), t = g.querySelector('text');
  g.style.display = show ? '' : 'none';
  if (!show) return;
  r.setAttribute('x', PAD + x * (W - 2 * PAD));
  r.setAttribute('width', Math.max(0, w * (W - 2 * PAD) - 0.5));
  t.setAttribute('x', PAD + x * (W - 2 * PAD) + 3);
  var chars = Math.floor((w * (W - 2 * PAD) - 6) / 7), name = g.getAttribute('data-name');
  t.textContent = chars < 3 ? '' : (name.length <= chars ? name : name.slice(0, chars - 2) + '..');
}
function zoom(target) {
  var x0 = target ? attr(target, 'x') : 0, w0 = target ? attr(target, 'w') : 1;
  var d0 = target ? attr(target, 'd') : 0;
  frames.forEach(function (g) {
    var x = attr(g, 'x'), w = attr(g, 'w'), d = attr(g, 'd');
    if (d < d0) place(g, 0, 1, x <= x0 + 1e-12 && x + w >= x0 + w0 - 1e-12);
    else place(g, (x - x0) / w0, w / w0, x >= x0 - 1e-12 && x + w <= x0 + w0 + 1e-12);
  });
  document.getElementById('unzoom').style.display = target ? '' : 'none';
}
function search(term) {
  var re = term ? new RegExp(term) : null, total = 0, spans = [];
  frames.forEach(function (g) {
    var hit = re && re.test(g.getAttribute('data-name'));
    g.querySelector('rect').style.fill = hit ? 'rgb(230,0,230)' : '';
    if (hit) spans.push([attr(g, 'x'), attr(g, 'x') + attr(g, 'w')]);
  });
  spans.sort(function (a, b) { return a[0] - b[0]; });
  var end = -1;
  spans.forEach(function (s) { if (s[0] >= end) { total += s[1] - s[0]; end = s[1]; } else if (s[1] > end) { total += s[1] - end; end = s[1]; } });
  document.getElementById('matched').textContent = re ? 'Matched: ' + (100 * total).toFixed(1) + '%' : '';
}
frames.forEach(function (g) {
  g.addEventListener('click', function () { zoom(g); });
  g.addEventListener('mouseover', function () { details.textContent = g.querySelector('title').textContent; });
  g.addEventListener('mouseout', function () { details.textContent = ' '; });
});
document.getElementById('unzoom').addEventListener('click', function () { zoom(null); });
document.getElementById('search').addEventListener('click', function () {
  search(prompt('Search for (regular expression):', '') || '');
});
document.addEventListener('keydown', function (e) {
  if (e.ctrlKey && e.key === 'f') { e.preventDefault(); search(prompt('Search for (regular expression):', '') || ''); }
});
)JS";

// The child of `n` named `name`, made on first use.
Node* Child(Node* n, std::string name, std::string module) {
  std::unique_ptr<Node>& child = n->children[name];
  if (!child) {
    child = std::make_unique<Node>();
    child->name = std::move(name);
    child->module = std::move(module);
  }
  return child.get();
}

// Adds the profile's stacks to the tree under `root`: into `value`, or
// into `base` for the baseline of a differential graph, down to `max_depth`
// frames. Returns the depth.
// The sum of the samples' positive default values: the root of the
// profile's flame graph.
int64_t PositiveTotal(const Profile& profile) {
  const int vi = profile.DefaultValueIndex();
  int64_t total = 0;
  for (const ProfileSample& s : profile.samples) {
    if (vi >= 0 && static_cast<size_t>(vi) < s.values.size() && s.values[vi] > 0) {
      total += s.values[vi];
    }
  }
  return total;
}

int AddStacks(const Profile& profile, Node& root, bool into_base, int max_depth) {
  int vi = profile.DefaultValueIndex();
  if (vi < 0) return 0;
  internal::ProfileIndex index(profile);
  int depth = 0;
  for (const ProfileSample& s : profile.samples) {
    if (static_cast<size_t>(vi) >= s.values.size() || s.values[vi] <= 0) continue;
    int64_t v = s.values[vi];
    (into_base ? root.base : root.value) += v;
    Node* n = &root;
    int d = 0;
    for (internal::Frame& f : index.Stack(s)) {
      n = d < max_depth
              ? Child(n, std::move(f.function), std::move(f.module))
              : Child(n, "[truncated: deeper than " + std::to_string(max_depth) + " frames]", "");
      (into_base ? n->base : n->value) += v;
      if (++d > max_depth) break;
    }
    depth = std::max(depth, d);
  }
  return depth;
}

// How a frame is drawn beyond its size: its fill and the tooltip text
// after the name.
struct FrameStyle {
  std::function<std::string(const Node&, int depth)> fill;
  std::function<std::string(const Node&)> details;
};

std::string RenderSvg(const Node& root, int depth, const FlameGraphOptions& options,
                      const FrameStyle& style) {
  const int fh = options.frame_height;
  const int width = options.width;
  const int height = (depth + 1) * fh + 80;
  const double usable = width - 20.0;
  const int64_t total = root.value;

  std::string out;
  out += "<?xml version=\"1.0\" standalone=\"no\"?>\n";
  out += "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
         std::to_string(width) + " " + std::to_string(height) + "\" data-width=\"" +
         std::to_string(width) + "\">\n";
  out +=
      "<style>text{font-family:monospace;font-size:12px;fill:#000}"
      "g.f:hover rect{stroke:#000;stroke-width:0.5;cursor:pointer}"
      "#unzoom,#search{cursor:pointer}</style>\n";
  out += "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#f8f8f0\"/>\n";
  out += "<text x=\"" + std::to_string(width / 2) +
         "\" y=\"24\" text-anchor=\"middle\" style=\"font-size:17px\">";
  AppendXml(out, options.title);
  out += "</text>\n";
  out += "<text id=\"unzoom\" x=\"10\" y=\"24\" style=\"display:none\">Reset Zoom</text>\n";
  out += "<text id=\"search\" x=\"" + std::to_string(width - 70) + "\" y=\"24\">Search</text>\n";
  out += "<text id=\"matched\" x=\"" + std::to_string(width - 200) + "\" y=\"" +
         std::to_string(height - 10) + "\"></text>\n";
  out += "<text id=\"details\" x=\"10\" y=\"" + std::to_string(height - 10) + "\"> </text>\n";

  // Frames: root at the bottom. Positions are fractions of the total so that
  // the script can zoom without the tree.
  std::function<void(const Node&, double, int)> draw = [&](const Node& n, double x, int d) {
    double w = total > 0 ? static_cast<double>(n.value) / static_cast<double>(total) : 0;
    if ((w * usable < options.min_frame_px || n.value <= 0) && d > 0) return;
    double y = height - 40 - (d + 1) * fh;
    const std::string& label = n.name;
    out += "<g class=\"f\" data-name=\"";
    AppendXml(out, label);
    out +=
        internal::StringPrintf("\" data-x=\"%.9f\" data-w=\"%.9f\" data-d=\"%d\"><title>", x, w, d);
    AppendXml(out, label);
    out += " (";
    AppendXml(out, style.details(n));
    out += ")</title>";
    out += internal::StringPrintf(
        "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" rx=\"2\" ", 10 + x * usable, y,
        std::max(0.0, w * usable - 0.5), fh - 1.0);
    out += "fill=\"" + style.fill(n, d) + "\"/>";
    out += internal::StringPrintf("<text x=\"%.2f\" y=\"%.0f\">", 13 + x * usable, y + fh - 4.0);
    size_t chars = static_cast<size_t>(std::max(0.0, (w * usable - 6) / 7));
    if (chars >= 3) {
      AppendXml(out, label.size() <= chars ? label : label.substr(0, chars - 2) + "..");
    }
    out += "</text></g>\n";
    // Children widest first, left to right.
    std::vector<const Node*> kids;
    for (const auto& [name, child] : n.children) kids.push_back(child.get());
    std::sort(kids.begin(), kids.end(), [](const Node* a, const Node* b) {
      return a->value != b->value ? a->value > b->value : a->name < b->name;
    });
    double cx = x;
    for (const Node* k : kids) {
      draw(*k, cx, d + 1);
      cx += total > 0 ? static_cast<double>(k->value) / static_cast<double>(total) : 0;
    }
  };
  draw(root, 0, 0);
  out += "<script type=\"text/ecmascript\"><![CDATA[";
  out += kScript;
  out += "]]></script>\n</svg>\n";
  return out;
}

// "1234 us" or "4096 bytes": a value in the unit HotPath reports.
std::string Shown(const Profile& profile, double value) {
  int vi = profile.DefaultValueIndex();
  std::string unit = vi >= 0 ? profile.sample_types[vi].unit : "";
  bool ns = unit == "nanoseconds";
  return internal::StringPrintf("%.0f", ns ? value / 1000 : value) + (ns ? " us" : " " + unit);
}

std::string TypeName(const Profile& profile) {
  int vi = profile.DefaultValueIndex();
  return vi >= 0 ? profile.sample_types[vi].type : "";
}

// Red for more than the baseline, blue for less, paler the smaller the
// change; a change of 50% or more is fully saturated.
std::string DiffColour(const Node& n, double scale) {
  double base = static_cast<double>(n.base) * scale;
  double cur = static_cast<double>(n.value);
  double change = base > 0 ? (cur - base) / base : 1.0;
  double strength = std::min(1.0, std::abs(change) / 0.5);
  int pale = static_cast<int>(std::lround(235 - 175 * strength));
  if (std::abs(change) < 0.02) return "rgb(235,235,235)";
  return change > 0 ? internal::StringPrintf("rgb(250,%d,%d)", pale, pale)
                    : internal::StringPrintf("rgb(%d,%d,250)", pale, pale);
}

}  // namespace

std::string CollapsedStacks(const Profile& profile) {
  int vi = profile.DefaultValueIndex();
  if (vi < 0) return "";
  internal::ProfileIndex index(profile);
  std::map<std::string, int64_t> stacks;
  for (const ProfileSample& s : profile.samples) {
    if (static_cast<size_t>(vi) >= s.values.size()) continue;
    std::string line;
    for (const internal::Frame& f : index.Stack(s)) {
      if (!line.empty()) line += ';';
      line += CleanName(f.function);
    }
    stacks[line] += s.values[vi];
  }
  std::string out;
  for (const auto& [stack, value] : stacks) {
    int64_t v = profile.ToReportUnit(value);
    if (v == 0 || stack.empty()) continue;
    out += stack;
    out += ' ';
    out += std::to_string(v);
    out += '\n';
  }
  return out;
}

std::string FlameGraphSvg(const Profile& profile, const FlameGraphOptions& options) {
  Node root;
  int depth = AddStacks(profile, root, false, options.max_depth);
  root.name = "all (" + TypeName(profile) + ")";
  FrameStyle style;
  style.fill = [](const Node& n, int d) {
    return d == 0 ? std::string("hsl(0,0%,80%)") : Colour(n);
  };
  const double total = static_cast<double>(root.value);
  style.details = [&](const Node& n) {
    std::string s = Shown(profile, static_cast<double>(n.value)) + ", " +
                    internal::StringPrintf(
                        "%.2f", total > 0 ? 100.0 * static_cast<double>(n.value) / total : 0.0) +
                    "%";
    if (!n.module.empty()) s += ", " + n.module;
    return s;
  };
  return RenderSvg(root, depth, options, style);
}

double DifferentialBaselineScale(const Profile& baseline, const Profile& current,
                                 Normalization normalization) {
  if (normalization == Normalization::kPerRun) return 1;
  // Work counts are not known here: kPerWork is drawn as shares, as
  // CompareProfiles does without them.
  if (normalization == Normalization::kShareOfTotal || normalization == Normalization::kPerWork) {
    const int64_t base = PositiveTotal(baseline);
    return base > 0 ? static_cast<double>(PositiveTotal(current)) / static_cast<double>(base) : 1;
  }
  if (baseline.duration_nanos > 0 && current.duration_nanos > 0) {
    return static_cast<double>(current.duration_nanos) /
           static_cast<double>(baseline.duration_nanos);
  }
  return 1;
}

std::string DifferentialFlameGraphSvg(const Profile& baseline, const Profile& current,
                                      const FlameGraphOptions& options,
                                      Normalization normalization) {
  Node root;
  int depth = AddStacks(current, root, false, options.max_depth);
  AddStacks(baseline, root, true, options.max_depth);
  const double scale = DifferentialBaselineScale(baseline, current, normalization);
  root.name = "all (" + TypeName(current) + ", vs baseline)";
  FrameStyle style;
  style.fill = [scale](const Node& n, int) { return DiffColour(n, scale); };
  style.details = [&](const Node& n) {
    double base = static_cast<double>(n.base) * scale;
    std::string s =
        Shown(current, static_cast<double>(n.value)) + ", baseline " + Shown(current, base);
    if (base > 0) {
      s += internal::StringPrintf(", %+.1f%%", 100.0 * (static_cast<double>(n.value) / base - 1));
    } else {
      s += ", new";
    }
    return s;
  };
  return RenderSvg(root, depth, options, style);
}

}  // namespace tai
