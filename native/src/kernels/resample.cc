#include "kernels/resample.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/rows.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MASKFLOW_SSSE3_GATHER 1
#endif

namespace maskflow {

static void SetTap(AxisTaps* t, int i, int64_t p, int sn) {
  const int64_t hi = int64_t(sn - 1) * 256;
  if (p < 0) p = 0;
  if (p > hi) p = hi;
  const int32_t i0 = static_cast<int32_t>(p >> 8);
  t->i0[i] = i0;
  t->i1[i] = std::min(i0 + 1, sn - 1);
  t->f[i] = static_cast<uint16_t>(p & 255);
}

void PrepareGather(AxisTaps* t, int sn, int slack) {
  const size_t groups = t->groupBase.size();
  for (size_t g = 0; g < groups; ++g) {
    const int32_t base = t->i0[16 * g];
    const int32_t span = t->i1[16 * g + 15] - base;  // taps are monotone
    uint8_t* sh = &t->shuffle[64 * g];
    t->wide[g] = 0;
    if (span < 16 && base + 16 <= sn + slack) {
      for (int k = 0; k < 16; ++k) {
        sh[k] = static_cast<uint8_t>(t->i0[16 * g + k] - base);
        sh[16 + k] = static_cast<uint8_t>(t->i1[16 * g + k] - base);
      }
    } else if (span < 32 && base + 32 <= sn + slack) {
      t->wide[g] = 1;
      for (int k = 0; k < 16; ++k) {
        const int32_t d0 = t->i0[16 * g + k] - base, d1 = t->i1[16 * g + k] - base;
        sh[k] = static_cast<uint8_t>(d0 < 16 ? d0 : 0x80);
        sh[16 + k] = static_cast<uint8_t>(d1 < 16 ? d1 : 0x80);
        sh[32 + k] = static_cast<uint8_t>(d0 >= 16 ? d0 - 16 : 0x80);
        sh[48 + k] = static_cast<uint8_t>(d1 >= 16 ? d1 - 16 : 0x80);
      }
    } else {
      t->groupBase[g] = -1;
      continue;
    }
    t->groupBase[g] = base;
  }
}

#ifdef MASKFLOW_SSSE3_GATHER
__attribute__((target("ssse3"))) static void GatherLerpSsse3(uint8_t* __restrict out, const uint8_t* __restrict src,
                                                            const AxisTaps& t) {
  const __m128i zero = _mm_setzero_si128(), k256 = _mm_set1_epi16(256), k128 = _mm_set1_epi16(128);
  const size_t groups = t.groupBase.size();
  for (size_t g = 0; g < groups; ++g) {
    const size_t i = 16 * g;
    const int32_t base = t.groupBase[g];
    if (base < 0) {
      GatherLerpRow(out + i, src, t.i0.data() + i, t.i1.data() + i, t.f.data() + i, 16);
      continue;
    }
    const __m128i* sh = reinterpret_cast<const __m128i*>(&t.shuffle[64 * g]);
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + base));
    __m128i a = _mm_shuffle_epi8(bytes, _mm_loadu_si128(sh));
    __m128i b = _mm_shuffle_epi8(bytes, _mm_loadu_si128(sh + 1));
    if (t.wide[g]) {
      const __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + base + 16));
      a = _mm_or_si128(a, _mm_shuffle_epi8(high, _mm_loadu_si128(sh + 2)));
      b = _mm_or_si128(b, _mm_shuffle_epi8(high, _mm_loadu_si128(sh + 3)));
    }
    const __m128i f0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&t.f[i]));
    const __m128i f1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&t.f[i + 8]));
    const __m128i lo = _mm_add_epi16(_mm_add_epi16(_mm_mullo_epi16(_mm_unpacklo_epi8(a, zero), _mm_sub_epi16(k256, f0)),
                                                   _mm_mullo_epi16(_mm_unpacklo_epi8(b, zero), f0)), k128);
    const __m128i hi = _mm_add_epi16(_mm_add_epi16(_mm_mullo_epi16(_mm_unpackhi_epi8(a, zero), _mm_sub_epi16(k256, f1)),
                                                   _mm_mullo_epi16(_mm_unpackhi_epi8(b, zero), f1)), k128);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_packus_epi16(_mm_srli_epi16(lo, 8), _mm_srli_epi16(hi, 8)));
  }
}
#endif

void GatherLerp(uint8_t* __restrict out, const uint8_t* __restrict src, const AxisTaps& t) {
  const size_t n = t.f.size();
  size_t done = 0;
#ifdef MASKFLOW_SSSE3_GATHER
  static const bool ssse3 = __builtin_cpu_supports("ssse3");
  if (ssse3) {
    GatherLerpSsse3(out, src, t);
    done = 16 * t.groupBase.size();
  }
#endif
  GatherLerpRow(out + done, src, t.i0.data() + done, t.i1.data() + done, t.f.data() + done, n - done);
}

void RationalAxis(int dn, int sn, int64_t num, int64_t den, AxisTaps* taps, int slack) {
  taps->Resize(dn);
  for (int i = 0; i < dn; ++i) {
    // Non-negative numerator: integer division is the floor.
    const int64_t p = (int64_t(2 * i + 1) * num * 128) / den - 128;
    SetTap(taps, i, p, sn);
  }
  PrepareGather(taps, sn, slack);
}

