#include "kernels/atlas.h"

#include <cmath>
#include <cstring>

#include "kernels/rows.h"

namespace maskflow {

static uint32_t ReadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // the view may sit at any byte offset: no aligned loads
  return v;
}

static float ReadF32(const uint8_t* p) {
  float v;
  std::memcpy(&v, p, 4);
  return v;
}

uint32_t AtlasView::FrameOf(uint32_t k) const { return ReadU32(data + framesOffset + 4 * size_t(k)); }

AtlasBox AtlasView::BoxOf(uint32_t k) const {
  const uint8_t* p = data + boxesOffset + 16 * size_t(k);
  return AtlasBox{ReadF32(p), ReadF32(p + 4), ReadF32(p + 8), ReadF32(p + 12)};
}

static size_t Align16(size_t n) { return (n + 15) & ~size_t(15); }

AtlasStatus ParseAtlas(const uint8_t* data, size_t length, bool full, AtlasView* out) {
  if (data == nullptr || length < kAtlasHeaderBytes) return AtlasStatus::kTooSmall;
  if (ReadU32(data) != kAtlasMagic) return AtlasStatus::kBadMagic;
  if (ReadU32(data + 4) != kAtlasVersion) return AtlasStatus::kBadVersion;
  AtlasView v;
  v.data = data;
  v.length = length;
  v.maskWidth = ReadU32(data + 8);
  v.maskHeight = ReadU32(data + 12);
  v.keyframes = ReadU32(data + 16);
  v.sourceWidth = ReadU32(data + 20);
  v.sourceHeight = ReadU32(data + 24);
  if (v.maskWidth < 1 || v.maskWidth > kAtlasMaxMaskSide || v.maskHeight < 1 || v.maskHeight > kAtlasMaxMaskSide) {
    return AtlasStatus::kBadMaskSize;
  }
  if (v.keyframes < 1 || v.keyframes > kAtlasMaxKeyframes) return AtlasStatus::kBadKeyframeCount;
  const size_t k = v.keyframes;
  v.framesOffset = kAtlasHeaderBytes;
  v.boxesOffset = v.framesOffset + 4 * k;
  v.scoresOffset = v.boxesOffset + 16 * k;
  v.masksOffset = Align16(v.scoresOffset + 4 * k);
  v.totalBytes = v.masksOffset + k * size_t(v.maskWidth) * v.maskHeight;
  if (length < v.totalBytes) return AtlasStatus::kTruncated;
  if (full) {
    for (uint32_t i = 1; i < v.keyframes; ++i) {
      if (v.FrameOf(i) <= v.FrameOf(i - 1)) return AtlasStatus::kFramesNotIncreasing;
    }
    for (uint32_t i = 0; i < v.keyframes; ++i) {
      const AtlasBox b = v.BoxOf(i);
      if (!std::isfinite(b.x) || !std::isfinite(b.y) || !std::isfinite(b.w) || !std::isfinite(b.h)) {
        return AtlasStatus::kBadBox;
      }
    }
  }
  *out = v;
  return AtlasStatus::kOk;
}

const char* DescribeAtlasStatus(AtlasStatus status) {
  switch (status) {
    case AtlasStatus::kOk: return "ok";
    case AtlasStatus::kTooSmall: return "is smaller than the 32-byte atlas header";
    case AtlasStatus::kBadMagic: return "does not start with the atlas magic \"MFAT\"";
    case AtlasStatus::kBadVersion: return "has an unsupported atlas version (expected 1)";
    case AtlasStatus::kBadMaskSize: return "has a mask width or height outside 1..1024";
    case AtlasStatus::kBadKeyframeCount: return "has a keyframe count outside 1..16777216";
    case AtlasStatus::kTruncated: return "is shorter than its header says (truncated masks)";
    case AtlasStatus::kFramesNotIncreasing: return "has keyframe frame indices that do not strictly increase";
    case AtlasStatus::kBadBox: return "has a subject box with a non-finite coordinate";
  }
  return "is invalid";
}

KeyframeSpan FindKeyframes(const AtlasView& atlas, uint64_t frame) {
  KeyframeSpan span;
  const uint32_t last = atlas.keyframes - 1;
  if (frame <= atlas.FrameOf(0)) return span;
  if (frame >= atlas.FrameOf(last)) {
    span.k0 = span.k1 = last;
    return span;
  }
  // Largest k0 with frame[k0] <= frame (binary search; indices stay in range even if the
  // bytes changed under us, which the read-only contract forbids but must not crash).
  uint32_t lo = 0, hi = last;
  while (hi - lo > 1) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (atlas.FrameOf(mid) <= frame) lo = mid; else hi = mid;
  }
  const uint64_t f0 = atlas.FrameOf(lo), f1 = atlas.FrameOf(hi);
  span.k0 = lo;
  span.k1 = hi;
  if (f1 > f0 && frame >= f0) {
    span.t256 = static_cast<uint32_t>(((frame - f0) * 256) / (f1 - f0));
    if (span.t256 > 255) span.t256 = 255;
    span.t = static_cast<double>(frame - f0) / static_cast<double>(f1 - f0);
  }
  return span;
}

