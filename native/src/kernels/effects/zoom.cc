// zoom: crops 1/factor of the frame around the subject (or the frame centre)
// and resamples it back to the full frame.
#include <cstring>
#include <vector>

#include "kernels/effect.h"
#include "kernels/resample.h"

namespace maskflow {
namespace {

class Zoom final : public Effect {
 public:
  std::string Configure(const FrameGeometry& g, const EffectParams& p) override {
    g_ = g;
    factor_ = p.Number(zoom::kFactor);
    follow_ = p.Bool(zoom::kFollow);
    copy_.assign(g.FrameBytes(), 0);
    resampler_.Configure(g.w, g.h, g.w, g.h);
    return std::string();
  }
  void Apply(uint8_t* frame, FrameContext& ctx) override {
    const double cropW = g_.w / factor_, cropH = g_.h / factor_;
    double cx = g_.w / 2.0, cy = g_.h / 2.0;
    if (follow_) {
      const AtlasBox b = InterpolateBox(*ctx.atlas, *ctx.span);
      cx = (b.x + b.w / 2) * g_.w;
      cy = (b.y + b.h / 2) * g_.h;
    }
    std::memcpy(copy_.data(), frame, copy_.size());
    resampler_.Apply(copy_.data(), frame, CropRect{cx - cropW / 2, cy - cropH / 2, cropW, cropH});
  }

 private:
  FrameGeometry g_;
  double factor_ = 1;
  bool follow_ = true;
  std::vector<uint8_t> copy_;
  FrameResampler resampler_;
};

}  // namespace

std::unique_ptr<Effect> MakeZoom() { return std::make_unique<Zoom>(); }

}  // namespace maskflow