void CropAxis(int dn, int sn, double start, double step, AxisTaps* taps) {
  taps->Resize(dn);
  const double hi = double(sn - 1) * 256.0;
  for (int i = 0; i < dn; ++i) {
    double pos = (start + (i + 0.5) * step - 0.5) * 256.0;
    if (!(pos > 0)) pos = 0;  // also catches NaN
    if (pos > hi) pos = hi;
    SetTap(taps, i, static_cast<int64_t>(std::floor(pos)), sn);
  }
  PrepareGather(taps, sn);
}

void RowUpsampler::Configure(int sw, int sh, int dw, int dh, int64_t numX, int64_t denX, int64_t numY,
                             int64_t denY, int slack) {
  sw_ = sw;
  dw_ = dw;
  RationalAxis(dw, sw, numX, denX, &x_, slack);
  RationalAxis(dh, sh, numY, denY, &y_);
  slots_[0].assign(dw, 0);
  slots_[1].assign(dw, 0);
  slotRow_[0] = slotRow_[1] = -1;
}

void RowUpsampler::Bind(const uint8_t* src) {
  src_ = src;
  slotRow_[0] = slotRow_[1] = -1;
}

const uint8_t* RowUpsampler::SourceRow(int sy, int avoidSlot, int* slot) {
  for (int s = 0; s < 2; ++s) {
    if (slotRow_[s] == sy) {
      *slot = s;
      return slots_[s].data();
    }
  }
  const int s = avoidSlot == 0 ? 1 : 0;
  GatherLerp(slots_[s].data(), src_ + size_t(sy) * sw_, x_);
  slotRow_[s] = sy;
  *slot = s;
  return slots_[s].data();
}

void RowUpsampler::Rows(int y, const uint8_t** a, const uint8_t** b, uint16_t* f) {
  int slotA = -1, slotB = -1;
  *a = SourceRow(y_.i0[y], -1, &slotA);
  *f = y_.f[y];
  *b = *f == 0 ? *a : SourceRow(y_.i1[y], slotA, &slotB);
}

void CropResamplePlane(const uint8_t* __restrict src, int sw, int sh, uint8_t* __restrict dst, int dw, int dh,
                       const AxisTaps& xt, const AxisTaps& yt, uint8_t* __restrict rowScratch) {
  // Taps are monotone, so the columns read lie in [i0[0], i1[dw-1]].
  const int lo = xt.i0[0], hi = xt.i1[dw - 1];
  for (int y = 0; y < dh; ++y) {
    const uint8_t* a = src + size_t(yt.i0[y]) * sw;
    const uint8_t* b = src + size_t(yt.i1[y]) * sw;
    const uint16_t f = yt.f[y];
    const uint8_t* row = a;
    if (f != 0) {
      LerpRows(rowScratch + lo, a + lo, b + lo, f, size_t(hi - lo + 1));
      row = rowScratch;
    }
    GatherLerp(dst + size_t(y) * dw, row, xt);
  }
}

CropRect ClampCrop(CropRect c, int sw, int sh) {
  const double minSide = 1.0 / 256.0;
  c.w = std::min(std::max(c.w, minSide), double(sw));
  c.h = std::min(std::max(c.h, minSide), double(sh));
  c.x = std::min(std::max(c.x, 0.0), double(sw) - c.w);
  c.y = std::min(std::max(c.y, 0.0), double(sh) - c.h);
  return c;
}

void FrameResampler::Configure(int sw, int sh, int dw, int dh) {
  sw_ = sw;
  sh_ = sh;
  dw_ = dw;
  dh_ = dh;
  lx_.Resize(dw);
  ly_.Resize(dh);
  cx_.Resize((dw + 1) / 2);
  cy_.Resize((dh + 1) / 2);
  row_.assign(size_t(sw), 0);
}

size_t FrameResampler::SrcBytes() const { return Yuv420Bytes(sw_, sh_); }
size_t FrameResampler::DstBytes() const { return Yuv420Bytes(dw_, dh_); }

void FrameResampler::Apply(const uint8_t* src, uint8_t* dst, CropRect crop) {
  crop = ClampCrop(crop, sw_, sh_);
  const double stepX = crop.w / dw_, stepY = crop.h / dh_;
  const int scw = (sw_ + 1) / 2, sch = (sh_ + 1) / 2, dcw = (dw_ + 1) / 2, dch = (dh_ + 1) / 2;
  // Luma: dst pixel i samples crop.x + (i + 0.5) * step. Chroma pixel i covers luma
  // 2i..2i+1, centred on luma 2i + 1, i.e. chroma coordinate crop.x/2 + (i + 0.5) * step.
  CropAxis(dw_, sw_, crop.x, stepX, &lx_);
  CropAxis(dh_, sh_, crop.y, stepY, &ly_);
  CropAxis(dcw, scw, crop.x / 2, stepX, &cx_);
  CropAxis(dch, sch, crop.y / 2, stepY, &cy_);
  const size_t sy = size_t(sw_) * sh_, sc = size_t(scw) * sch;
  const size_t dy = size_t(dw_) * dh_, dc = size_t(dcw) * dch;
  CropResamplePlane(src, sw_, sh_, dst, dw_, dh_, lx_, ly_, row_.data());
  CropResamplePlane(src + sy, scw, sch, dst + dy, dcw, dch, cx_, cy_, row_.data());
  CropResamplePlane(src + sy + sc, scw, sch, dst + dy + dc, dcw, dch, cx_, cy_, row_.data());
}

}  // namespace maskflow
