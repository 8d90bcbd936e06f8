#include "kernels/mask_source.h"

#include <algorithm>

#include "kernels/blur.h"
#include "kernels/erode.h"

namespace maskflow {

int FeatherRadius(int feather, int maskWidth, int width) {
  const int64_t r = (2 * int64_t(feather) * maskWidth + width) / (2 * int64_t(width));
  return static_cast<int>(std::min<int64_t>(r, 64));
}

void MaskSource::Configure(const FrameGeometry& g) {
  g_ = g;
  const size_t n = size_t(g.mw) * g.mh;
  blended_.assign(n + kGatherSlack, 0);
  feathered_.assign(n + kGatherSlack, 0);
  tmp_.assign(2 * n, 0);
  colSums_.assign(g.mw, 0);
  minScratch_.assign(g.mw + 2 * 64, 0);
  warp_.Configure(g.mw, g.mh);
  // Chroma sample i is centred on luma 2i + 1, i.e. mask coordinate (i + 0.5) * 2mw / w.
  maskY_.Configure(int(g.mw), int(g.mh), g.w, g.h, g.mw, g.w, g.mh, g.h, kGatherSlack);
  maskC_.Configure(int(g.mw), int(g.mh), g.cw, g.ch, 2 * int64_t(g.mw), g.w, 2 * int64_t(g.mh), g.h, kGatherSlack);
}

void MaskSource::Start(const AtlasView& atlas, const KeyframeSpan& span, uint64_t frame) {
  atlas_ = &atlas;
  span_ = span;
  hasMotion_ = FindMotion(atlas, span, frame, &motion_);
  blendedValid_ = false;
}

const uint8_t* MaskSource::Feathered(int feather) {
  if (!blendedValid_) {
    WarpBlendKeyframeMasks(*atlas_, span_, hasMotion_ ? &motion_ : nullptr, &warp_, blended_.data());
    blendedValid_ = true;
    featheredRadius_ = -1;
  }
  const int r = FeatherRadius(feather, int(g_.mw), g_.w);
  if (r == 0) return blended_.data();
  if (featheredRadius_ != r) {
    const int mw = int(g_.mw), mh = int(g_.mh);
    uint8_t* eroded = tmp_.data();
    uint8_t* scratch = tmp_.data() + size_t(mw) * mh;
    // Erode by b, then blur by b (b = ceil(r/2)): the soft edge is ~r wide (the feather)
    // and ends at the mask's edge, so outside the subject the effect applies in full.
    const int b = (r + 1) / 2;
    ErodeBox(blended_.data(), eroded, mw, mh, b, scratch, minScratch_.data());
    BoxBlurH(eroded, scratch, mw, mh, b);
    BoxBlurV(scratch, feathered_.data(), mw, mh, b, colSums_.data());
    featheredRadius_ = r;
  }
  return feathered_.data();
}

}  // namespace maskflow
