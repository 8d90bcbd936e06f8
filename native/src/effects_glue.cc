// Node-API glue for the compositing core: the EffectChain and FrameResampler
// classes. Glue only: every argument is converted and checked here (a JS
// TypeError/RangeError naming it, never a crash), then the pure kernels run.
#include <napi.h>

#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "kernels/atlas.h"
#include "kernels/chain.h"
#include "kernels/resample.h"

namespace maskflow {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

bool IsDetachedView(napi_env env, const Napi::Value& value) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value arraybuffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, &arraybuffer, &offset) != napi_ok) return false;
  bool detached = false;
  if (napi_is_detached_arraybuffer(env, arraybuffer, &detached) != napi_ok) return false;
  return detached;
}

// A Uint8Array that is not detached.
bool GetLiveBytes(const Napi::Env& env, const Napi::Value& value, const char* name, ByteView* out) {
  if (!GetBytes(env, value, name, out)) return false;
  if (IsDetachedView(env, value)) {
    ThrowType(env, std::string(name) + " is detached (its ArrayBuffer was transferred)");
    return false;
  }
  return true;
}

bool Overlaps(const ByteView& a, const ByteView& b) {
  if (a.length == 0 || b.length == 0) return false;
  return a.data < b.data + b.length && b.data < a.data + a.length;
}

bool GetBool(const Napi::Env& env, const Napi::Value& value, const std::string& name, bool* out) {
  if (!value.IsBoolean()) {
    ThrowType(env, name + " must be a boolean");
    return false;
  }
  *out = value.As<Napi::Boolean>().Value();
  return true;
}

bool ParseEffect(const Napi::Env& env, const Napi::Value& value, size_t index, EffectParams* out) {
  const std::string where = "effects[" + std::to_string(index) + "]";
  if (!value.IsObject() || value.IsArray()) {
    ThrowType(env, where + " must be an effect object");
    return false;
  }
  Napi::Object o = value.As<Napi::Object>();
  Napi::Value type = o.Get("type");
  if (!type.IsString()) {
    ThrowType(env, where + ".type must be a string");
    return false;
  }
  const std::string t = type.As<Napi::String>().Utf8Value();
  auto number = [&](const char* key, double lo, double hi, double* dst) {
    return GetNumber(env, o.Get(key), (where + "." + key).c_str(), lo, hi, dst);
  };
  auto feather = [&]() {
    int64_t f = 0;
    if (!GetInt(env, o.Get("feather"), (where + ".feather").c_str(), 0, 64, &f)) return false;
    out->feather = static_cast<int>(f);
    return true;
  };
  if (t == "blur-background") {
    out->kind = EffectKind::kBlurBackground;
    return number("radius", 1, 200, &out->radius) && feather();
  }
  if (t == "grayscale-background" || t == "dim-background") {
    out->kind = t == "dim-background" ? EffectKind::kDimBackground : EffectKind::kGrayscaleBackground;
    return number("amount", 0, 1, &out->amount) && feather();
  }
  if (t == "replace-background") {
    out->kind = EffectKind::kReplaceBackground;
    if (!feather() || !GetBool(env, o.Get("useImage"), where + ".useImage", &out->useImage)) return false;
    if (out->useImage) return true;
    Napi::Value yuv = o.Get("yuv");
    if (!yuv.IsArray() || yuv.As<Napi::Array>().Length() != 3) {
      ThrowType(env, where + ".yuv must be an array of 3 integers (Y, U, V)");
      return false;
    }
    Napi::Array arr = yuv.As<Napi::Array>();
    for (uint32_t c = 0; c < 3; ++c) {
      int64_t v = 0;
      const std::string name = where + ".yuv[" + std::to_string(c) + "]";
      if (!GetInt(env, arr.Get(c), name.c_str(), 0, 255, &v)) return false;
      out->yuv[c] = static_cast<uint8_t>(v);
    }
    return true;
  }
  if (t == "vignette") {
    out->kind = EffectKind::kVignette;
    return number("strength", 0, 1, &out->strength) && number("radius", 0.1, 2, &out->vignetteRadius);
  }
  if (t == "zoom") {
    out->kind = EffectKind::kZoom;
    return number("factor", 1, 4, &out->factor) && GetBool(env, o.Get("follow"), where + ".follow", &out->follow);
  }
  ThrowRange(env, where + ".type \"" + t + "\" is not a known effect");
  return false;
}

