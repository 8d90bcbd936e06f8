// A compiled effect chain: the effects of one segment with every gain map and
// scratch buffer allocated once, applied in place to yuv420p frames. Pure C++;
// the Node-API glue (effects_glue.cc) validates arguments before calling in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/atlas.h"
#include "kernels/resample.h"

namespace maskflow {

enum class EffectKind {
  kBlurBackground,
  kGrayscaleBackground,
  kDimBackground,
  kReplaceBackground,
  kVignette,
  kZoom,
};

// Parameter ranges are the catalogue's (src/effects/catalog.ts); Configure re-checks them.
struct EffectParams {
  EffectKind kind = EffectKind::kVignette;
  double radius = 24;         // blur-background: full-resolution pixels, 1..200
  double amount = 1;          // grayscale/dim-background: 0..1
  int feather = 0;            // mask effects: 0..64 output pixels
  uint8_t yuv[3] = {16, 128, 128};  // replace-background colour
  bool useImage = false;      // replace-background: use the chain's background image
  double strength = 0.35;     // vignette 0..1
  double vignetteRadius = 0.75;  // vignette 0.1..2
  double factor = 1.25;       // zoom 1..4
  bool follow = true;         // zoom: centre on the subject box
};

bool UsesMask(EffectKind kind);
const char* EffectKindName(EffectKind kind);

// How blur-background reduces resolution: block size `scale` (power of two) and the
// box radii at that resolution (two box passes per axis approximate a Gaussian).
struct BlurPlan {
  int scale, shift, radiusLuma, radiusChroma;
};
BlurPlan PlanBlur(double radius);

// Feather radius in mask pixels: round(feather * maskWidth / width), at most 64.
int FeatherRadius(int feather, int maskWidth, int width);

class EffectChainCore {
 public:
  // Returns an empty string on success, else what is wrong (naming the effect).
  std::string Configure(int width, int height, const std::vector<EffectParams>& effects, const AtlasView& atlas,
                        const uint8_t* image, size_t imageBytes);
  // `frame` holds FrameBytes(); `atlas` has the geometry given to Configure.
  void Apply(uint8_t* frame, const AtlasView& atlas, uint64_t frameIndex);
  size_t FrameBytes() const { return Yuv420Bytes(w_, h_); }
  uint32_t MaskWidth() const { return mw_; }
  uint32_t MaskHeight() const { return mh_; }

 private:
  struct BlurState {
    BlurPlan plan;
    int lwY, lhY, lwC, lhC;
    std::vector<uint8_t> lowY, lowU, lowV, tmp;
    RowUpsampler upY, upU, upV;
  };
  const uint8_t* MaskFor(const AtlasView& atlas, int feather);
  void ApplyBlur(uint8_t* frame, BlurState& s, const uint8_t* mask);
  void ApplyPull(uint8_t* frame, const EffectParams& e, const uint8_t* mask, bool luma);
  void ApplyReplace(uint8_t* frame, const EffectParams& e, const uint8_t* mask);
  void ApplyVignette(uint8_t* frame, const std::vector<uint8_t>& map);
  void ApplyZoom(uint8_t* frame, const EffectParams& e, const AtlasView& atlas);

  int w_ = 0, h_ = 0, cw_ = 0, ch_ = 0;
  uint32_t mw_ = 0, mh_ = 0;
  std::vector<EffectParams> effects_;
  std::vector<int> stateOf_;  // index into blur_ or vignette_ per effect
  std::vector<BlurState> blur_;
  std::vector<std::vector<uint8_t>> vignette_;
  std::vector<uint8_t> image_;
  std::vector<uint8_t> zoomCopy_;
  FrameResampler zoom_;
  // Per-frame mask state: the motion-compensated keyframe blend at analysis
  // resolution (warp_ holds its tap tables and buffers), then the feather.
  KeyframeSpan span_;
  bool blendedValid_ = false;
  int featheredRadius_ = -1;
  WarpScratch warp_;
  std::vector<uint8_t> blended_, feathered_, featherTmp_;
  std::vector<uint32_t> colSums_;
  std::vector<uint16_t> rowSums_;
  RowUpsampler maskY_, maskC_;
};

}  // namespace maskflow
