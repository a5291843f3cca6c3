#include "core/train/scene_analysis.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace lienzo::train {
namespace {

using Vec3 = std::array<double, 3>;

constexpr double kBorderBandPx = 2.0;      // background fit band (at 64 px)
constexpr double kForegroundDist = 40.0;   // RGB distance from the fitted background
constexpr double kMinObjectAreaPx = 16.0;  // smaller components are specks (at 64 px)
constexpr double kSolidSpan = 50.0;        // corner colours closer than this: solid background
constexpr double kCoreFraction = 0.8;      // core pixels: distance >= this * the largest
constexpr int kTemplateSupersample = 4;
constexpr double kMaxColourExtension = 2.5;   // core coverage assumed >= 40 %
constexpr double kExtensionCost = 0.1;        // per unit of extension, times |core - background|
constexpr double kSplitStrongFraction = 0.3;  // of the largest distance, to vote for a colour
constexpr double kSplitColourDist = 60.0;     // a second colour this far from any mix: 2 objects
constexpr double kHaloPx = 2.0;  // rim around a component that still belongs to it (at 64 px)
// Blur levels (Gaussian sigma, px at 64) tried for the templates: sharp renders, then the
// softness of decoded/generated images.
constexpr double kBlurLevelsPx[] = {0.0, 0.7, 1.2};

double dist(const Vec3& a, const Vec3& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                   (a[2] - b[2]) * (a[2] - b[2]));
}

/// Ref: IEC 61966-2-1 sRGB transfer, CIE 1976 L*a*b* with the D65 white point.
Vec3 toLab(const Vec3& rgb) {
  auto lin = [](double c) {
    c /= 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  const double r = lin(rgb[0]), g = lin(rgb[1]), b = lin(rgb[2]);
  const double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  auto f = [](double t) {
    return t > 216.0 / 24389 ? std::cbrt(t) : (24389.0 / 27 * t + 16) / 116;
  };
  const double fx = f(x), fy = f(y), fz = f(z);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

/// Linear background model: colour = a + bx * x + by * y, x and y normalised pixel centres.
struct LinearFit {
  Vec3 a{}, bx{}, by{};
  Vec3 at(double x, double y) const {
    return {a[0] + bx[0] * x + by[0] * y, a[1] + bx[1] * x + by[1] * y,
            a[2] + bx[2] * x + by[2] * y};
  }
};

struct Sample {
  double x, y;
  Vec3 c;
};

/// Least squares over the samples flagged in `use`; false when the system is singular.
bool fitLinear(const std::vector<Sample>& samples, const std::vector<char>& use, LinearFit& fit) {
  double m[3][3] = {}, rhs[3][3] = {};  // normal equations, rhs[k][channel]
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!use[i]) continue;
    const double f[3] = {1, samples[i].x, samples[i].y};
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) m[r][c] += f[r] * f[c];
      for (int ch = 0; ch < 3; ++ch) rhs[r][ch] += f[r] * samples[i].c[ch];
    }
  }
  // Gaussian elimination with partial pivoting on [m | rhs].
  for (int col = 0; col < 3; ++col) {
    int pivot = col;
    for (int r = col + 1; r < 3; ++r)
      if (std::abs(m[r][col]) > std::abs(m[pivot][col])) pivot = r;
    if (std::abs(m[pivot][col]) < 1e-9) return false;
    std::swap(m[pivot], m[col]);
    std::swap(rhs[pivot], rhs[col]);
    for (int r = 0; r < 3; ++r) {
      if (r == col) continue;
      const double k = m[r][col] / m[col][col];
      for (int c = 0; c < 3; ++c) m[r][c] -= k * m[col][c];
      for (int ch = 0; ch < 3; ++ch) rhs[r][ch] -= k * rhs[col][ch];
    }
  }
  for (int ch = 0; ch < 3; ++ch) {
    fit.a[ch] = rhs[0][ch] / m[0][0];
    fit.bx[ch] = rhs[1][ch] / m[1][1];
    fit.by[ch] = rhs[2][ch] / m[2][2];
  }
  return true;
}

