// dim-background: spotlight: background luma pulled toward black, chroma toward neutral.
#include <cmath>

#include "kernels/effect.h"
#include "kernels/effects/pull_background.h"

namespace maskflow {
namespace {

class DimBackground final : public Effect {
 public:
  std::string Configure(const FrameGeometry& g, const EffectParams& p) override {
    g_ = g;
    feather_ = p.Int(dim_background::kFeather);
    amount256_ = static_cast<uint16_t>(std::floor(p.Number(dim_background::kAmount) * 256 + 0.5));
    return std::string();
  }
  void Apply(uint8_t* frame, FrameContext& ctx) override { PullBackground(frame, g_, ctx, feather_, amount256_, true); }

 private:
  FrameGeometry g_;
  int feather_ = 0;
  uint16_t amount256_ = 0;
};

}  // namespace

std::unique_ptr<Effect> MakeDimBackground() { return std::make_unique<DimBackground>(); }

}  // namespace maskflow
