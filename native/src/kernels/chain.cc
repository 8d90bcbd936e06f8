#include "kernels/chain.h"

#include <cmath>

namespace maskflow {

// The catalogue's limits, re-checked generically: a defence for callers other than the glue.
static std::string CheckParams(const EffectParams& p) {
  const EffectInfo& info = p.Info();
  for (int i = 0; i < info.paramCount; ++i) {
    const ParamInfo& param = info.params[i];
    const double v = p.values[i].number;
    const bool ranged = param.kind == ParamKind::kNumber || param.kind == ParamKind::kInteger || param.kind == ParamKind::kChoice;
    if (ranged && !(std::isfinite(v) && v >= param.min && v <= param.max)) {
      return std::string(param.name) + " is out of range";
    }
    if ((param.kind == ParamKind::kInteger || param.kind == ParamKind::kChoice) && std::floor(v) != v) {
      return std::string(param.name) + " must be an integer";
    }
  }
  return std::string();
}

std::string EffectChainCore::Configure(int width, int height, const std::vector<EffectParams>& effects,
                                       const AtlasView& atlas) {
  if (width < 1 || height < 1 || width > 16384 || height > 16384) return "width and height must be in 1..16384";
  g_.w = width;
  g_.h = height;
  g_.cw = (width + 1) / 2;
  g_.ch = (height + 1) / 2;
  g_.mw = atlas.maskWidth;
  g_.mh = atlas.maskHeight;
  effects_.clear();
  needMask_ = false;
  int reframedAt = -1;
  for (size_t i = 0; i < effects.size(); ++i) {
    const EffectParams& p = effects[i];
    if (p.effect < 0 || p.effect >= kEffectCount) return "effects[" + std::to_string(i) + "] is not a known effect";
    const EffectInfo& info = p.Info();
    const std::string where = "effects[" + std::to_string(i) + "] (" + info.name + ")";
    // The order rule (src/effects/catalog.ts maskEffectsAfterZoom), from the catalogue's flags.
    if (info.usesMask && reframedAt >= 0) {
      return where + " comes after " + kEffects[effects[reframedAt].effect].name + " (effects[" +
             std::to_string(reframedAt) + "]): effects that use the subject mask must come before zoom, "
             "because the mask describes the un-zoomed frame";
    }
    if (info.reframes && reframedAt < 0) reframedAt = static_cast<int>(i);
    needMask_ = needMask_ || info.usesMask;
    std::string error = CheckParams(p);
    std::unique_ptr<Effect> effect = info.make();
    if (error.empty()) error = effect->Configure(g_, p);
    if (!error.empty()) return where + ": " + error;
    effects_.push_back(std::move(effect));
  }
  if (needMask_) mask_.Configure(g_);
  return std::string();
}

void EffectChainCore::Apply(uint8_t* frame, const AtlasView& atlas, uint64_t frameIndex) {
  const KeyframeSpan span = FindKeyframes(atlas, frameIndex);
  if (needMask_) mask_.Start(atlas, span, frameIndex);
  FrameContext ctx{needMask_ ? &mask_ : nullptr, &atlas, &span};
  for (const std::unique_ptr<Effect>& e : effects_) e->Apply(frame, ctx);
}

}  // namespace maskflow
