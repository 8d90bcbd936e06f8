#include "kernels/finder.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace maskflow {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

inline float F(double v) { return static_cast<float>(v); }
inline double Clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }
// JS Math.round for the values met here (at most 24 significant bits, so x + 0.5 is exact).
inline double RoundHalfUp(double v) { return std::floor(v + 0.5); }

inline double Dist2(const float* a, const float* b) {
  const double dl = static_cast<double>(a[0]) - b[0];
  const double da = static_cast<double>(a[1]) - b[1];
  const double db = static_cast<double>(a[2]) - b[2];
  return dl * dl + da * da + db * db;
}
inline double Dist(const float* a, const float* b) { return std::sqrt(Dist2(a, b)); }
inline void SortPair(int& a, int& b) {
  const int lo = std::min(a, b);
  b = std::max(a, b);
  a = lo;
}

struct LinearTable {
  float v[256];
  LinearTable() {
    for (int i = 0; i < 256; ++i) {
      const double c = i / 255.0;
      v[i] = F(c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4));
    }
  }
};
const LinearTable kLinear;

inline double LabF(double t) { return t > 216.0 / 24389.0 ? std::cbrt(t) : (24389.0 / 27.0 * t + 16) / 116; }

// Value at rank round(q * (n - 1)) in sorted order; `scratch` holds n floats.
float Quantile(const float* values, int n, double q, float* scratch) {
  if (n == 0) return 0;
  const int rank = static_cast<int>(std::min<double>(n - 1, std::max(0.0, RoundHalfUp(q * (n - 1)))));
  std::copy(values, values + n, scratch);
  std::nth_element(scratch, scratch + rank, scratch + n);
  return scratch[rank];
}

// In place, radius 1 (window 3), clamped edges; `line` holds max(w, h) floats.
void BoxBlur1(float* plane, int w, int h, float* line) {
  const double norm = 1.0 / 3;
  for (int y = 0; y < h; ++y) {
    float* row = plane + static_cast<size_t>(y) * w;
    for (int x = 0; x < w; ++x) {
      double s = 0;
      for (int d = -1; d <= 1; ++d) s += row[std::min(w - 1, std::max(0, x + d))];
      line[x] = F(s * norm);
    }
    std::copy(line, line + w, row);
  }
  for (int x = 0; x < w; ++x) {
    for (int y = 0; y < h; ++y) {
      double s = 0;
      for (int d = -1; d <= 1; ++d) s += plane[static_cast<size_t>(std::min(h - 1, std::max(0, y + d))) * w + x];
      line[y] = F(s * norm);
    }
    for (int y = 0; y < h; ++y) plane[static_cast<size_t>(y) * w + x] = line[y];
  }
}

// 3-tap min (erode) or max (dilate) along lines of `size` samples `step` apart.
void Filter3(const uint8_t* src, uint8_t* dst, bool erode, int step, int size, int lineStep, int lines) {
  for (int line = 0; line < lines; ++line) {
    const int base = line * lineStep;
    for (int k = 0; k < size; ++k) {
      const int p = base + k * step;
      const uint8_t v = src[p];
      const uint8_t a = k > 0 ? src[p - step] : v;
      const uint8_t b = k < size - 1 ? src[p + step] : v;
      dst[p] = erode ? (v & a & b) : (v | a | b);
    }
  }
}

}  // namespace

void FinderKernel::Configure(int width, int height) {
  width_ = width;
  height_ = height;
  const size_t n = static_cast<size_t>(width) * height;
  labF_.assign(3 * n, 0);
  samples_.assign(3 * n, 0);
  nearest_.assign(n, 0);
  assign_.assign(n, 0);
  colour_.assign(n, 0);
  change_.assign(n, 0);
  select_.assign(n, 0);
  line_.assign(static_cast<size_t>(std::max(width, height)), 0);
  binary_.assign(n, 0);
  tmp_.assign(n, 0);
  label_.assign(n, 0);
  stack_.assign(n, 0);
}

void FinderKernel::Lab(const uint8_t* rgb, int16_t* lab) const {
  const int n = Pixels();
  for (int i = 0; i < n; ++i) {
    const double r = kLinear.v[rgb[3 * i]];
    const double g = kLinear.v[rgb[3 * i + 1]];
    const double b = kLinear.v[rgb[3 * i + 2]];
    const double fx = LabF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
    const double fy = LabF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const double fz = LabF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
    const float l = F(116 * fy - 16);
    const float a = F(500 * (fx - fy));
    const float bb = F(200 * (fy - fz));
    lab[3 * i] = static_cast<int16_t>(RoundHalfUp(static_cast<double>(l) * kLabScale));
    lab[3 * i + 1] = static_cast<int16_t>(RoundHalfUp(static_cast<double>(a) * kLabScale));
    lab[3 * i + 2] = static_cast<int16_t>(RoundHalfUp(static_cast<double>(bb) * kLabScale));
  }
}

