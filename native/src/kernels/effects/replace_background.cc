// replace-background: the background becomes a solid colour or a still image
// (decoded and fitted to the frame size before it reaches the addon).
#include <vector>

#include "kernels/effect.h"
#include "kernels/mask_source.h"
#include "kernels/rows.h"

namespace maskflow {
namespace {

class ReplaceBackground final : public Effect {
 public:
  std::string Configure(const FrameGeometry& g, const EffectParams& p) override {
    g_ = g;
    feather_ = p.Int(replace_background::kFeather);
    const uint8_t* yuv = p.Yuv(replace_background::kColor);
    for (int c = 0; c < 3; ++c) yuv_[c] = yuv[c];
    const ParamValue& image = p.Value(replace_background::kImage);
    if (image.given) {
      if (image.imageBytes != g.FrameBytes()) {
        return "image must hold one yuv420p frame of the chain size (" + std::to_string(g.FrameBytes()) +
               " bytes), got " + std::to_string(image.imageBytes);
      }
      image_.assign(image.image, image.image + image.imageBytes);  // own a copy: the caller's buffer may be reused
      useImage_ = true;
    }
    return std::string();
  }

  void Apply(uint8_t* frame, FrameContext& ctx) override {
    const uint8_t* mask = ctx.mask->Feathered(feather_);
    RowUpsampler& mY = ctx.mask->Luma();
    RowUpsampler& mC = ctx.mask->Chroma();
    const bool useImage = useImage_;
    const size_t uOff = g_.LumaBytes(), vOff = uOff + g_.ChromaBytes();
    uint8_t* U = frame + uOff;
    uint8_t* V = frame + vOff;
    const uint8_t *ma, *mb;
    uint16_t mf;
    mY.Bind(mask);
    for (int y = 0; y < g_.h; ++y) {
      uint8_t* row = frame + size_t(y) * g_.w;
      mY.Rows(y, &ma, &mb, &mf);
      if (useImage) {
        const uint8_t* bg = image_.data() + size_t(y) * g_.w;
        MixRowLerp(row, ma, mb, mf, bg, bg, 0, g_.w);
      } else {
        MixRowConst(row, ma, mb, mf, yuv_[0], g_.w);
      }
    }
    mC.Bind(mask);
    for (int y = 0; y < g_.ch; ++y) {
      mC.Rows(y, &ma, &mb, &mf);
      const size_t off = size_t(y) * g_.cw;
      if (useImage) {
        const uint8_t* bu = image_.data() + uOff + off;
        const uint8_t* bv = image_.data() + vOff + off;
        MixRowLerp(U + off, ma, mb, mf, bu, bu, 0, g_.cw);
        MixRowLerp(V + off, ma, mb, mf, bv, bv, 0, g_.cw);
      } else {
        MixRowConst(U + off, ma, mb, mf, yuv_[1], g_.cw);
        MixRowConst(V + off, ma, mb, mf, yuv_[2], g_.cw);
      }
    }
  }

 private:
  FrameGeometry g_;
  int feather_ = 0;
  uint8_t yuv_[3] = {16, 128, 128};
  std::vector<uint8_t> image_;
  bool useImage_ = false;
};

}  // namespace

std::unique_ptr<Effect> MakeReplaceBackground() { return std::make_unique<ReplaceBackground>(); }

}  // namespace maskflow
