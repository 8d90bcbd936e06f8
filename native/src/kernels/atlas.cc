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

uint32_t AtlasView::MotionFirst(uint32_t k) const { return ReadU32(data + motionFirstOffset + 4 * size_t(k)); }
uint32_t AtlasView::MotionFrame(uint32_t s) const { return ReadU32(data + motionFramesOffset + 4 * size_t(s)); }
int32_t AtlasView::MotionValue(uint32_t s, size_t b, int c) const {
  const uint8_t* p = data + motionFieldsOffset + 2 * ((size_t(s) * motionGw * motionGh + b) * 4 + size_t(c));
  int16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

static size_t Align16(size_t n) { return (n + 15) & ~size_t(15); }

// Motion validation (the `full` parse): interval starts run 0..S, each interval has 0
// samples or >= 2 from its first keyframe's frame to its second's, increasing.
static bool MotionValid(const AtlasView& v) {
  const uint32_t k = v.keyframes, s = v.motionSamples;
  if (v.MotionFirst(0) != 0 || v.MotionFirst(k - 1) != s) return false;
  for (uint32_t i = 0; i + 1 < k; ++i) {
    const uint32_t a = v.MotionFirst(i), b = v.MotionFirst(i + 1);
    if (b < a || b > s || b - a == 1) return false;
    if (b == a) continue;
    if (v.MotionFrame(a) != v.FrameOf(i) || v.MotionFrame(b - 1) != v.FrameOf(i + 1)) return false;
    for (uint32_t j = a + 1; j < b; ++j) {
      if (v.MotionFrame(j) <= v.MotionFrame(j - 1)) return false;
    }
  }
  return true;
}

AtlasStatus ParseAtlas(const uint8_t* data, size_t length, bool full, AtlasView* out) {
  if (data == nullptr || length < kAtlasHeaderBytes) return AtlasStatus::kTooSmall;
  if (ReadU32(data) != kAtlasMagic) return AtlasStatus::kBadMagic;
  const uint32_t version = ReadU32(data + 4);
  if (version != 1 && version != kAtlasVersion) return AtlasStatus::kBadVersion;
  const uint32_t flags = ReadU32(data + 28);
  if ((flags & ~(version == 1 ? 0u : kAtlasFlagMotion)) != 0) return AtlasStatus::kBadFlags;
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
  if (flags & kAtlasFlagMotion) {
    const size_t start = Align16(v.totalBytes);
    if (length < start + 8) return AtlasStatus::kTruncated;
    v.motionBlock = ReadU32(data + start);
    v.motionSamples = ReadU32(data + start + 4);
    if (v.motionBlock < kMotionMinBlock || v.motionBlock > kMotionMaxBlock || v.motionSamples > length / 12) {
      return AtlasStatus::kBadMotion;
    }
    v.motionGw = (v.maskWidth + v.motionBlock - 1) / v.motionBlock;
    v.motionGh = (v.maskHeight + v.motionBlock - 1) / v.motionBlock;
    v.motionFirstOffset = start + 8;
    v.motionFramesOffset = v.motionFirstOffset + 4 * k;
    v.motionFieldsOffset = v.motionFramesOffset + 4 * size_t(v.motionSamples);
    v.totalBytes = v.motionFieldsOffset + 8 * size_t(v.motionGw) * v.motionGh * v.motionSamples;
    if (length < v.totalBytes) return AtlasStatus::kTruncated;
  }
  if (full) {
    if (v.motionBlock != 0 && !MotionValid(v)) return AtlasStatus::kBadMotion;
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
    case AtlasStatus::kBadVersion: return "has an unsupported atlas version (expected 1 or 2)";
    case AtlasStatus::kBadMaskSize: return "has a mask width or height outside 1..1024";
    case AtlasStatus::kBadKeyframeCount: return "has a keyframe count outside 1..16777216";
    case AtlasStatus::kTruncated: return "is shorter than its header says (truncated masks)";
    case AtlasStatus::kFramesNotIncreasing: return "has keyframe frame indices that do not strictly increase";
    case AtlasStatus::kBadBox: return "has a subject box with a non-finite coordinate";
    case AtlasStatus::kBadFlags: return "has unknown header flags";
    case AtlasStatus::kBadMotion: return "has an invalid motion section (block size, sample count or sample frames)";
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
  const uint32_t gw = (maskWidth + kMotionMinBlock - 1) / kMotionMinBlock, gh = (maskHeight + kMotionMinBlock - 1) / kMotionMinBlock;
  field.assign(2 * size_t(gw) * gh + 2 * size_t(gw), 0);  // the block field, then one row of it
  colTaps.assign(3 * size_t(maskWidth), 0);
}

bool FindMotion(const AtlasView& atlas, const KeyframeSpan& span, uint64_t frame, MotionSpan* out) {
  if (atlas.motionBlock == 0 || span.k0 == span.k1) return false;
  const uint32_t lo = atlas.MotionFirst(span.k0), hi = atlas.MotionFirst(span.k0 + 1);
  // Bounds checked here too: the per-frame parse skips the O(S) validation.
  if (hi > atlas.motionSamples || hi < lo + 2) return false;
  uint32_t a = lo;
  while (a + 2 < hi && atlas.MotionFrame(a + 1) <= frame) ++a;
  const uint64_t fa = atlas.MotionFrame(a), fb = atlas.MotionFrame(a + 1);
  out->a = a;
  out->w256 = fb <= fa || frame <= fa ? 0 : frame >= fb ? 256 : static_cast<uint32_t>(((frame - fa) * 256) / (fb - fa));
  return true;
}

// floor(v / 2^s) for negative v too (C++17 leaves >> of negatives to the compiler).
static int64_t FloorShift(int64_t v, int s) { return v >= 0 ? v >> s : -((-v + (int64_t(1) << s) - 1) >> s); }

// Block-centre taps (i0, i1, frac in 1/256) for pixel i: (i + 0.5) / B - 0.5 blocks, clamped.
static void BlockTap(uint32_t i, uint32_t block, uint32_t g, int32_t* t) {
  int64_t p = int64_t((2 * i + 1) * 128) / block - 128;
  if (p < 0) p = 0;
  if (p > int64_t(g - 1) * 256) p = int64_t(g - 1) * 256;
  t[0] = int32_t(p >> 8);
  t[1] = t[0] + 1 < int32_t(g) ? t[0] + 1 : t[0];
  t[2] = int32_t(p & 255);
}

static inline int Lerp8(int a, int b, int f) { return (a * (256 - f) + b * f + 128) >> 8; }

// Keyframe mask k read per pixel through the lerped field of component pair c (0: k0, 1: k1).
static void FlowWarpMask(const AtlasView& atlas, uint32_t k, const MotionSpan& m, int c, WarpScratch* s,
                         uint8_t* __restrict out) {
  const uint32_t mw = atlas.maskWidth, mh = atlas.maskHeight, gw = atlas.motionGw, gh = atlas.motionGh;
  const size_t blocks = size_t(gw) * gh;
  int64_t* field = s->field.data();
  const int64_t wa = 256 - int64_t(m.w256), wb = m.w256;
  for (size_t b = 0; b < blocks; ++b) {
    for (int d = 0; d < 2; ++d) {
      field[2 * b + d] = atlas.MotionValue(m.a, b, 2 * c + d) * wa + atlas.MotionValue(m.a + 1, b, 2 * c + d) * wb;
    }
  }
  int32_t* cols = s->colTaps.data();
  for (uint32_t x = 0; x < mw; ++x) BlockTap(x, atlas.motionBlock, gw, cols + 3 * x);
  const uint8_t* src = atlas.MaskOf(k);
  const int64_t hiX = int64_t(mw - 1) * 256, hiY = int64_t(mh - 1) * 256;
  int64_t* rowField = field + 2 * blocks;  // the field lerped to this row, per block column
  for (uint32_t y = 0; y < mh; ++y) {
    int32_t ry[3];
    BlockTap(y, atlas.motionBlock, gh, ry);
    const int64_t* r0 = field + 2 * size_t(ry[0]) * gw;
    const int64_t* r1 = field + 2 * size_t(ry[1]) * gw;
    const int64_t fy = ry[2];
    // (T00(256-fx) + T01 fx)(256-fy) + (T10(256-fx) + T11 fx) fy regrouped: the vertical lerp once
    // per row and block column, the same integers.
    for (size_t i = 0; i < 2 * size_t(gw); ++i) rowField[i] = r0[i] * (256 - fy) + r1[i] * fy;
    for (uint32_t x = 0; x < mw; ++x) {
      const int32_t i0 = cols[3 * x], i1 = cols[3 * x + 1];
      const int64_t fx = cols[3 * x + 2];
      int64_t pos[2];
      for (int d = 0; d < 2; ++d) {
        pos[d] = int64_t(d == 0 ? x : y) * 256 + FloorShift(rowField[2 * i0 + d] * (256 - fx) + rowField[2 * i1 + d] * fx, 20);
        const int64_t hi = d == 0 ? hiX : hiY;
        if (pos[d] < 0) pos[d] = 0;
        if (pos[d] > hi) pos[d] = hi;
      }
      const uint32_t x0 = uint32_t(pos[0] >> 8), y0 = uint32_t(pos[1] >> 8);
      const int fxp = int(pos[0] & 255), fyp = int(pos[1] & 255);
      const uint32_t x1 = x0 + 1 < mw ? x0 + 1 : x0, y1 = y0 + 1 < mh ? y0 + 1 : y0;
      const uint8_t* a = src + size_t(y0) * mw;
      const uint8_t* b = src + size_t(y1) * mw;
      out[size_t(y) * mw + x] = uint8_t(Lerp8(Lerp8(a[x0], b[x0], fyp), Lerp8(a[x1], b[x1], fyp), fxp));
    }
  }
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

void WarpBlendKeyframeMasks(const AtlasView& atlas, const KeyframeSpan& span, const MotionSpan* motion,
                            WarpScratch* scratch, uint8_t* __restrict out) {
  if (motion != nullptr) {
    if (span.t256 == 0) {
      FlowWarpMask(atlas, span.k0, *motion, 0, scratch, out);
      return;
    }
    FlowWarpMask(atlas, span.k0, *motion, 0, scratch, scratch->warped0.data());
    FlowWarpMask(atlas, span.k1, *motion, 1, scratch, scratch->warped1.data());
    LerpRows(out, scratch->warped0.data(), scratch->warped1.data(), static_cast<uint16_t>(span.t256),
             size_t(atlas.maskWidth) * atlas.maskHeight);
    return;
  }
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
