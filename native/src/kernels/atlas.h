// Mask atlas reader (docs/atlas.md, versions 1 and 2). Pure C++ over the atlas bytes:
// header parsing and validation, keyframe lookup for a frame, the motion-
// compensated mask at analysis resolution and the interpolated subject box.
// Mirrors src/vision/atlas-layout.ts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/resample.h"

namespace maskflow {

constexpr uint32_t kAtlasMagic = 0x5441464D;  // "MFAT" little-endian
constexpr uint32_t kAtlasVersion = 2;  // 2 adds the optional motion section; 1 is still read
constexpr uint32_t kAtlasFlagMotion = 1;
constexpr uint32_t kMotionMinBlock = 4, kMotionMaxBlock = 64;
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
  // Motion section (docs/atlas.md "Motion"); motionBlock = 0 when there is none.
  uint32_t motionBlock = 0, motionSamples = 0, motionGw = 0, motionGh = 0;
  size_t motionFirstOffset = 0, motionFramesOffset = 0, motionFieldsOffset = 0;

  uint32_t FrameOf(uint32_t k) const;
  AtlasBox BoxOf(uint32_t k) const;
  uint32_t MotionFirst(uint32_t k) const;
  uint32_t MotionFrame(uint32_t s) const;
  // Component c (0..3: dx0, dy0, dx1, dy1) of block b of sample s, 1/16 mask pixel.
  int32_t MotionValue(uint32_t s, size_t b, int c) const;
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
  kBadFlags,
  kBadMotion,
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

// Where one keyframe mask is read for the frame's mask (docs/atlas.md "Sampling"):
// mask pixel i (per axis) samples the keyframe mask at start + (i + 0.5) * step - 0.5
// mask pixels, i.e. the affine map taking the interpolated box b(t) onto the
// keyframe's box (centre offset and size ratio). Identity is start 0, step 1.
struct AxisMap {
  double start = 0, step = 1;
};
struct KeyframeWarp {
  AxisMap x, y;
  bool Identity() const { return x.start == 0 && x.step == 1 && y.start == 0 && y.step == 1; }
};

// A box locates a subject only with w > 0 and h > 0 (an empty box means none was found).
bool BoxUsable(const AtlasBox& b);

// The warps of span.k0 and span.k1. If either box is unusable, b(t) locates nothing,
// so both keyframes are read in place (identity): a plain cross-fade.
void KeyframeWarps(const AtlasView& atlas, const KeyframeSpan& span, KeyframeWarp* w0, KeyframeWarp* w1);

// The motion samples of interval span.k0 around the frame: samples a and a + 1 and
// the weight (0..256) of a + 1. False when the interval has none (or k0 = k1).
struct MotionSpan {
  uint32_t a = 0, w256 = 0;
};
bool FindMotion(const AtlasView& atlas, const KeyframeSpan& span, uint64_t frame, MotionSpan* out);

// Scratch for WarpBlendKeyframeMasks, sized once by Configure (nothing allocates per frame).
struct WarpScratch {
  AxisTaps x, y;
  std::vector<uint8_t> warped0, warped1, row;
  std::vector<int64_t> field;    // lerped block field, 2 per block (blocks >= kMotionMinBlock), then one row
  std::vector<int32_t> colTaps;  // per mask column: block i0, i1, fx
  void Configure(uint32_t maskWidth, uint32_t maskHeight);
};

// The frame's mask at analysis resolution (mw*mh bytes): each keyframe mask
// bilinearly resampled through its warp (vertical then horizontal lerp, the order of
// CropResamplePlane), then out = (w0'*(256-t256) + w1'*t256 + 128) >> 8. Keyframe k1
// is skipped when t256 = 0 and an identity warp is a copy (both bit-identical).
// Warping at analysis resolution keeps the per-frame cost at ~2*mw*mh (the feather
// and the single upsample to the frame are unchanged); the price is a second
// bilinear resampling between keyframes (slightly softer edges), none on keyframes.
//
// With motion samples for the interval (FindMotion), each keyframe mask is instead
// read per pixel where the lerped block field says (docs/atlas.md "Motion"): the
// position in 1/256 mask pixel, then the same vertical-then-horizontal lerps.
void WarpBlendKeyframeMasks(const AtlasView& atlas, const KeyframeSpan& span, const MotionSpan* motion,
                            WarpScratch* scratch, uint8_t* __restrict out);

// Linear interpolation of the two keyframes' boxes with the exact t.
AtlasBox InterpolateBox(const AtlasView& atlas, const KeyframeSpan& span);

}  // namespace maskflow