void FinderKernel::Bins(const int16_t* lab, uint16_t* bins) const {
  const int n = Pixels();
  auto ab = [](double v) { return static_cast<int>(std::min(15.0, std::max(0.0, std::floor(((v + 64) / 128) * 16)))); };
  for (int i = 0; i < n; ++i) {
    const double l = static_cast<double>(lab[3 * i]) / kLabScale;
    const int lb = static_cast<int>(std::min(7.0, std::max(0.0, std::floor((l / 100) * 8))));
    const int a = ab(static_cast<double>(lab[3 * i + 1]) / kLabScale);
    const int b = ab(static_cast<double>(lab[3 * i + 2]) / kLabScale);
    bins[i] = static_cast<uint16_t>((lb * 16 + a) * 16 + b);
  }
}

void FinderKernel::Saliency(const int16_t* self, const int16_t* const* others, int otherCount, float* sal) {
  const int w = width_;
  const int h = height_;
  const int n = Pixels();
  float* lab = labF_.data();
  for (int i = 0; i < 3 * n; ++i) lab[i] = static_cast<float>(self[i]) / kLabScale;

  // Background colours: k-means (k = 10, farthest-point seeds) over the border ring.
  const int ring = std::max(1, static_cast<int>(RoundHalfUp(std::min(w, h) * 0.04)));
  float* s = samples_.data();
  int count = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      if (x >= ring && x < w - ring && y >= ring && y < h - ring) continue;
      const float* p = lab + 3 * (static_cast<size_t>(y) * w + x);
      s[3 * count] = p[0];
      s[3 * count + 1] = p[1];
      s[3 * count + 2] = p[2];
      ++count;
    }
  }
  constexpr int k = 10;
  float centres[3 * k] = {};
  std::copy(s, s + 3, centres);
  float* nearest = nearest_.data();
  std::fill(nearest, nearest + count, std::numeric_limits<float>::infinity());
  int used = 1;
  for (; used < k; ++used) {
    int far = -1;
    double farD = 0;
    for (int i = 0; i < count; ++i) {
      nearest[i] = F(std::min<double>(nearest[i], Dist(s + 3 * i, centres + 3 * (used - 1))));
      if (nearest[i] > farD) {
        farD = nearest[i];
        far = i;
      }
    }
    if (far < 0 || farD < 3) break;  // the border has fewer distinct colours than k
    std::copy(s + 3 * far, s + 3 * far + 3, centres + 3 * used);
  }
  double counts[k] = {};
  int32_t* assign = assign_.data();
  for (int iter = 0; iter < 6; ++iter) {
    double sums[3 * k] = {};
    std::fill(counts, counts + used, 0.0);
    for (int i = 0; i < count; ++i) {
      // The reference compares rooted distances; squares decide the same unless they are within a
      // few ulps, where the roots may round equal (then the first centre wins): only those take roots.
      int best = 0;
      double bestD2 = kInf;
      for (int c = 0; c < used; ++c) {
        const double d2 = Dist2(s + 3 * i, centres + 3 * c);
        if (d2 < bestD2 && (d2 < bestD2 * (1 - 1e-15) || std::sqrt(d2) < std::sqrt(bestD2))) {
          bestD2 = d2;
          best = c;
        }
      }
      assign[i] = best;
      counts[best]++;
      sums[3 * best] += s[3 * i];
      sums[3 * best + 1] += s[3 * i + 1];
      sums[3 * best + 2] += s[3 * i + 2];
    }
    for (int c = 0; c < used; ++c) {
      if (counts[c] > 0) for (int j = 0; j < 3; ++j) centres[3 * c + j] = F(sums[3 * c + j] / counts[c]);
    }
  }
  float kept[3 * k];
  int keptCount = 0;
  for (int c = 0; c < used; ++c) {
    if (counts[c] >= 0.02 * count) {
      std::copy(centres + 3 * c, centres + 3 * c + 3, kept + 3 * keptCount);
      ++keptCount;
    }
  }
  if (keptCount == 0) {
    std::copy(centres, centres + 3, kept);
    keptCount = 1;
  }

  // Colour cue: distance to the nearest background colour, offset by its median.
  float* colour = colour_.data();
  // sqrt is monotonic and correctly rounded, so the root of the least square is the least root.
  for (int i = 0; i < n; ++i) {
    double best = kInf;
    for (int c = 0; c < keptCount; ++c) best = std::min(best, Dist2(lab + 3 * i, kept + 3 * c));
    colour[i] = F(std::sqrt(best));
  }
  const double cOffset = std::max(8.0, 1.5 * Quantile(colour, n, 0.5, select_.data()));
  for (int i = 0; i < n; ++i) sal[i] = F(Clamp01((colour[i] - cOffset) / 25));

  if (otherCount >= 2) {
    // Change cue: distance from the per-channel median of the other keyframes. Lab is q / kLabScale
    // exactly, so the median is taken on the integers: (qa + qb) / (2 kLabScale) is exact in float.
    float* change = change_.data();
    float med[3];
    const int m = otherCount;
    int buf[kMaxOthers];
    for (int i = 0; i < n; ++i) {
      for (int ch = 0; ch < 3; ++ch) {
        for (int j = 0; j < m; ++j) buf[j] = others[j][3 * i + ch];
        if (m == kMaxOthers) {
          // Every keyframe away from the ends: an optimal 12-comparator sorting network, no branches.
          SortPair(buf[0], buf[5]); SortPair(buf[1], buf[3]); SortPair(buf[2], buf[4]);
          SortPair(buf[1], buf[2]); SortPair(buf[3], buf[4]);
          SortPair(buf[0], buf[3]); SortPair(buf[2], buf[5]);
          SortPair(buf[0], buf[1]); SortPair(buf[2], buf[3]); SortPair(buf[4], buf[5]);
          SortPair(buf[1], buf[2]); SortPair(buf[3], buf[4]);
        } else {
          std::sort(buf, buf + m);
        }
        med[ch] = m % 2 ? static_cast<float>(buf[(m - 1) >> 1]) / kLabScale
                        : static_cast<float>(buf[m / 2 - 1] + buf[m / 2]) / (2 * kLabScale);
      }
      change[i] = F(Dist(lab + 3 * i, med));
    }
    const double typical = Quantile(change, n, 0.5, select_.data());
    // A moving camera or a changing scene makes most of the frame differ: trust the cue less.
    const double weight = Clamp01(1 - (typical - 4) / 8);
    const double offset = 2 * typical + 4;
    int moving = 0;
    for (int i = 0; i < n; ++i) {
      change[i] = F(weight * Clamp01((change[i] - offset) / 20));
      if (change[i] > 0.5) ++moving;
    }
    if (moving >= 0.001 * n) {
      for (int i = 0; i < n; ++i) sal[i] = F(0.35 * sal[i] + 0.65 * change[i]);
    }
  }
  BoxBlur1(sal, w, h, line_.data());
  BoxBlur1(sal, w, h, line_.data());
}