Vec3 pixel(const RgbImage& image, int x, int y) {
  const uint8_t* p = image.at(x, y);
  return {double(p[0]), double(p[1]), double(p[2])};
}

struct BackgroundModel {
  LinearFit fit;
  DetectedBackground detected;
};

BackgroundModel fitBackground(const RgbImage& image) {
  const int w = image.width, h = image.height;
  const int band = std::max(1, int(std::lround(kBorderBandPx * std::min(w, h) / kReferenceSide)));
  std::vector<Sample> samples;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (x < band || y < band || x >= w - band || y >= h - band)
        samples.push_back({(x + 0.5) / w, (y + 0.5) / h, pixel(image, x, y)});
  std::vector<char> use(samples.size(), 1);
  BackgroundModel model;
  fitLinear(samples, use, model.fit);  // the band spans both axes: never singular
  // Refit without outliers (objects or clutter touching the border).
  for (int round = 0; round < 2; ++round) {
    std::vector<double> residuals(samples.size());
    for (size_t i = 0; i < samples.size(); ++i)
      residuals[i] = dist(samples[i].c, model.fit.at(samples[i].x, samples[i].y));
    std::vector<double> sorted = residuals;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double limit = std::max(20.0, 3 * sorted[sorted.size() / 2]);
    std::vector<char> next(samples.size());
    size_t kept = 0;
    for (size_t i = 0; i < samples.size(); ++i) kept += (next[i] = residuals[i] <= limit);
    LinearFit refit;
    if (kept < samples.size() / 4 || !fitLinear(samples, next, refit)) break;
    model.fit = refit;
    use = next;
  }
  double sq = 0;
  size_t n = 0;
  for (size_t i = 0; i < samples.size(); ++i)
    if (use[i]) {
      const double d = dist(samples[i].c, model.fit.at(samples[i].x, samples[i].y));
      sq += d * d;
      ++n;
    }
  DetectedBackground& bg = model.detected;
  bg.residual = n ? std::sqrt(sq / n) : 0;
  // The two most different corners (pixel centres) name a gradient's ends.
  const Vec3 corners[4] = {model.fit.at(0.5 / w, 0.5 / h), model.fit.at(1 - 0.5 / w, 0.5 / h),
                           model.fit.at(0.5 / w, 1 - 0.5 / h),
                           model.fit.at(1 - 0.5 / w, 1 - 0.5 / h)};
  double best = -1;
  for (int i = 0; i < 4; ++i)
    for (int j = i + 1; j < 4; ++j)
      if (dist(corners[i], corners[j]) > best) {
        best = dist(corners[i], corners[j]);
        bg.fromRgb = corners[i];
        bg.toRgb = corners[j];
      }
  bg.gradient = best >= kSolidSpan;
  if (!bg.gradient) bg.fromRgb = bg.toRgb = model.fit.at(0.5, 0.5);
  bg.from = nearestColour(bg.fromRgb);
  bg.to = nearestColour(bg.toRgb);
  return model;
}

/// Area, centroid and spread of a shape template in its box coordinates ([-1,1]^2).
struct ShapeStats {
  double area;    ///< fraction of the box
  double vMean;   ///< centroid v (u is 0 by symmetry)
  double uSigma;  ///< standard deviation along u
  double vSigma;
};

const std::array<ShapeStats, kShapeCount>& shapeStats() {
  // Immutable, computed once (thread-safe static initialisation). Midpoint rule on a fine grid.
  static const std::array<ShapeStats, kShapeCount> stats = [] {
    std::array<ShapeStats, kShapeCount> out{};
    constexpr int n = 600;
    for (int s = 0; s < kShapeCount; ++s) {
      double m = 0, su = 0, sv = 0, suu = 0, svv = 0;
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
          const double u = -1 + (i + 0.5) * 2 / n, v = -1 + (j + 0.5) * 2 / n;
          if (!shapeContains(static_cast<Shape>(s), u, v)) continue;
          m += 1, su += u, sv += v, suu += u * u, svv += v * v;
        }
      const double mu = su / m, mv = sv / m;
      out[s] = {m / (double(n) * n), mv, std::sqrt(suu / m - mu * mu),
                std::sqrt(svv / m - mv * mv)};
    }
    return out;
  }();
  return stats;
}

