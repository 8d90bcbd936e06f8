// A compiled effect chain: the effects of one segment, each configured once
// (kernels/effects/, created through the catalogue's registry in
// effect_catalog.h), applied in order and in place to yuv420p frames. Pure C++;
// the Node-API glue (effects_glue.cc) parses and range-checks parameters first.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/atlas.h"
#include "kernels/effect.h"
#include "kernels/mask_source.h"

namespace maskflow {

class EffectChainCore {
 public:
  // Returns an empty string on success, else what is wrong (naming the effect).
  std::string Configure(int width, int height, const std::vector<EffectParams>& effects, const AtlasView& atlas);
  // `frame` holds FrameBytes(); `atlas` has the geometry given to Configure.
  void Apply(uint8_t* frame, const AtlasView& atlas, uint64_t frameIndex);
  size_t FrameBytes() const { return g_.FrameBytes(); }
  uint32_t MaskWidth() const { return g_.mw; }
  uint32_t MaskHeight() const { return g_.mh; }

 private:
  FrameGeometry g_;
  std::vector<std::unique_ptr<Effect>> effects_;
  bool needMask_ = false;
  MaskSource mask_;
};

}  // namespace maskflow