int FinderKernel::Regions(const float* sal, double threshold, const int16_t* lab, int32_t* members, double* stats) {
  const int w = width_;
  const int h = height_;
  const int n = Pixels();
  uint8_t* binary = binary_.data();
  uint8_t* tmp = tmp_.data();
  double totalMass = 0;
  for (int i = 0; i < n; ++i) {
    binary[i] = sal[i] >= threshold ? 1 : 0;
    if (binary[i]) totalMass += sal[i];
  }
  // Opening: 3x3 erode then 3x3 dilate, separable; outside pixels count as set for the erosion.
  Filter3(binary, tmp, true, 1, w, w, h);
  Filter3(tmp, binary, true, w, h, 1, w);
  Filter3(binary, tmp, false, 1, w, w, h);
  Filter3(tmp, binary, false, w, h, 1, w);

  int32_t* label = label_.data();
  int32_t* stack = stack_.data();
  std::fill(label, label + n, -1);
  int regions = 0;
  int filled = 0;
  for (int start = 0; start < n; ++start) {
    if (!binary[start] || label[start] >= 0) continue;
    const int id = regions++;
    const int begin = filled;
    int top = 0;
    stack[top++] = start;
    label[start] = id;
    int minX = w, minY = h, maxX = -1, maxY = -1;
    double mass = 0, l = 0, a = 0, b = 0;
    while (top > 0) {
      const int p = stack[--top];
      members[filled++] = p;
      const int px = p % w;
      const int py = p / w;
      minX = std::min(minX, px);
      maxX = std::max(maxX, px);
      minY = std::min(minY, py);
      maxY = std::max(maxY, py);
      const double sv = sal[p];
      mass += sv;
      if (lab) {
        l += sv * (static_cast<float>(lab[3 * p]) / kLabScale);
        a += sv * (static_cast<float>(lab[3 * p + 1]) / kLabScale);
        b += sv * (static_cast<float>(lab[3 * p + 2]) / kLabScale);
      }
      for (int dy = -1; dy <= 1; ++dy) {
        const int ny = py + dy;
        if (ny < 0 || ny >= h) continue;
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = px + dx;
          if (nx < 0 || nx >= w) continue;
          const int q = ny * w + nx;
          if (binary[q] && label[q] < 0) {
            label[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    double* r = stats + kRegionHead + static_cast<size_t>(id) * kRegionStride;
    r[0] = filled - begin;
    r[1] = minX;
    r[2] = minY;
    r[3] = maxX;
    r[4] = maxY;
    r[5] = mass;
    r[6] = l;
    r[7] = a;
    r[8] = b;
    r[9] = begin;
  }
  stats[0] = regions;
  stats[1] = totalMass;
  return regions;
}

}  // namespace maskflow
