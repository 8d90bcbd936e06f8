// Generated from src/effects/catalog.ts by scripts/make-effect-catalog.mjs: do not edit.
// test/native-catalog.test.ts fails when it is out of date. The glue parses and
// range-checks effect parameters from these tables; each effect's kernel lives in
// native/src/kernels/effects/<name>.cc and defines its Make<Name>() factory.
#pragma once
#include <memory>

namespace maskflow {

class Effect;

enum class ParamKind { kNumber, kInteger, kBoolean, kColor, kImage, kChoice };

struct ParamInfo {
  const char* name;
  ParamKind kind;
  double min, max;             // number, integer; choice: 0..count-1 (the index)
  const char* const* choices;  // choice: the allowed strings, in order
  int choiceCount;
};

struct EffectInfo {
  const char* name;
  bool usesMask;  // reads the subject mask: must come before any effect that reframes
  bool reframes;  // moves pixels, so the mask no longer describes the frame after it
  const ParamInfo* params;
  int paramCount;
  std::unique_ptr<Effect> (*make)();
};

constexpr int kMaxEffectParams = 4;

// blur-background: blur everything but the subject
namespace blur_background {
enum Param { kRadius, kFeather };
}
inline constexpr ParamInfo kBlurBackgroundParams[] = {
    {"radius", ParamKind::kNumber, 1.0, 200.0, nullptr, 0},
    {"feather", ParamKind::kInteger, 0.0, 64.0, nullptr, 0},
};
std::unique_ptr<Effect> MakeBlurBackground();

// grayscale-background: colour splash: the background loses its colour, the subject keeps it
namespace grayscale_background {
enum Param { kAmount, kFeather };
}
inline constexpr ParamInfo kGrayscaleBackgroundParams[] = {
    {"amount", ParamKind::kNumber, 0.0, 1.0, nullptr, 0},
    {"feather", ParamKind::kInteger, 0.0, 64.0, nullptr, 0},
};
std::unique_ptr<Effect> MakeGrayscaleBackground();

// dim-background: spotlight: the background is darkened
namespace dim_background {
enum Param { kAmount, kFeather };
}
inline constexpr ParamInfo kDimBackgroundParams[] = {
    {"amount", ParamKind::kNumber, 0.0, 1.0, nullptr, 0},
    {"feather", ParamKind::kInteger, 0.0, 64.0, nullptr, 0},
};
std::unique_ptr<Effect> MakeDimBackground();

// replace-background: replace the background by a solid colour or a still image
namespace replace_background {
enum Param { kColor, kImage, kFit, kFeather };
}
inline constexpr const char* kReplaceBackgroundFitChoices[] = {"cover", "contain", "stretch"};
inline constexpr ParamInfo kReplaceBackgroundParams[] = {
    {"color", ParamKind::kColor, 0.0, 0.0, nullptr, 0},
    {"image", ParamKind::kImage, 0.0, 0.0, nullptr, 0},
    {"fit", ParamKind::kChoice, 0.0, 2.0, kReplaceBackgroundFitChoices, 3},
    {"feather", ParamKind::kInteger, 0.0, 64.0, nullptr, 0},
};
std::unique_ptr<Effect> MakeReplaceBackground();

// pixelate-background: mosaic: the background becomes blocks of flat colour, the subject stays sharp
namespace pixelate_background {
enum Param { kSize, kFeather };
}
inline constexpr ParamInfo kPixelateBackgroundParams[] = {
    {"size", ParamKind::kInteger, 2.0, 256.0, nullptr, 0},
    {"feather", ParamKind::kInteger, 0.0, 64.0, nullptr, 0},
};
std::unique_ptr<Effect> MakePixelateBackground();

// vignette: darken the frame edges
namespace vignette {
enum Param { kStrength, kRadius };
}
inline constexpr ParamInfo kVignetteParams[] = {
    {"strength", ParamKind::kNumber, 0.0, 1.0, nullptr, 0},
    {"radius", ParamKind::kNumber, 0.1, 2.0, nullptr, 0},
};
std::unique_ptr<Effect> MakeVignette();

// zoom: punch-in: crop around the subject and scale back to the frame
namespace zoom {
enum Param { kFactor, kFollow };
}
inline constexpr ParamInfo kZoomParams[] = {
    {"factor", ParamKind::kNumber, 1.0, 4.0, nullptr, 0},
    {"follow", ParamKind::kBoolean, 0.0, 0.0, nullptr, 0},
};
std::unique_ptr<Effect> MakeZoom();

inline constexpr EffectInfo kEffects[] = {
    {"blur-background", true, false, kBlurBackgroundParams, 2, &MakeBlurBackground},
    {"grayscale-background", true, false, kGrayscaleBackgroundParams, 2, &MakeGrayscaleBackground},
    {"dim-background", true, false, kDimBackgroundParams, 2, &MakeDimBackground},
    {"replace-background", true, false, kReplaceBackgroundParams, 4, &MakeReplaceBackground},
    {"pixelate-background", true, false, kPixelateBackgroundParams, 2, &MakePixelateBackground},
    {"vignette", false, false, kVignetteParams, 2, &MakeVignette},
    {"zoom", false, true, kZoomParams, 2, &MakeZoom},
};
constexpr int kEffectCount = 7;

}  // namespace maskflow
