// blur-background: each plane is box-averaged down, box-blurred twice at that
// reduced resolution (two box passes approximate a Gaussian), upsampled
// bilinearly and blended in where the mask says background.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/blur.h"
#include "kernels/effect.h"
#include "kernels/mask_source.h"
#include "kernels/rows.h"

namespace maskflow {
namespace {

// Bigger radius, coarser grid: the box radius at reduced resolution stays small,
// so the cost is one read of the frame plus one blend whatever the radius.
struct BlurPlan {
  int scale, shift, radiusLuma, radiusChroma;
};
BlurPlan PlanBlur(double radius) {
  const int scale = radius < 6 ? 2 : radius < 16 ? 4 : radius < 40 ? 8 : 16;
  const int shift = scale == 2 ? 2 : scale == 4 ? 4 : scale == 8 ? 6 : 8;
  const int rl = std::max(1, static_cast<int>(std::floor(radius / scale + 0.5)));
  const int rc = std::max(1, static_cast<int>(std::floor(radius / (2 * scale) + 0.5)));
  return BlurPlan{scale, shift, rl, rc};
}

class BlurBackground final : public Effect {
 public:
  std::string Configure(const FrameGeometry& g, const EffectParams& p) override {
    g_ = g;
    feather_ = p.Int(blur_background::kFeather);
    plan_ = PlanBlur(p.Number(blur_background::kRadius));
    const int sc = plan_.scale;
    lwY_ = (g.w + sc - 1) / sc;
    lhY_ = (g.h + sc - 1) / sc;
    lwC_ = (g.cw + sc - 1) / sc;
    lhC_ = (g.ch + sc - 1) / sc;
    // + kGatherSlack: the upsamplers' SIMD loads may run past a row's end.
    lowY_.assign(size_t(lwY_) * lhY_ + kGatherSlack, 0);
    lowU_.assign(size_t(lwC_) * lhC_ + kGatherSlack, 0);
    lowV_.assign(size_t(lwC_) * lhC_ + kGatherSlack, 0);
    tmp_.assign(size_t(lwY_) * lhY_, 0);
    upY_.Configure(lwY_, lhY_, g.w, g.h, 1, sc, 1, sc, kGatherSlack);
    upU_.Configure(lwC_, lhC_, g.cw, g.ch, 1, sc, 1, sc, kGatherSlack);
    upV_.Configure(lwC_, lhC_, g.cw, g.ch, 1, sc, 1, sc, kGatherSlack);
    colSums_.assign(size_t(lwY_), 0);
    rowSums_.assign(2 * size_t(lwY_) * sc, 0);
    return std::string();
  }

  void Apply(uint8_t* frame, FrameContext& ctx) override {
    uint8_t* Y = frame;
    uint8_t* U = frame + g_.LumaBytes();
    uint8_t* V = U + g_.ChromaBytes();
    BlurPlane(Y, g_.w, g_.h, plan_.radiusLuma, lowY_.data(), lwY_, lhY_);
    BlurPlane(U, g_.cw, g_.ch, plan_.radiusChroma, lowU_.data(), lwC_, lhC_);
    BlurPlane(V, g_.cw, g_.ch, plan_.radiusChroma, lowV_.data(), lwC_, lhC_);
    const uint8_t* mask = ctx.mask->Feathered(feather_);
    RowUpsampler& mY = ctx.mask->Luma();
    RowUpsampler& mC = ctx.mask->Chroma();
    const uint8_t *ma, *mb, *ba, *bb;
    uint16_t mf, bf;
    mY.Bind(mask);
    upY_.Bind(lowY_.data());
    for (int y = 0; y < g_.h; ++y) {
      mY.Rows(y, &ma, &mb, &mf);
      upY_.Rows(y, &ba, &bb, &bf);
      MixRowLerp(Y + size_t(y) * g_.w, ma, mb, mf, ba, bb, bf, g_.w);
    }
    mC.Bind(mask);
    upU_.Bind(lowU_.data());
    upV_.Bind(lowV_.data());
    for (int y = 0; y < g_.ch; ++y) {
      mC.Rows(y, &ma, &mb, &mf);
      upU_.Rows(y, &ba, &bb, &bf);
      MixRowLerp(U + size_t(y) * g_.cw, ma, mb, mf, ba, bb, bf, g_.cw);
      upV_.Rows(y, &ba, &bb, &bf);
      MixRowLerp(V + size_t(y) * g_.cw, ma, mb, mf, ba, bb, bf, g_.cw);
    }
  }

 private:
  void BlurPlane(const uint8_t* plane, int w, int h, int radius, uint8_t* low, int lw, int lh) {
    DownsampleBox(plane, w, h, plan_.scale, plan_.shift, low, lw, lh, rowSums_.data());
    for (int pass = 0; pass < 2; ++pass) {
      BoxBlurH(low, tmp_.data(), lw, lh, radius);
      BoxBlurV(tmp_.data(), low, lw, lh, radius, colSums_.data());
    }
  }

  FrameGeometry g_;
  int feather_ = 0;
  BlurPlan plan_{};
  int lwY_ = 0, lhY_ = 0, lwC_ = 0, lhC_ = 0;
  std::vector<uint8_t> lowY_, lowU_, lowV_, tmp_;
  std::vector<uint32_t> colSums_;
  std::vector<uint16_t> rowSums_;
  RowUpsampler upY_, upU_, upV_;
};

}  // namespace

std::unique_ptr<Effect> MakeBlurBackground() { return std::make_unique<BlurBackground>(); }

}  // namespace maskflow
