#include "kernels/blur.h"

#include "kernels/rows.h"  // MASKFLOW_CLONES

#include <algorithm>
#include <cstring>

namespace maskflow {

MASKFLOW_CLONES static void AccumulateRow(uint16_t* __restrict sums, const uint8_t* __restrict row, size_t n) {
  for (size_t x = 0; x < n; ++x) sums[x] = static_cast<uint16_t>(sums[x] + row[x]);
}

MASKFLOW_CLONES static void PairSums(const uint16_t* __restrict in, uint16_t* __restrict out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint16_t>(in[2 * i] + in[2 * i + 1]);
}

MASKFLOW_CLONES static void RoundShift(const uint16_t* __restrict in, uint8_t* __restrict out, uint32_t half, int shift,
                                       size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>((uint32_t(in[i]) + half) >> shift);
}

void DownsampleBox(const uint8_t* __restrict src, int w, int h, int s, int shift, uint8_t* __restrict dst, int lw,
                   int lh, uint16_t* __restrict rowSums) {
  // rowSums holds 2 * lw * s values: the column sums (padded to lw * s by repeating
  // the last column, i.e. clamp-to-edge) and room for the pairwise reductions.
  const uint32_t half = shift > 0 ? (1u << (shift - 1)) : 0;
  const size_t padded = size_t(lw) * s;
  uint16_t* a = rowSums;
  uint16_t* b = rowSums + padded;
  for (int j = 0; j < lh; ++j) {
    std::memset(a, 0, sizeof(uint16_t) * size_t(w));
    for (int dy = 0; dy < s; ++dy) AccumulateRow(a, src + size_t(std::min(j * s + dy, h - 1)) * w, w);
    for (size_t x = size_t(w); x < padded; ++x) a[x] = a[w - 1];
    uint16_t* in = a;
    uint16_t* out = b;
    for (size_t n = padded / 2; n >= size_t(lw); n /= 2) {
      PairSums(in, out, n);
      std::swap(in, out);
      if (n == size_t(lw)) break;
    }
    RoundShift(in, dst + size_t(j) * lw, half, shift, lw);
  }
}

uint32_t BoxReciprocal(int radius) {
  const uint32_t n = 2 * uint32_t(radius) + 1;
  return (65536u + n / 2) / n;
}

// Sums 2r+1 neighbours of each pixel in [x0, x1) (no clamping needed there) into
// 16-bit lanes, one shifted row at a time, so the loops vectorise; r <= 8 keeps
// the sums below 17 * 255.
MASKFLOW_CLONES static void WindowSums(const uint8_t* __restrict s, uint16_t* __restrict sums, int x0, int n, int r) {
  for (int i = 0; i < n; ++i) sums[i] = s[x0 - r + i];
  for (int k = -r + 1; k <= r; ++k) {
    const uint8_t* __restrict row = s + x0 + k;
    for (int i = 0; i < n; ++i) sums[i] = static_cast<uint16_t>(sums[i] + row[i]);
  }
}

MASKFLOW_CLONES static void ScaleSums(const uint16_t* __restrict sums, uint8_t* __restrict d, uint32_t recip, int n) {
  for (int i = 0; i < n; ++i) d[i] = static_cast<uint8_t>((uint32_t(sums[i]) * recip + 32768) >> 16);
}

static inline uint8_t ClampedBox(const uint8_t* s, int w, int x, int r, uint32_t recip) {
  uint32_t sum = 0;
  for (int k = -r; k <= r; ++k) sum += s[std::min(std::max(x + k, 0), w - 1)];
  return static_cast<uint8_t>((sum * recip + 32768) >> 16);
}

void BoxBlurH(const uint8_t* __restrict src, uint8_t* __restrict dst, int w, int h, int r) {
  const uint32_t recip = BoxReciprocal(r);
  if (r <= 8 && w > 2 * r + 32) {
    // Small radius (the usual case at reduced resolution): direct window sums,
    // vectorised across x; same sums and rounding as the sliding form below.
    constexpr int kChunk = 1024;
    uint16_t sums[kChunk];
    for (int y = 0; y < h; ++y) {
      const uint8_t* __restrict s = src + size_t(y) * w;
      uint8_t* __restrict d = dst + size_t(y) * w;
      for (int x = 0; x < r; ++x) d[x] = ClampedBox(s, w, x, r, recip);
      for (int x0 = r; x0 < w - r; x0 += kChunk) {
        const int n = std::min(kChunk, w - r - x0);
        WindowSums(s, sums, x0, n, r);
        ScaleSums(sums, d + x0, recip, n);
      }
      for (int x = w - r; x < w; ++x) d[x] = ClampedBox(s, w, x, r, recip);
    }
    return;
  }
  for (int y = 0; y < h; ++y) {
    const uint8_t* __restrict s = src + size_t(y) * w;
    uint8_t* __restrict d = dst + size_t(y) * w;
    uint32_t sum = 0;
    for (int k = -r; k <= r; ++k) sum += s[std::min(std::max(k, 0), w - 1)];
    for (int x = 0; x < w; ++x) {
      d[x] = static_cast<uint8_t>((sum * recip + 32768) >> 16);
      sum += s[std::min(x + r + 1, w - 1)];
      sum -= s[std::max(x - r, 0)];
    }
  }
}

void BoxBlurV(const uint8_t* __restrict src, uint8_t* __restrict dst, int w, int h, int r,
              uint32_t* __restrict colSums) {
  const uint32_t recip = BoxReciprocal(r);
  std::memset(colSums, 0, sizeof(uint32_t) * size_t(w));
  for (int k = -r; k <= r; ++k) {
    const uint8_t* __restrict row = src + size_t(std::min(std::max(k, 0), h - 1)) * w;
    for (int x = 0; x < w; ++x) colSums[x] += row[x];
  }
  for (int y = 0; y < h; ++y) {
    uint8_t* __restrict d = dst + size_t(y) * w;
    for (int x = 0; x < w; ++x) d[x] = static_cast<uint8_t>((colSums[x] * recip + 32768) >> 16);
    const uint8_t* __restrict add = src + size_t(std::min(y + r + 1, h - 1)) * w;
    const uint8_t* __restrict sub = src + size_t(std::max(y - r, 0)) * w;
    for (int x = 0; x < w; ++x) colSums[x] += uint32_t(add[x]) - uint32_t(sub[x]);
  }
}

}  // namespace maskflow
