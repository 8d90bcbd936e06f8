// Mask atlas reader (docs/atlas.md, version 1). Pure C++ over the atlas bytes:
// header parsing and validation, keyframe lookup for a frame, the temporally
// blended mask at analysis resolution and the interpolated subject box.
// Mirrors src/vision/atlas-layout.ts.
#pragma once
#include <cstddef>
#include <cstdint>

namespace maskflow {

constexpr uint32_t kAtlasMagic = 0x5441464D;  // "MFAT" little-endian
constexpr uint32_t kAtlasVersion = 1;
constexpr size_t kAtlasHeaderBytes = 32;
constexpr uint32_t kAtlasMaxMaskSide = 1024;
// Far more keyframes than any clip needs; keeps every size computation well inside 64 bits.
constexpr uint32_t kAtlasMaxKeyframes = 1u << 24;

struct AtlasBox {
  double x = 0, y = 0, w = 0, h = 0;  // normalised 0..1 to the source frame
};

struct AtlasView {
  const uint8_t* data = nullptr;
  size_t length = 0;
  uint32_t maskWidth = 0, maskHeight = 0, keyframes = 0;
  uint32_t sourceWidth = 0, sourceHeight = 0;
  size_t framesOffset = 0, boxesOffset = 0, scoresOffset = 0, masksOffset = 0, totalBytes = 0;

  uint32_t FrameOf(uint32_t k) const;
  AtlasBox BoxOf(uint32_t k) const;
  const uint8_t* MaskOf(uint32_t k) const { return data + masksOffset + size_t(k) * maskWidth * maskHeight; }
};

enum class AtlasStatus {
  kOk,
  kTooSmall,
  kBadMagic,
  kBadVersion,
  kBadMaskSize,
  kBadKeyframeCount,
  kTruncated,
  kFramesNotIncreasing,
  kBadBox,
};

// Reads the header and checks that every section fits in `length` bytes.
// With `full`, also checks the keyframe indices increase and every box is finite
// (O(K); done once when a chain is built, skipped on the per-frame path).
AtlasStatus ParseAtlas(const uint8_t* data, size_t length, bool full, AtlasView* out);
const char* DescribeAtlasStatus(AtlasStatus status);

// The two keyframes around `frame` and the blend position between them.
// Before the first keyframe: the first; after the last: the last (t = 0).
struct KeyframeSpan {
  uint32_t k0 = 0, k1 = 0;
  uint32_t t256 = 0;  // floor(256 * t), 0..255: the weight of k1 in the mask blend
  double t = 0;       // exact t for the box interpolation
};
KeyframeSpan FindKeyframes(const AtlasView& atlas, uint64_t frame);

// out[i] = (m0[i]*(256-t256) + m1[i]*t256 + 128) >> 8 over mw*mh bytes. Blending at
// analysis resolution before upsampling equals the doc's "upsample each, then lerp"
// (both steps are linear) and costs mw*mh instead of w*h.
void BlendKeyframeMasks(const AtlasView& atlas, const KeyframeSpan& span, uint8_t* __restrict out);

// Linear interpolation of the two keyframes' boxes with the exact t.
AtlasBox InterpolateBox(const AtlasView& atlas, const KeyframeSpan& span);

}  // namespace maskflow
