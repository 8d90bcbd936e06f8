// The per-effect interface of the compositing core. Each effect (one file in
// kernels/effects/, one factory declared in effect_catalog.h) owns its state:
// Configure allocates every buffer once per chain, Apply runs per frame in place.
// Pure C++: parameters arrive parsed and range-checked from the catalogue tables.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "effect_catalog.h"
#include "kernels/atlas.h"
#include "kernels/resample.h"

namespace maskflow {

// One parameter's value, by the kind the catalogue gives it.
struct ParamValue {
  double number = 0;                // number, integer, boolean (0/1), choice (the index)
  uint8_t yuv[3] = {16, 128, 128};  // color, as BT.601 limited-range Y, U, V
  bool given = false;               // image: whether one was passed (an optional parameter)
  const uint8_t* image = nullptr;   // image: its bytes, to be one yuv420p frame of the chain size
  size_t imageBytes = 0;
};

struct EffectParams {
  int effect = 0;  // index into kEffects
  ParamValue values[kMaxEffectParams];
  const EffectInfo& Info() const { return kEffects[effect]; }
  double Number(int param) const { return values[param].number; }
  int Int(int param) const { return static_cast<int>(values[param].number); }
  bool Bool(int param) const { return values[param].number != 0; }
  const uint8_t* Yuv(int param) const { return values[param].yuv; }
  const ParamValue& Value(int param) const { return values[param]; }
};

struct FrameGeometry {
  int w = 0, h = 0, cw = 0, ch = 0;  // luma and chroma plane sizes
  uint32_t mw = 0, mh = 0;           // mask (analysis) resolution
  size_t FrameBytes() const { return Yuv420Bytes(w, h); }
  size_t LumaBytes() const { return size_t(w) * h; }
  size_t ChromaBytes() const { return size_t(cw) * ch; }
};

class MaskSource;

// What an effect reads per frame besides the frame itself.
struct FrameContext {
  MaskSource* mask;          // null when no effect of the chain uses the mask
  const AtlasView* atlas;
  const KeyframeSpan* span;  // the frame's keyframes
};

class Effect {
 public:
  virtual ~Effect() = default;
  // Allocates the effect's state for frames of `g`. Returns what is wrong, or "".
  virtual std::string Configure(const FrameGeometry& g, const EffectParams& p) = 0;
  // Applies the effect in place to one yuv420p frame of the configured size.
  virtual void Apply(uint8_t* frame, FrameContext& ctx) = 0;
};

}  // namespace maskflow
