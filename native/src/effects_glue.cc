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
#include "effect_catalog.h"

namespace maskflow {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

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

// One parameter, read by the kind and limits the catalogue (effect_catalog.h) gives it.
bool ParseParam(const Napi::Env& env, const Napi::Object& o, const ParamInfo& param, const std::string& where,
                ParamValue* out) {
  const std::string name = where + "." + param.name;
  const Napi::Value value = o.Get(param.name);
  switch (param.kind) {
    case ParamKind::kNumber:
      return GetNumber(env, value, name.c_str(), param.min, param.max, &out->number);
    case ParamKind::kInteger: {
      int64_t v = 0;
      if (!GetInt(env, value, name.c_str(), static_cast<int64_t>(param.min), static_cast<int64_t>(param.max), &v)) return false;
      out->number = static_cast<double>(v);
      return true;
    }
    case ParamKind::kBoolean: {
      bool b = false;
      if (!GetBool(env, value, name, &b)) return false;
      out->number = b ? 1 : 0;
      return true;
    }
    case ParamKind::kColor: {
      if (!value.IsArray() || value.As<Napi::Array>().Length() != 3) {
        ThrowType(env, name + " must be an array of 3 integers (Y, U, V)");
        return false;
      }
      Napi::Array arr = value.As<Napi::Array>();
      for (uint32_t c = 0; c < 3; ++c) {
        int64_t v = 0;
        const std::string item = name + "[" + std::to_string(c) + "]";
        if (!GetInt(env, arr.Get(c), item.c_str(), 0, 255, &v)) return false;
        out->yuv[c] = static_cast<uint8_t>(v);
      }
      return true;
    }
    case ParamKind::kImage: {
      if (value.IsUndefined()) return true;  // optional: the effect's other parameters apply
      ByteView bytes;
      if (!GetBytes(env, value, name.c_str(), &bytes)) return false;
      out->given = true;
      out->image = bytes.data;
      out->imageBytes = bytes.length;
      return true;
    }
    case ParamKind::kChoice: {
      if (!value.IsString()) {
        ThrowType(env, name + " must be a string");
        return false;
      }
      const std::string s = value.As<Napi::String>().Utf8Value();
      std::string allowed;
      for (int i = 0; i < param.choiceCount; ++i) {
        if (s == param.choices[i]) {
          out->number = i;
          return true;
        }
        allowed += std::string(i ? ", " : "") + param.choices[i];
      }
      ThrowRange(env, name + " must be one of " + allowed + ", got \"" + s + "\"");
      return false;
    }
  }
  return false;
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
  for (int e = 0; e < kEffectCount; ++e) {
    if (t != kEffects[e].name) continue;
    out->effect = e;
    for (int i = 0; i < kEffects[e].paramCount; ++i) {
      if (!ParseParam(env, o, kEffects[e].params[i], where, &out->values[i])) return false;
    }
    return true;
  }
  ThrowRange(env, where + ".type \"" + t + "\" is not a known effect");
  return false;
}

// Reads the atlas view and its header. Shared memory is required: workers read
// the same bytes, and a plain ArrayBuffer could be transferred away under us.
bool GetAtlas(const Napi::Env& env, const Napi::Value& value, bool full, ByteView* bytes, AtlasView* atlas) {
  if (!GetBytes(env, value, "atlas", bytes)) return false;
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

  // new EffectChain(width, height, effects, atlas); image parameters are yuv420p frames of the chain size.
  explicit EffectChainWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EffectChainWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4) {
      ThrowType(env, "EffectChain(width, height, effects, atlas) needs 4 arguments");
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
    const std::string error = core_.Configure(static_cast<int>(width), static_cast<int>(height), effects, atlas);
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
    if (!GetBytes(env, info[0], "frame", &frame)) return env.Undefined();
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
    if (!GetBytes(env, info[0], "src", &src) || !GetBytes(env, info[1], "dst", &dst)) return env.Undefined();
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