// Reads the atlas view and its header. Shared memory is required: workers read
// the same bytes, and a plain ArrayBuffer could be transferred away under us.
bool GetAtlas(const Napi::Env& env, const Napi::Value& value, bool full, ByteView* bytes, AtlasView* atlas) {
  if (!GetLiveBytes(env, value, "atlas", bytes)) return false;
  if (!bytes->shared) {
    ThrowType(env, "atlas must be a Uint8Array over a SharedArrayBuffer (workers share it without copying)");
    return false;
  }
  const AtlasStatus status = ParseAtlas(bytes->data, bytes->length, full, atlas);
  if (status != AtlasStatus::kOk) {
    ThrowRange(env, std::string("atlas ") + DescribeAtlasStatus(status) + " (" + std::to_string(bytes->length) + " bytes)");
    return false;
  }
  return true;
}

class EffectChainWrap : public Napi::ObjectWrap<EffectChainWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "EffectChain",
                       {InstanceMethod<&EffectChainWrap::Apply>("apply"),
                        InstanceAccessor<&EffectChainWrap::GetFrameBytes>("frameBytes")});
  }

  // new EffectChain(width, height, effects, atlas, backgroundImage?)
  explicit EffectChainWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EffectChainWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4) {
      ThrowType(env, "EffectChain(width, height, effects, atlas, backgroundImage?) needs at least 4 arguments");
      return;
    }
    int64_t width = 0, height = 0;
    if (!GetInt(env, info[0], "width", 1, 16384, &width) || !GetInt(env, info[1], "height", 1, 16384, &height)) return;
    if (!info[2].IsArray()) {
      ThrowType(env, "effects must be an array");
      return;
    }
    Napi::Array list = info[2].As<Napi::Array>();
    if (list.Length() > 64) {
      ThrowRange(env, "effects may hold at most 64 effects, got " + std::to_string(list.Length()));
      return;
    }
    std::vector<EffectParams> effects(list.Length());
    for (uint32_t i = 0; i < list.Length(); ++i) {
      if (!ParseEffect(env, list.Get(i), i, &effects[i])) return;
    }
    ByteView atlasBytes;
    AtlasView atlas;
    if (!GetAtlas(env, info[3], true, &atlasBytes, &atlas)) return;
    ByteView image;
    if (info.Length() > 4 && !info[4].IsUndefined() && !info[4].IsNull()) {
      if (!GetLiveBytes(env, info[4], "backgroundImage", &image)) return;
    }
    const std::string error = core_.Configure(static_cast<int>(width), static_cast<int>(height), effects, atlas,
                                              image.data, image.length);
    if (!error.empty()) {
      ThrowRange(env, error);
      return;
    }
    atlasRef_ = Napi::Persistent(info[3]);  // keep the shared bytes alive as long as the chain
    ready_ = true;
  }

 private:
  Napi::Value GetFrameBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(core_.FrameBytes()));
  }

  // apply(frame: Uint8Array, frameIndex: number): void — in place.
  Napi::Value Apply(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready_) {
      ThrowType(env, "EffectChain was not constructed successfully");
      return env.Undefined();
    }
    if (info.Length() != 2) {
      ThrowType(env, "apply(frame, frameIndex) takes 2 arguments, got " + std::to_string(info.Length()));
      return env.Undefined();
    }
    ByteView frame;
    if (!GetLiveBytes(env, info[0], "frame", &frame)) return env.Undefined();
    if (frame.length != core_.FrameBytes()) {
      ThrowRange(env, "frame must hold " + std::to_string(core_.FrameBytes()) +
                          " bytes (one yuv420p frame of the chain size), got " + std::to_string(frame.length));
      return env.Undefined();
    }
    int64_t frameIndex = 0;
    if (!GetInt(env, info[1], "frameIndex", 0, kMaxSafeInteger, &frameIndex)) return env.Undefined();
    ByteView atlasBytes;
    AtlasView atlas;
    if (!GetAtlas(env, atlasRef_.Value(), false, &atlasBytes, &atlas)) return env.Undefined();
    if (atlas.maskWidth != core_.MaskWidth() || atlas.maskHeight != core_.MaskHeight()) {
      ThrowRange(env, "atlas mask size changed after the chain was built");
      return env.Undefined();
    }
    if (Overlaps(frame, atlasBytes)) {
      ThrowRange(env, "frame must not share memory with the atlas");
      return env.Undefined();
    }
    core_.Apply(frame.data, atlas, static_cast<uint64_t>(frameIndex));
    return env.Undefined();
  }

  EffectChainCore core_;
  Napi::Reference<Napi::Value> atlasRef_;
  bool ready_ = false;
};

