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

void BoxBlurH(const uint8_t* __restrict src, uint8_t* __restrict dst, int w, int h, int r) {
  const uint32_t recip = BoxReciprocal(r);
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
