#include "core/train/scene_render.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

namespace lienzo::train {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Point {
  double u, v;
};

/// The ten vertices of an upright five-pointed star, stretched to fill [-1,1]^2.
std::array<Point, 10> makeStar() {
  // Native star: outer radius 1, y down, the first point straight up.
  const double halfWidth = std::cos(18 * kPi / 180);  // x of the side points
  const double bottom = std::sin(54 * kPi / 180);     // y of the two lower points
  std::array<Point, 10> star{};
  for (int k = 0; k < 10; ++k) {
    const double angle = (-90 + 36 * k) * kPi / 180;
    const double r = k % 2 == 0 ? 1.0 : kStarInnerRatio;
    const double x = r * std::cos(angle), y = r * std::sin(angle);
    star[k] = {x / halfWidth, (y + 1) / (1 + bottom) * 2 - 1};
  }
  return star;
}

bool insidePolygon(const std::array<Point, 10>& poly, double u, double v) {
  // Ref: even-odd crossing test (W. R. Franklin, "PNPOLY").
  bool inside = false;
  for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const Point& a = poly[i];
    const Point& b = poly[j];
    if ((a.v > v) != (b.v > v) && u < (b.u - a.u) * (v - a.v) / (b.v - a.v) + a.u) inside = !inside;
  }
  return inside;
}

}  // namespace

bool shapeContains(Shape shape, double u, double v) {
  if (u < -1 || u > 1 || v < -1 || v > 1) return false;
  switch (shape) {
    case Shape::Circle:
      return u * u + v * v <= 1;
    case Shape::Square:
      return true;
    case Shape::Triangle:
      return std::abs(u) <= (v + 1) / 2;  // apex (0,-1), base on v = 1
    case Shape::Star: {
      static const std::array<Point, 10> star = makeStar();
      return insidePolygon(star, u, v);
    }
    case Shape::Ring: {
      const double r2 = u * u + v * v;
      return r2 <= 1 && r2 >= kRingInnerRatio * kRingInnerRatio;
    }
  }
  return false;
}

double shapeCoverage(Shape shape, double cx, double cy, double hw, double hh, int x0, int y0,
                     int n) {
  int inside = 0;
  for (int j = 0; j < n; ++j) {
    const double v = (y0 + (j + 0.5) / n - cy) / hh;
    for (int i = 0; i < n; ++i) {
      const double u = (x0 + (i + 0.5) / n - cx) / hw;
      inside += shapeContains(shape, u, v) ? 1 : 0;
    }
  }
  return double(inside) / (n * n);
}

RgbImage render(const Scene& scene, int side, int supersample) {
  if (side < 8 || side > 4096) throw std::invalid_argument("render: side must be 8..4096");
  if (supersample < 1 || supersample > 16)
    throw std::invalid_argument("render: supersample must be 1..16");
  RgbImage image;
  image.width = image.height = side;
  image.pixels.resize(size_t(side) * side * 3);
  // Background at pixel centres (linear, so this is also its pixel average). Float [H,W,3].
  std::vector<double> colour(size_t(side) * side * 3);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      const auto bg = backgroundAt(scene.background, (x + 0.5) / side, (y + 0.5) / side);
      std::copy(bg.begin(), bg.end(), &colour[(size_t(y) * side + x) * 3]);
    }
  for (const PlacedObject& o : scene.objects) {
    if (o.group < 0 || o.group >= int(scene.groups.size()))
      throw std::invalid_argument("render: object of an unknown group");
    const ObjectGroup& g = scene.groups[o.group];
    const Rgb rgb = paletteRgb(g.colour);
    const double cx = o.cx * side, cy = o.cy * side;
    const double hw = o.width * side / 2, hh = o.height * side / 2;
    const int x0 = std::max(0, int(std::floor(cx - hw))), x1 = std::min(side - 1, int(cx + hw));
    const int y0 = std::max(0, int(std::floor(cy - hh))), y1 = std::min(side - 1, int(cy + hh));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const double a = shapeCoverage(g.shape, cx, cy, hw, hh, x, y, supersample);
        if (a <= 0) continue;
        double* p = &colour[(size_t(y) * side + x) * 3];
        p[0] += (rgb.r - p[0]) * a;
        p[1] += (rgb.g - p[1]) * a;
        p[2] += (rgb.b - p[2]) * a;
      }
  }
  for (size_t i = 0; i < colour.size(); ++i)
    image.pixels[i] = uint8_t(std::clamp(std::lround(colour[i]), 0L, 255L));
  return image;
}

std::vector<uint8_t> encodePpm(const RgbImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != size_t(image.width) * image.height * 3)
    throw std::invalid_argument("encodePpm: image size does not match its pixels");
  const std::string header =
      "P6\n" + std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
  std::vector<uint8_t> out(header.begin(), header.end());
  out.insert(out.end(), image.pixels.begin(), image.pixels.end());
  return out;
}

RgbImage decodePpm(const std::vector<uint8_t>& bytes) {
  size_t pos = 0;
  auto fail = [](const std::string& why) { throw std::invalid_argument("PPM: " + why); };
  // Header tokens separated by whitespace, '#' comments to the end of the line.
  auto token = [&]() {
    std::string t;
    while (pos < bytes.size()) {
      const char c = char(bytes[pos]);
      if (c == '#') {
        while (pos < bytes.size() && bytes[pos] != '\n') ++pos;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        if (!t.empty()) break;
        ++pos;
      } else {
        t += c;
        ++pos;
      }
    }
    return t;
  };
  if (token() != "P6") fail("only binary P6 is supported");
  int values[3];
  for (int& v : values) {
    const std::string t = token();
    if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos)
      fail("malformed header");
    v = std::stoi(t);
  }
  if (values[2] != 255) fail("only 8-bit (maxval 255) is supported");
  if (values[0] <= 0 || values[1] <= 0) fail("empty image");
  ++pos;  // the single whitespace byte after maxval
  RgbImage image;
  image.width = values[0];
  image.height = values[1];
  const size_t n = size_t(image.width) * image.height * 3;
  if (bytes.size() < pos + n) fail("truncated pixel data");
  image.pixels.assign(bytes.begin() + pos, bytes.begin() + pos + n);
  return image;
}

}  // namespace lienzo::train
