// vignette: darkens the frame edges by a gain map computed once per chain.
#include <algorithm>
#include <vector>

#include "kernels/effect.h"
#include "kernels/rows.h"
#include "kernels/vignette.h"

namespace maskflow {
namespace {

class Vignette final : public Effect {
 public:
  std::string Configure(const FrameGeometry& g, const EffectParams& p) override {
    g_ = g;
    map_.assign(size_t(g.w) * ((g.h + 1) / 2), 0);
    VignetteMap(g.w, g.h, p.Number(vignette::kStrength), p.Number(vignette::kRadius), map_.data());
    return std::string();
  }
  void Apply(uint8_t* frame, FrameContext&) override {
    for (int y = 0; y < g_.h; ++y) {
      const int my = std::min(y, g_.h - 1 - y);
      PullRowByMap(frame + size_t(y) * g_.w, map_.data() + size_t(my) * g_.w, 16, g_.w);
    }
  }

 private:
  FrameGeometry g_;
  std::vector<uint8_t> map_;
};

}  // namespace

std::unique_ptr<Effect> MakeVignette() { return std::make_unique<Vignette>(); }

}  // namespace maskflow
