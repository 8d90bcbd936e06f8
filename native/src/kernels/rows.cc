#include "kernels/rows.h"

namespace maskflow {

static inline uint16_t LerpMask(uint8_t a, uint8_t b, uint16_t w0, uint16_t w1) {
  return static_cast<uint16_t>(static_cast<uint16_t>(a * w0 + b * w1 + 128) >> 8);
}

MASKFLOW_CLONES void MixRowConst(uint8_t* __restrict v, const uint8_t* __restrict ma, const uint8_t* __restrict mb,
                                 uint16_t mf, uint8_t bg, size_t n) {
  const uint16_t b = bg, m1 = mf, m0 = static_cast<uint16_t>(256 - mf);
  for (size_t i = 0; i < n; ++i) {
    const uint16_t m = LerpMask(ma[i], mb[i], m0, m1);
    const uint16_t w = static_cast<uint16_t>(m + (m >> 7));
    const uint16_t r = static_cast<uint16_t>(v[i] * w + b * static_cast<uint16_t>(256 - w) + 128);
    v[i] = static_cast<uint8_t>(r >> 8);
  }
}

MASKFLOW_CLONES void MixRowLerp(uint8_t* __restrict v, const uint8_t* __restrict ma, const uint8_t* __restrict mb,
                                uint16_t mf, const uint8_t* __restrict ba, const uint8_t* __restrict bb, uint16_t bf,
                                size_t n) {
  const uint16_t m1 = mf, m0 = static_cast<uint16_t>(256 - mf);
  const uint16_t b1 = bf, b0 = static_cast<uint16_t>(256 - bf);
  for (size_t i = 0; i < n; ++i) {
    const uint16_t m = LerpMask(ma[i], mb[i], m0, m1);
    const uint16_t bg = LerpMask(ba[i], bb[i], b0, b1);
    const uint16_t w = static_cast<uint16_t>(m + (m >> 7));
    const uint16_t r = static_cast<uint16_t>(v[i] * w + bg * static_cast<uint16_t>(256 - w) + 128);
    v[i] = static_cast<uint8_t>(r >> 8);
  }
}

MASKFLOW_CLONES void PullRow(uint8_t* __restrict v, const uint8_t* __restrict ma, const uint8_t* __restrict mb,
                             uint16_t mf, uint16_t amount256, uint8_t target, size_t n) {
  const uint16_t a = amount256, t = target, m1 = mf, m0 = static_cast<uint16_t>(256 - mf);
  for (size_t i = 0; i < n; ++i) {
    const uint16_t m = LerpMask(ma[i], mb[i], m0, m1);
    const uint16_t d = static_cast<uint16_t>(static_cast<uint16_t>(a * static_cast<uint16_t>(255 - m) + 128) >> 8);
    const uint16_t w = static_cast<uint16_t>(d + (d >> 7));
    const uint16_t r = static_cast<uint16_t>(v[i] * static_cast<uint16_t>(256 - w) + t * w + 128);
    v[i] = static_cast<uint8_t>(r >> 8);
  }
}

MASKFLOW_CLONES void PullRowByMap(uint8_t* __restrict v, const uint8_t* __restrict d, uint8_t target, size_t n) {
  const uint16_t t = target;
  for (size_t i = 0; i < n; ++i) {
    const uint16_t w = static_cast<uint16_t>(d[i] + (d[i] >> 7));
    const uint16_t r = static_cast<uint16_t>(v[i] * static_cast<uint16_t>(256 - w) + t * w + 128);
    v[i] = static_cast<uint8_t>(r >> 8);
  }
}

MASKFLOW_CLONES void LerpRows(uint8_t* __restrict out, const uint8_t* __restrict a, const uint8_t* __restrict b, uint16_t f, size_t n) {
  const uint16_t w1 = f, w0 = static_cast<uint16_t>(256 - f);
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>(static_cast<uint16_t>(a[i] * w0 + b[i] * w1 + 128) >> 8);
  }
}

MASKFLOW_CLONES void GatherLerpRow(uint8_t* __restrict out, const uint8_t* __restrict src, const int32_t* __restrict i0,
                   const int32_t* __restrict i1, const uint16_t* __restrict f, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const uint32_t w1 = f[i], w0 = 256 - w1;
    out[i] = static_cast<uint8_t>((src[i0[i]] * w0 + src[i1[i]] * w1 + 128) >> 8);
  }
}

}  // namespace maskflow