class FrameResamplerWrap : public Napi::ObjectWrap<FrameResamplerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FrameResampler",
                       {InstanceMethod<&FrameResamplerWrap::Apply>("apply"),
                        InstanceAccessor<&FrameResamplerWrap::GetSrcBytes>("srcBytes"),
                        InstanceAccessor<&FrameResamplerWrap::GetDstBytes>("dstBytes")});
  }

  // new FrameResampler(srcWidth, srcHeight, dstWidth, dstHeight)
  explicit FrameResamplerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FrameResamplerWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 4) {
      ThrowType(env, "FrameResampler(srcWidth, srcHeight, dstWidth, dstHeight) takes 4 arguments");
      return;
    }
    int64_t sw = 0, sh = 0, dw = 0, dh = 0;
    if (!GetInt(env, info[0], "srcWidth", 1, 16384, &sw) || !GetInt(env, info[1], "srcHeight", 1, 16384, &sh) ||
        !GetInt(env, info[2], "dstWidth", 1, 16384, &dw) || !GetInt(env, info[3], "dstHeight", 1, 16384, &dh)) {
      return;
    }
    core_.Configure(int(sw), int(sh), int(dw), int(dh));
    ready_ = true;
  }

 private:
  Napi::Value GetSrcBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(core_.SrcBytes()));
  }
  Napi::Value GetDstBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(core_.DstBytes()));
  }

  // apply(src, dst, x, y, w, h): crop in source luma pixels, clamped inside the source.
  Napi::Value Apply(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!ready_) {
      ThrowType(env, "FrameResampler was not constructed successfully");
      return env.Undefined();
    }
    if (info.Length() != 6) {
      ThrowType(env, "apply(src, dst, x, y, w, h) takes 6 arguments, got " + std::to_string(info.Length()));
      return env.Undefined();
    }
    ByteView src, dst;
    if (!GetLiveBytes(env, info[0], "src", &src) || !GetLiveBytes(env, info[1], "dst", &dst)) return env.Undefined();
    if (src.length != core_.SrcBytes()) {
      ThrowRange(env, "src must hold " + std::to_string(core_.SrcBytes()) + " bytes, got " + std::to_string(src.length));
      return env.Undefined();
    }
    if (dst.length != core_.DstBytes()) {
      ThrowRange(env, "dst must hold " + std::to_string(core_.DstBytes()) + " bytes, got " + std::to_string(dst.length));
      return env.Undefined();
    }
    if (Overlaps(src, dst)) {
      ThrowRange(env, "src and dst must not share memory");
      return env.Undefined();
    }
    double c[4];
    const char* names[4] = {"crop.x", "crop.y", "crop.w", "crop.h"};
    for (int i = 0; i < 4; ++i) {
      if (!GetNumber(env, info[2 + i], names[i], -1e9, 1e9, &c[i])) return env.Undefined();
    }
    if (!(c[2] > 0) || !(c[3] > 0)) {
      ThrowRange(env, "crop.w and crop.h must be greater than 0");
      return env.Undefined();
    }
    core_.Apply(src.data, dst.data, CropRect{c[0], c[1], c[2], c[3]});
    return env.Undefined();
  }

  FrameResampler core_;
  bool ready_ = false;
};

}  // namespace

Napi::Object RegisterEffects(Napi::Env env, Napi::Object exports) {
  exports.Set("EffectChain", EffectChainWrap::Define(env));
  exports.Set("FrameResampler", FrameResamplerWrap::Define(env));
  return exports;
}

}  // namespace maskflow