bool BoxUsable(const AtlasBox& b) { return b.w > 0 && b.h > 0; }  // false for NaN too

// Per axis: output mask pixel centre u = (i + 0.5) / n (normalised) maps to
// ck + (u - ct) * step with step = size_k / size_t, in mask pixels minus the half-pixel
// offset: (ck - ct * step) * n + (i + 0.5) * step - 0.5.
static AxisMap MapAxis(double posK, double sizeK, double posT, double sizeT, uint32_t n) {
  AxisMap m;
  m.step = sizeK / sizeT;
  const double ck = posK + sizeK / 2, ct = posT + sizeT / 2;
  m.start = (ck - ct * m.step) * n;
  return m;
}

void KeyframeWarps(const AtlasView& atlas, const KeyframeSpan& span, KeyframeWarp* w0, KeyframeWarp* w1) {
  *w0 = KeyframeWarp();
  *w1 = KeyframeWarp();
  if (span.k0 == span.k1) return;  // t = 0: b(t) is b0
  const AtlasBox b0 = atlas.BoxOf(span.k0), b1 = atlas.BoxOf(span.k1);
  if (!BoxUsable(b0) || !BoxUsable(b1)) return;
  const AtlasBox bt = InterpolateBox(atlas, span);
  const uint32_t mw = atlas.maskWidth, mh = atlas.maskHeight;
  *w0 = KeyframeWarp{MapAxis(b0.x, b0.w, bt.x, bt.w, mw), MapAxis(b0.y, b0.h, bt.y, bt.h, mh)};
  *w1 = KeyframeWarp{MapAxis(b1.x, b1.w, bt.x, bt.w, mw), MapAxis(b1.y, b1.h, bt.y, bt.h, mh)};
}

void WarpScratch::Configure(uint32_t maskWidth, uint32_t maskHeight) {
  const size_t n = size_t(maskWidth) * maskHeight;
  x.Resize(int(maskWidth));
  y.Resize(int(maskHeight));
  warped0.assign(n, 0);
  warped1.assign(n, 0);
  row.assign(maskWidth, 0);
}

static void WarpMask(const AtlasView& atlas, uint32_t k, const KeyframeWarp& warp, WarpScratch* s,
                     uint8_t* __restrict out) {
  const int mw = int(atlas.maskWidth), mh = int(atlas.maskHeight);
  if (warp.Identity()) {
    std::memcpy(out, atlas.MaskOf(k), size_t(mw) * mh);
    return;
  }
  // CropAxis only resizes to the size Configure gave the taps: no allocation here.
  CropAxis(mw, mw, warp.x.start, warp.x.step, &s->x);
  CropAxis(mh, mh, warp.y.start, warp.y.step, &s->y);
  CropResamplePlane(atlas.MaskOf(k), mw, mh, out, mw, mh, s->x, s->y, s->row.data());
}

void WarpBlendKeyframeMasks(const AtlasView& atlas, const KeyframeSpan& span, WarpScratch* scratch,
                            uint8_t* __restrict out) {
  KeyframeWarp w0, w1;
  KeyframeWarps(atlas, span, &w0, &w1);
  if (span.t256 == 0) {
    WarpMask(atlas, span.k0, w0, scratch, out);
    return;
  }
  WarpMask(atlas, span.k0, w0, scratch, scratch->warped0.data());
  WarpMask(atlas, span.k1, w1, scratch, scratch->warped1.data());
  LerpRows(out, scratch->warped0.data(), scratch->warped1.data(), static_cast<uint16_t>(span.t256),
           size_t(atlas.maskWidth) * atlas.maskHeight);
}

AtlasBox InterpolateBox(const AtlasView& atlas, const KeyframeSpan& span) {
  const AtlasBox a = atlas.BoxOf(span.k0);
  if (span.k0 == span.k1) return a;
  const AtlasBox b = atlas.BoxOf(span.k1);
  const double t = span.t;
  return AtlasBox{a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.w + (b.w - a.w) * t, a.h + (b.h - a.h) * t};
}

}  // namespace maskflow