/// In-place separable Gaussian blur of a [h, w] plane (clamped edges); sigma <= 0 does nothing.
void gaussianBlur(std::vector<double>& plane, int w, int h, double sigma) {
  if (sigma <= 0) return;
  const int radius = int(std::ceil(2.5 * sigma));
  std::vector<double> k(2 * radius + 1);
  double sum = 0;
  for (int i = -radius; i <= radius; ++i)
    sum += k[i + radius] = std::exp(-i * i / (2 * sigma * sigma));
  for (double& v : k) v /= sum;
  std::vector<double> tmp(plane.size());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double acc = 0;
      for (int i = -radius; i <= radius; ++i)
        acc += k[i + radius] * plane[size_t(y) * w + std::clamp(x + i, 0, w - 1)];
      tmp[size_t(y) * w + x] = acc;
    }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double acc = 0;
      for (int i = -radius; i <= radius; ++i)
        acc += k[i + radius] * tmp[size_t(std::clamp(y + i, 0, h - 1)) * w + x];
      plane[size_t(y) * w + x] = acc;
    }
}

/// Distance from p to the ray a + t (b - a), t in [0, tMax].
double rayDistance(const Vec3& p, const Vec3& a, const Vec3& b, double tMax) {
  double num = 0, den = 0;
  for (int c = 0; c < 3; ++c)
    num += (p[c] - a[c]) * (b[c] - a[c]), den += (b[c] - a[c]) * (b[c] - a[c]);
  const double t = den > 0 ? std::clamp(num / den, 0.0, tMax) : 0.0;
  return dist(p, {a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])});
}

/// Splits components that hold touching objects of clearly different colours (blurred or
/// generated images): the strong pixels are grouped by their nearest palette colour; groups whose
/// colour is not a mix of the background and another group's (an anti-aliased rim) are objects;
/// every pixel goes to the object whose background-to-colour ray passes closest, and each object's
/// pixels are split again into 8-connected parts. `label` is rewritten to match.
void splitByColour(const RgbImage& image, const std::vector<Vec3>& bg, const std::vector<double>& d,
                   double minArea, std::vector<std::vector<int>>& components,
                   std::vector<int>& label) {
  const int w = image.width, h = image.height;
  std::vector<std::vector<int>> out;
  for (std::vector<int>& members : components) {
    if (double(members.size()) < 2 * minArea) {
      out.push_back(std::move(members));
      continue;
    }
    double dmax = 0;
    for (int i : members) dmax = std::max(dmax, d[i]);
    std::array<int, kColourCount> count{};
    std::array<Vec3, kColourCount> sum{}, under{};
    int strong = 0;
    for (int i : members) {
      // Interior pixels (all 8 neighbours in the component) clearly off the background vote.
      if (d[i] < kSplitStrongFraction * dmax) continue;
      bool interior = true;
      const int px = i % w, py = i / w;
      for (int dy = -1; dy <= 1 && interior; ++dy)
        for (int dx = -1; dx <= 1 && interior; ++dx) {
          const int nx = px + dx, ny = py + dy;
          interior = nx >= 0 && ny >= 0 && nx < w && ny < h && label[ny * w + nx] == label[i];
        }
      if (!interior) continue;
      const Vec3 p = pixel(image, i % w, i / w);
      const int k = static_cast<int>(nearestColour(p));
      ++count[k], ++strong;
      for (int c = 0; c < 3; ++c) sum[k][c] += p[c], under[k][c] += bg[i][c];
    }
    std::vector<int> order;
    for (int k = 0; k < kColourCount; ++k)
      if (count[k] >= std::max(minArea / 2, 0.1 * strong)) order.push_back(k);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return count[a] > count[b]; });
    std::vector<Vec3> colours, unders;
    for (int k : order) {
      Vec3 mean, base;
      for (int c = 0; c < 3; ++c) mean[c] = sum[k][c] / count[k], base[c] = under[k][c] / count[k];
      bool distinct = true;
      for (size_t j = 0; j < colours.size() && distinct; ++j)
        distinct = rayDistance(mean, base, colours[j], kMaxColourExtension) > kSplitColourDist &&
                   rayDistance(colours[j], unders[j], mean, kMaxColourExtension) > kSplitColourDist;
      if (distinct) colours.push_back(mean), unders.push_back(base);
    }
    if (colours.size() < 2) {
      out.push_back(std::move(members));
      continue;
    }
    // Assign, then connected parts per object colour.
    std::vector<int> part(size_t(w) * h, -1);  // cluster of each member pixel
    for (int i : members) {
      const Vec3 p = pixel(image, i % w, i / w);
      double best = std::numeric_limits<double>::max();
      for (size_t j = 0; j < colours.size(); ++j) {
        const double r = rayDistance(p, bg[i], colours[j], kMaxColourExtension);
        if (r < best) best = r, part[i] = int(j);
      }
    }
    std::vector<char> done(size_t(w) * h, 0);
    for (int start : members) {
      if (done[start]) continue;
      std::vector<int> piece{start};
      done[start] = 1;
      for (size_t k = 0; k < piece.size(); ++k) {
        const int px = piece[k] % w, py = piece[k] / w;
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int nx = px + dx, ny = py + dy;
            if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
            const int ni = ny * w + nx;
            if (!done[ni] && part[ni] == part[start]) done[ni] = 1, piece.push_back(ni);
          }
      }
      out.push_back(std::move(piece));
    }
  }
  components = std::move(out);
  std::fill(label.begin(), label.end(), -1);
  for (size_t id = 0; id < components.size(); ++id)
    for (int i : components[id]) label[i] = int(id);
}

