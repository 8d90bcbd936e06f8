// The subject mask of the current frame, shared by a chain's mask effects: the
// motion-compensated keyframe blend at analysis resolution, computed once per
// frame, feathered once per feather radius, and the two upsamplers that read it
// at luma and chroma resolution row by row.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/atlas.h"
#include "kernels/effect.h"
#include "kernels/resample.h"

namespace maskflow {

// Feather radius in mask pixels: round(feather * maskWidth / width), at most 64.
int FeatherRadius(int feather, int maskWidth, int width);

class MaskSource {
 public:
  void Configure(const FrameGeometry& g);
  // A new frame: forget the blended and feathered masks.
  void Start(const AtlasView& atlas, const KeyframeSpan& span, uint64_t frame);
  // The frame's mask (mw*mh bytes, + kGatherSlack readable) feathered for `feather`
  // output pixels. The feather lies inside the subject: the mask is eroded by half
  // the radius, then box-blurred by it, so the soft edge is about `feather` wide,
  // the mask is 0 wherever the unfeathered mask is 0, and no original background
  // shows around the subject.
  const uint8_t* Feathered(int feather);

  // Row readers over a mask returned by Feathered(): Bind, then Rows per output row.
  RowUpsampler& Luma() { return maskY_; }
  RowUpsampler& Chroma() { return maskC_; }

 private:
  FrameGeometry g_;
  const AtlasView* atlas_ = nullptr;
  KeyframeSpan span_;
  MotionSpan motion_;
  bool hasMotion_ = false;
  bool blendedValid_ = false;
  int featheredRadius_ = -1;
  WarpScratch warp_;
  std::vector<uint8_t> blended_, feathered_, tmp_;
  std::vector<uint32_t> colSums_;
  std::vector<uint8_t> minScratch_;
  RowUpsampler maskY_, maskC_;
};

}  // namespace maskflow
