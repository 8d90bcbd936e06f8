// grayscale-background: colour splash: background chroma pulled to neutral, luma kept.
#include <cmath>

#include "kernels/effect.h"
#include "kernels/effects/pull_background.h"

namespace maskflow {
namespace {

class GrayscaleBackground final : public Effect {
 public:
  std::string Configure(const FrameGeometry& g, const EffectParams& p) override {
    g_ = g;
    feather_ = p.Int(grayscale_background::kFeather);
    amount256_ = static_cast<uint16_t>(std::floor(p.Number(grayscale_background::kAmount) * 256 + 0.5));
    return std::string();
  }
  void Apply(uint8_t* frame, FrameContext& ctx) override { PullBackground(frame, g_, ctx, feather_, amount256_, false); }

 private:
  FrameGeometry g_;
  int feather_ = 0;
  uint16_t amount256_ = 0;
};

}  // namespace

std::unique_ptr<Effect> MakeGrayscaleBackground() { return std::make_unique<GrayscaleBackground>(); }

}  // namespace maskflow