/// Names an object's colour from its core colour and the background under it. A thin or blurred
/// object never shows its pure colour (the core is still a mix with the background), so the core
/// is extended along the ray from the background through it: the palette colour closest to that
/// ray wins, with a small cost per unit of extension (a sharp object keeps its own colour).
Colour objectColour(const Vec3& core, const Vec3& background) {
  Vec3 dir{};
  double len2 = 0;
  for (int c = 0; c < 3; ++c) dir[c] = core[c] - background[c], len2 += dir[c] * dir[c];
  if (len2 < 1e-6) return nearestColour(core);
  Colour best = Colour::Red;
  double bestScore = std::numeric_limits<double>::max();
  for (int k = 0; k < kColourCount; ++k) {
    const Rgb p = paletteRgb(static_cast<Colour>(k));
    const Vec3 target{double(p.r), double(p.g), double(p.b)};
    double t = 0;
    for (int c = 0; c < 3; ++c) t += (target[c] - background[c]) * dir[c];
    t = std::clamp(t / len2, 1.0, kMaxColourExtension);
    const Vec3 onRay{background[0] + t * dir[0], background[1] + t * dir[1],
                     background[2] + t * dir[2]};
    const double score = dist(onRay, target) + kExtensionCost * (t - 1) * std::sqrt(len2);
    if (score < bestScore) {
      bestScore = score;
      best = static_cast<Colour>(k);
    }
  }
  return best;
}

}  // namespace

Colour nearestColour(const Vec3& rgb) {
  const Vec3 lab = toLab(rgb);
  Colour best = Colour::Red;
  double bestDist = std::numeric_limits<double>::max();
  for (int c = 0; c < kColourCount; ++c) {
    const Rgb p = paletteRgb(static_cast<Colour>(c));
    const double d = dist(lab, toLab({double(p.r), double(p.g), double(p.b)}));
    if (d < bestDist) {
      bestDist = d;
      best = static_cast<Colour>(c);
    }
  }
  return best;
}

