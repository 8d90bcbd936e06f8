#include "kernels/atlas.h"

#include <cmath>
#include <cstring>

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

void BlendKeyframeMasks(const AtlasView& atlas, const KeyframeSpan& span, uint8_t* __restrict out) {
  const size_t n = size_t(atlas.maskWidth) * atlas.maskHeight;
  const uint8_t* __restrict m0 = atlas.MaskOf(span.k0);
  const uint8_t* __restrict m1 = atlas.MaskOf(span.k1);
  if (span.t256 == 0) {
    std::memcpy(out, m0, n);
    return;
  }
  const uint16_t w1 = static_cast<uint16_t>(span.t256), w0 = static_cast<uint16_t>(256 - span.t256);
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>(static_cast<uint16_t>(m0[i] * w0 + m1[i] * w1 + 128) >> 8);
  }
}

AtlasBox InterpolateBox(const AtlasView& atlas, const KeyframeSpan& span) {
  const AtlasBox a = atlas.BoxOf(span.k0);
  if (span.k0 == span.k1) return a;
  const AtlasBox b = atlas.BoxOf(span.k1);
  const double t = span.t;
  return AtlasBox{a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.w + (b.w - a.w) * t, a.h + (b.h - a.h) * t};
}

}  // namespace maskflow
