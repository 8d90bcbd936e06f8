#include "kernels/chain.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/blur.h"
#include "kernels/rows.h"
#include "kernels/vignette.h"

namespace maskflow {

bool UsesMask(EffectKind kind) {
  return kind == EffectKind::kBlurBackground || kind == EffectKind::kGrayscaleBackground ||
         kind == EffectKind::kDimBackground || kind == EffectKind::kReplaceBackground;
}

const char* EffectKindName(EffectKind kind) {
  switch (kind) {
    case EffectKind::kBlurBackground: return "blur-background";
    case EffectKind::kGrayscaleBackground: return "grayscale-background";
    case EffectKind::kDimBackground: return "dim-background";
    case EffectKind::kReplaceBackground: return "replace-background";
    case EffectKind::kVignette: return "vignette";
    case EffectKind::kZoom: return "zoom";
  }
  return "unknown";
}

BlurPlan PlanBlur(double radius) {
  // Bigger radius, coarser grid: the box radius at reduced resolution stays small,
  // so the cost is one read of the frame plus one blend whatever the radius.
  const int scale = radius < 6 ? 2 : radius < 16 ? 4 : radius < 40 ? 8 : 16;
  const int shift = scale == 2 ? 2 : scale == 4 ? 4 : scale == 8 ? 6 : 8;
  const int rl = std::max(1, static_cast<int>(std::floor(radius / scale + 0.5)));
  const int rc = std::max(1, static_cast<int>(std::floor(radius / (2 * scale) + 0.5)));
  return BlurPlan{scale, shift, rl, rc};
}

int FeatherRadius(int feather, int maskWidth, int width) {
  const int64_t r = (2 * int64_t(feather) * maskWidth + width) / (2 * int64_t(width));
  return static_cast<int>(std::min<int64_t>(r, 64));
}

static bool InRange(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

std::string EffectChainCore::Configure(int width, int height, const std::vector<EffectParams>& effects,
                                       const AtlasView& atlas, const uint8_t* image, size_t imageBytes) {
  if (width < 1 || height < 1 || width > 16384 || height > 16384) return "width and height must be in 1..16384";
  w_ = width;
  h_ = height;
  cw_ = (width + 1) / 2;
  ch_ = (height + 1) / 2;
  mw_ = atlas.maskWidth;
  mh_ = atlas.maskHeight;
  effects_ = effects;
  stateOf_.assign(effects.size(), -1);
  bool zoomSeen = false, needImage = false, needMask = false;
  for (size_t i = 0; i < effects.size(); ++i) {
    const EffectParams& e = effects[i];
    const std::string where = "effects[" + std::to_string(i) + "] (" + EffectKindName(e.kind) + ")";
    if (UsesMask(e.kind)) {
      if (zoomSeen) {
        return where + " comes after zoom: effects that use the subject mask must come before zoom, "
                       "because the mask describes the un-zoomed frame";
      }
      if (e.feather < 0 || e.feather > 64) return where + ": feather must be an integer in 0..64";
      needMask = true;
    }
    switch (e.kind) {
      case EffectKind::kBlurBackground: {
        if (!InRange(e.radius, 1, 200)) return where + ": radius must be in 1..200";
        BlurState s;
        s.plan = PlanBlur(e.radius);
        const int sc = s.plan.scale;
        s.lwY = (w_ + sc - 1) / sc;
        s.lhY = (h_ + sc - 1) / sc;
        s.lwC = (cw_ + sc - 1) / sc;
        s.lhC = (ch_ + sc - 1) / sc;
        // + kGatherSlack: the upsamplers' SIMD loads may run past a row's end.
        s.lowY.assign(size_t(s.lwY) * s.lhY + kGatherSlack, 0);
        s.lowU.assign(size_t(s.lwC) * s.lhC + kGatherSlack, 0);
        s.lowV.assign(size_t(s.lwC) * s.lhC + kGatherSlack, 0);
        s.tmp.assign(size_t(s.lwY) * s.lhY, 0);
        s.upY.Configure(s.lwY, s.lhY, w_, h_, 1, sc, 1, sc, kGatherSlack);
        s.upU.Configure(s.lwC, s.lhC, cw_, ch_, 1, sc, 1, sc, kGatherSlack);
        s.upV.Configure(s.lwC, s.lhC, cw_, ch_, 1, sc, 1, sc, kGatherSlack);
        stateOf_[i] = static_cast<int>(blur_.size());
        blur_.push_back(std::move(s));
        break;
      }
      case EffectKind::kGrayscaleBackground:
      case EffectKind::kDimBackground:
        if (!InRange(e.amount, 0, 1)) return where + ": amount must be in 0..1";
        break;
      case EffectKind::kReplaceBackground:
        if (e.useImage) needImage = true;
        break;
      case EffectKind::kVignette: {
        if (!InRange(e.strength, 0, 1)) return where + ": strength must be in 0..1";
        if (!InRange(e.vignetteRadius, 0.1, 2)) return where + ": radius must be in 0.1..2";
        std::vector<uint8_t> map(size_t(w_) * ((h_ + 1) / 2));
        VignetteMap(w_, h_, e.strength, e.vignetteRadius, map.data());
        stateOf_[i] = static_cast<int>(vignette_.size());
        vignette_.push_back(std::move(map));
        break;
      }
      case EffectKind::kZoom:
        if (!InRange(e.factor, 1, 4)) return where + ": factor must be in 1..4";
        zoomSeen = true;
        break;
    }
  }
  if (needImage) {
    if (image == nullptr) return "backgroundImage is required by replace-background with an image";
    if (imageBytes != FrameBytes()) {
      return "backgroundImage must hold one yuv420p frame of the chain size (" + std::to_string(FrameBytes()) +
             " bytes), got " + std::to_string(imageBytes);
    }
    image_.assign(image, image + imageBytes);  // own a copy: the caller's buffer may be reused or detached
  }
  if (zoomSeen) {
    zoomCopy_.assign(FrameBytes(), 0);
    zoom_.Configure(w_, h_, w_, h_);
  }
  if (needMask) {
    const size_t n = size_t(mw_) * mh_;
    blended_.assign(n + kGatherSlack, 0);
    feathered_.assign(n + kGatherSlack, 0);
    featherTmp_.assign(n, 0);
    warp_.Configure(mw_, mh_);
    // Chroma sample i is centred on luma 2i + 1, i.e. mask coordinate (i + 0.5) * 2mw / w.
    maskY_.Configure(int(mw_), int(mh_), w_, h_, mw_, w_, mh_, h_, kGatherSlack);
    maskC_.Configure(int(mw_), int(mh_), cw_, ch_, 2 * int64_t(mw_), w_, 2 * int64_t(mh_), h_, kGatherSlack);
  }
  // Column sums serve the feather (mask width) and every blur's reduced planes.
  size_t colSums = needMask ? mw_ : 0;
  for (const BlurState& s : blur_) colSums = std::max(colSums, size_t(s.lwY));
  colSums_.assign(colSums, 0);
  size_t rowSums = 0;
  for (const BlurState& s : blur_) rowSums = std::max(rowSums, 2 * size_t(s.lwY) * s.plan.scale);
  rowSums_.assign(rowSums, 0);
  return std::string();
}

const uint8_t* EffectChainCore::MaskFor(const AtlasView& atlas, int feather) {
  if (!blendedValid_) {
    WarpBlendKeyframeMasks(atlas, span_, &warp_, blended_.data());
    blendedValid_ = true;
    featheredRadius_ = -1;
  }
  const int r = FeatherRadius(feather, int(mw_), w_);
  if (r == 0) return blended_.data();
  if (featheredRadius_ != r) {
    BoxBlurH(blended_.data(), featherTmp_.data(), int(mw_), int(mh_), r);
    BoxBlurV(featherTmp_.data(), feathered_.data(), int(mw_), int(mh_), r, colSums_.data());
    featheredRadius_ = r;
  }
  return feathered_.data();
}

static void BlurPlane(uint8_t* plane, int w, int h, const BlurPlan& p, int radius, uint8_t* low, int lw, int lh,
                      uint8_t* tmp, uint16_t* rowSums, uint32_t* colSums) {
  DownsampleBox(plane, w, h, p.scale, p.shift, low, lw, lh, rowSums);
  for (int pass = 0; pass < 2; ++pass) {
    BoxBlurH(low, tmp, lw, lh, radius);
    BoxBlurV(tmp, low, lw, lh, radius, colSums);
  }
}

void EffectChainCore::ApplyBlur(uint8_t* frame, BlurState& s, const uint8_t* mask) {
  uint8_t* Y = frame;
  uint8_t* U = frame + size_t(w_) * h_;
  uint8_t* V = U + size_t(cw_) * ch_;
  BlurPlane(Y, w_, h_, s.plan, s.plan.radiusLuma, s.lowY.data(), s.lwY, s.lhY, s.tmp.data(), rowSums_.data(), colSums_.data());
  BlurPlane(U, cw_, ch_, s.plan, s.plan.radiusChroma, s.lowU.data(), s.lwC, s.lhC, s.tmp.data(), rowSums_.data(), colSums_.data());
  BlurPlane(V, cw_, ch_, s.plan, s.plan.radiusChroma, s.lowV.data(), s.lwC, s.lhC, s.tmp.data(), rowSums_.data(), colSums_.data());
  const uint8_t *ma, *mb, *ba, *bb;
  uint16_t mf, bf;
  maskY_.Bind(mask);
  s.upY.Bind(s.lowY.data());
  for (int y = 0; y < h_; ++y) {
    maskY_.Rows(y, &ma, &mb, &mf);
    s.upY.Rows(y, &ba, &bb, &bf);
    MixRowLerp(Y + size_t(y) * w_, ma, mb, mf, ba, bb, bf, w_);
  }
  maskC_.Bind(mask);
  s.upU.Bind(s.lowU.data());
  s.upV.Bind(s.lowV.data());
  for (int y = 0; y < ch_; ++y) {
    maskC_.Rows(y, &ma, &mb, &mf);
    s.upU.Rows(y, &ba, &bb, &bf);
    MixRowLerp(U + size_t(y) * cw_, ma, mb, mf, ba, bb, bf, cw_);
    s.upV.Rows(y, &ba, &bb, &bf);
    MixRowLerp(V + size_t(y) * cw_, ma, mb, mf, ba, bb, bf, cw_);
  }
}

void EffectChainCore::ApplyPull(uint8_t* frame, const EffectParams& e, const uint8_t* mask, bool luma) {
  const uint16_t a = static_cast<uint16_t>(std::floor(e.amount * 256 + 0.5));
  uint8_t* U = frame + size_t(w_) * h_;
  uint8_t* V = U + size_t(cw_) * ch_;
  const uint8_t *ma, *mb;
  uint16_t mf;
  if (luma) {
    maskY_.Bind(mask);
    for (int y = 0; y < h_; ++y) {
      maskY_.Rows(y, &ma, &mb, &mf);
      PullRow(frame + size_t(y) * w_, ma, mb, mf, a, 16, w_);
    }
  }
  maskC_.Bind(mask);
  for (int y = 0; y < ch_; ++y) {
    maskC_.Rows(y, &ma, &mb, &mf);
    PullRow(U + size_t(y) * cw_, ma, mb, mf, a, 128, cw_);
    PullRow(V + size_t(y) * cw_, ma, mb, mf, a, 128, cw_);
  }
}

void EffectChainCore::ApplyReplace(uint8_t* frame, const EffectParams& e, const uint8_t* mask) {
  uint8_t* U = frame + size_t(w_) * h_;
  uint8_t* V = U + size_t(cw_) * ch_;
  const size_t uOff = size_t(w_) * h_, vOff = uOff + size_t(cw_) * ch_;
  const uint8_t *ma, *mb;
  uint16_t mf;
  maskY_.Bind(mask);
  for (int y = 0; y < h_; ++y) {
    uint8_t* row = frame + size_t(y) * w_;
    maskY_.Rows(y, &ma, &mb, &mf);
    if (e.useImage) {
      const uint8_t* bg = image_.data() + size_t(y) * w_;
      MixRowLerp(row, ma, mb, mf, bg, bg, 0, w_);
    } else {
      MixRowConst(row, ma, mb, mf, e.yuv[0], w_);
    }
  }
  maskC_.Bind(mask);
  for (int y = 0; y < ch_; ++y) {
    maskC_.Rows(y, &ma, &mb, &mf);
    const size_t off = size_t(y) * cw_;
    if (e.useImage) {
      MixRowLerp(U + off, ma, mb, mf, image_.data() + uOff + off, image_.data() + uOff + off, 0, cw_);
      MixRowLerp(V + off, ma, mb, mf, image_.data() + vOff + off, image_.data() + vOff + off, 0, cw_);
    } else {
      MixRowConst(U + off, ma, mb, mf, e.yuv[1], cw_);
      MixRowConst(V + off, ma, mb, mf, e.yuv[2], cw_);
    }
  }
}

void EffectChainCore::ApplyVignette(uint8_t* frame, const std::vector<uint8_t>& map) {
  for (int y = 0; y < h_; ++y) {
    const int my = std::min(y, h_ - 1 - y);
    PullRowByMap(frame + size_t(y) * w_, map.data() + size_t(my) * w_, 16, w_);
  }
}

void EffectChainCore::ApplyZoom(uint8_t* frame, const EffectParams& e, const AtlasView& atlas) {
  const double cropW = w_ / e.factor, cropH = h_ / e.factor;
  double cx = w_ / 2.0, cy = h_ / 2.0;
  if (e.follow) {
    const AtlasBox b = InterpolateBox(atlas, span_);
    cx = (b.x + b.w / 2) * w_;
    cy = (b.y + b.h / 2) * h_;
  }
  std::memcpy(zoomCopy_.data(), frame, zoomCopy_.size());
  zoom_.Apply(zoomCopy_.data(), frame, CropRect{cx - cropW / 2, cy - cropH / 2, cropW, cropH});
}

void EffectChainCore::Apply(uint8_t* frame, const AtlasView& atlas, uint64_t frameIndex) {
  span_ = FindKeyframes(atlas, frameIndex);
  blendedValid_ = false;
  for (size_t i = 0; i < effects_.size(); ++i) {
    const EffectParams& e = effects_[i];
    switch (e.kind) {
      case EffectKind::kBlurBackground:
        ApplyBlur(frame, blur_[stateOf_[i]], MaskFor(atlas, e.feather));
        break;
      case EffectKind::kGrayscaleBackground:
        ApplyPull(frame, e, MaskFor(atlas, e.feather), false);
        break;
      case EffectKind::kDimBackground:
        ApplyPull(frame, e, MaskFor(atlas, e.feather), true);
        break;
      case EffectKind::kReplaceBackground:
        ApplyReplace(frame, e, MaskFor(atlas, e.feather));
        break;
      case EffectKind::kVignette:
        ApplyVignette(frame, vignette_[stateOf_[i]]);
        break;
      case EffectKind::kZoom:
        ApplyZoom(frame, e, atlas);
        break;
    }
  }
}

}  // namespace maskflow