SceneAnalysis analyseImage(const RgbImage& image) {
  const int w = image.width, h = image.height;
  if (w < 8 || h < 8 || image.pixels.size() != size_t(w) * h * 3)
    throw std::invalid_argument("analyseImage: needs an RGB image of at least 8 x 8 pixels");
  SceneAnalysis out;
  const BackgroundModel bgModel = fitBackground(image);
  out.background = bgModel.detected;
  const double scale = double(std::min(w, h)) / kReferenceSide;
  const double threshold = std::max(kForegroundDist, 3 * out.background.residual);

  // Per-pixel background and distance from it. [H*W]
  std::vector<Vec3> bg(size_t(w) * h);
  std::vector<double> d(size_t(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const size_t i = size_t(y) * w + x;
      bg[i] = bgModel.fit.at((x + 0.5) / w, (y + 0.5) / h);
      d[i] = dist(pixel(image, x, y), bg[i]);
    }

  // Foreground: the 3x3 median of the distance above the threshold (an isolated noisy pixel
  // neither starts an object nor bridges the gap between two).
  std::vector<char> fg(size_t(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      double win[9];
      int n = 0;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
          win[n++] = d[size_t(std::clamp(y + dy, 0, h - 1)) * w + std::clamp(x + dx, 0, w - 1)];
      std::nth_element(win, win + 4, win + 9);
      fg[size_t(y) * w + x] = win[4] > threshold;
    }

  // 8-connected components of the foreground; labels: -1 background, >= 0 component.
  std::vector<int> label(size_t(w) * h, -1);
  std::vector<std::vector<int>> components;
  auto forNeighbours = [&](int i, auto&& visit) {
    const int px = i % w, py = i / w;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int nx = px + dx, ny = py + dy;
        if ((dx || dy) && nx >= 0 && ny >= 0 && nx < w && ny < h) visit(ny * w + nx);
      }
  };
  for (int start = 0; start < w * h; ++start) {
    if (!fg[start] || label[start] >= 0) continue;
    const int id = int(components.size());
    std::vector<int> members{start};
    label[start] = id;
    for (size_t k = 0; k < members.size(); ++k)
      forNeighbours(members[k], [&](int ni) {
        if (fg[ni] && label[ni] < 0) {
          label[ni] = id;
          members.push_back(ni);
        }
      });
    components.push_back(std::move(members));
  }
  splitByColour(image, bg, d, kMinObjectAreaPx * scale * scale, components, label);

  // Kept components own their pixels plus a rim (anti-aliasing, blur) of kHaloPx, each rim pixel
  // going to the nearest component (breadth-first from all of them at once). owner: -1 none.
  const double minArea = kMinObjectAreaPx * scale * scale;
  const int halo = std::max(1, int(std::lround(kHaloPx * scale)));
  std::vector<int> owner(size_t(w) * h, -1), depth(size_t(w) * h, 0);
  std::vector<int> frontier;
  std::vector<int> kept;
  for (size_t id = 0; id < components.size(); ++id) {
    if (double(components[id].size()) < minArea) continue;
    kept.push_back(int(id));
    for (int i : components[id]) owner[i] = int(id), frontier.push_back(i);
  }
  for (size_t k = 0; k < frontier.size(); ++k) {
    const int i = frontier[k];
    if (depth[i] >= halo) continue;
    forNeighbours(i, [&](int ni) {
      if (owner[ni] < 0 && label[ni] < 0) {
        owner[ni] = owner[i];
        depth[ni] = depth[i] + 1;
        frontier.push_back(ni);
      }
    });
  }

  const std::array<ShapeStats, kShapeCount>& stats = shapeStats();
  for (int id : kept) {
    const std::vector<int>& members = components[id];
    DetectedObject obj;
    // Core colour: the pixels farthest from the background.
    double dmax = 0;
    for (int i : members) dmax = std::max(dmax, d[i]);
    Vec3 sum{}, under{};
    int n = 0;
    for (int i : members)
      if (d[i] >= kCoreFraction * dmax) {
        const Vec3 p = pixel(image, i % w, i / w);
        for (int c = 0; c < 3; ++c) sum[c] += p[c], under[c] += bg[i][c];
        ++n;
      }
    for (int c = 0; c < 3; ++c) obj.meanRgb[c] = sum[c] / n, under[c] /= n;
    obj.colour = objectColour(obj.meanRgb, under);

    // Work rectangle: the owned pixels plus room for blurred templates. [rh, rw]
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int i : members) {
      x0 = std::min(x0, i % w), x1 = std::max(x1, i % w);
      y0 = std::min(y0, i / w), y1 = std::max(y1, i / w);
    }
    const int pad = halo + 3;
    x0 = std::max(0, x0 - pad), y0 = std::max(0, y0 - pad);
    x1 = std::min(w - 1, x1 + pad), y1 = std::min(h - 1, y1 + pad);
    const int rw = x1 - x0 + 1, rh = y1 - y0 + 1;

    // Coverage: (pixel - background) projected on (object - background). Moments in pixels.
    std::vector<double> alpha(size_t(rw) * rh, 0.0);
    double m = 0, mx = 0, my = 0, mxx = 0, myy = 0;
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const size_t i = size_t(y) * w + x;
        if (owner[i] != id) continue;
        const Vec3 p = pixel(image, x, y);
        double num = 0, den = 0;
        for (int c = 0; c < 3; ++c) {
          num += (p[c] - bg[i][c]) * (obj.meanRgb[c] - bg[i][c]);
          den += (obj.meanRgb[c] - bg[i][c]) * (obj.meanRgb[c] - bg[i][c]);
        }
        const double a = den > 0 ? std::clamp(num / den, 0.0, 1.0) : 1.0;
        alpha[size_t(y - y0) * rw + (x - x0)] = a;
        const double px = x + 0.5, py = y + 0.5;
        m += a, mx += a * px, my += a * py, mxx += a * px * px, myy += a * py * py;
      }
    if (!(m > 0)) continue;
    mx /= m, my /= m;
    const double varX = std::max(mxx / m - mx * mx, 1e-6), varY = std::max(myy / m - my * my, 1e-6);
    obj.area = m / (double(w) * h);

    // Ref: image moments (M.-K. Hu, "Visual pattern recognition by moment invariants", 1962):
    // area, centroid and second central moments locate and scale a known shape.
    // Each shape hypothesis places its template by the moments (the centroid and spread of the
    // coverage), for a few blur levels the image may have (a blur adds sigma^2 to the variance
    // and is applied to the template too); the soft IoU of the best level scores the shape.
    double bestIou = -1;
    std::vector<double> tmpl(alpha.size());
    for (int s = 0; s < kShapeCount; ++s) {
      const ShapeStats& st = stats[s];
      for (double blurRef : kBlurLevelsPx) {
        const double blur = blurRef * scale;
        const double hw = std::sqrt(std::max(varX - blur * blur, 0.25)) / st.uSigma;
        const double hh = std::sqrt(std::max(varY - blur * blur, 0.25)) / st.vSigma;
        const double cx = mx, cy = my - st.vMean * hh;
        for (int y = 0; y < rh; ++y)
          for (int x = 0; x < rw; ++x)
            tmpl[size_t(y) * rw + x] = shapeCoverage(static_cast<Shape>(s), cx, cy, hw, hh, x0 + x,
                                                     y0 + y, kTemplateSupersample);
        gaussianBlur(tmpl, rw, rh, blur);
        double inter = 0, uni = 0;
        for (size_t i = 0; i < tmpl.size(); ++i) {
          inter += std::min(alpha[i], tmpl[i]);
          uni += std::max(alpha[i], tmpl[i]);
        }
        const double iou = uni > 0 ? inter / uni : 0;
        if (iou <= obj.shapeIou[s]) continue;
        obj.shapeIou[s] = iou;
        if (iou > bestIou) {
          bestIou = iou;
          obj.shape =
              iou >= kMinShapeIou ? std::optional<Shape>(static_cast<Shape>(s)) : std::nullopt;
          obj.cx = cx / w, obj.cy = cy / h;
          obj.width = 2 * hw / w, obj.height = 2 * hh / h;
        }
      }
    }
    obj.size = std::max(obj.width * w, obj.height * h) / scale > kLargeThresholdPx
                   ? SizeClass::Large
                   : SizeClass::Small;
    out.objects.push_back(obj);
  }
  std::stable_sort(
      out.objects.begin(), out.objects.end(),
      [](const DetectedObject& a, const DetectedObject& b) { return a.area > b.area; });
  return out;
}

}  // namespace lienzo::train
