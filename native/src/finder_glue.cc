// Node-API glue for the model-free finder's kernel (kernels/finder.h): the
// FinderKernel class. Glue only: every typed array is checked for its element
// type, length and liveness (a JS TypeError/RangeError naming it), then the
// pure kernel runs on the caller's buffers. Nothing is allocated per call.
#include <napi.h>

#include <string>

#include "args.h"
#include "kernels/finder.h"

namespace maskflow {

namespace {

const char* TypeName(napi_typedarray_type type) {
  switch (type) {
    case napi_uint8_array: return "Uint8Array";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    default: return "typed array";
  }
}

// A live typed array of `type` holding exactly `length` elements.
template <typename T>
bool GetArray(const Napi::Env& env, const Napi::Value& value, const std::string& name, napi_typedarray_type type,
              size_t length, T** out) {
  TypedArrayView view;
  if (!GetTypedArray(env, value, name, TypeName(type), &view)) return false;
  if (view.type != type) {
    ThrowType(env, name + " must be a " + TypeName(type) + ", got a " + TypeName(view.type));
    return false;
  }
  if (!NotDetached(env, view, name)) return false;
  if (view.count != length) {
    ThrowRange(env, name + " must hold " + std::to_string(length) + " elements, got " + std::to_string(view.count));
    return false;
  }
  *out = static_cast<T*>(view.data);
  return true;
}

// Whether [a, a + an) and [b, b + bn) bytes overlap: an output must not alias an input.
bool Overlap(const void* a, size_t an, const void* b, size_t bn) {
  const auto* x = static_cast<const uint8_t*>(a);
  const auto* y = static_cast<const uint8_t*>(b);
  return x < y + bn && y < x + an;
}

bool Aliased(const Napi::Env& env, bool overlap, const std::string& what) {
  if (overlap) ThrowRange(env, what + " must not share memory");
  return overlap;
}

bool CountIs(const Napi::Env& env, const Napi::CallbackInfo& info, size_t n, const char* usage) {
  if (info.Length() == n) return true;
  ThrowType(env, std::string(usage) + " takes " + std::to_string(n) + " arguments, got " + std::to_string(info.Length()));
  return false;
}

class FinderKernelWrap : public Napi::ObjectWrap<FinderKernelWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FinderKernel",
                       {InstanceMethod<&FinderKernelWrap::Lab>("lab"),
                        InstanceMethod<&FinderKernelWrap::Bins>("bins"),
                        InstanceMethod<&FinderKernelWrap::Saliency>("saliency"),
                        InstanceMethod<&FinderKernelWrap::Regions>("regions"),
                        InstanceAccessor<&FinderKernelWrap::GetMaxRegions>("maxRegions")});
  }

  // new FinderKernel(width, height): the finder's working size; scratch is sized here once.
  explicit FinderKernelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FinderKernelWrap>(info) {
    Napi::Env env = info.Env();
    if (!CountIs(env, info, 2, "FinderKernel(width, height)")) return;
    int64_t w = 0, h = 0;
    // The finder works at a long side of a few hundred pixels; 4096 bounds the scratch memory.
    if (!GetInt(env, info[0], "width", 1, 4096, &w) || !GetInt(env, info[1], "height", 1, 4096, &h)) return;
    core_.Configure(static_cast<int>(w), static_cast<int>(h));
    ready_ = true;
  }

 private:
  bool Ready(const Napi::Env& env) {
    if (!ready_) ThrowType(env, "FinderKernel was not constructed successfully");
    return ready_;
  }
  size_t N() const { return static_cast<size_t>(core_.Pixels()); }

  Napi::Value GetMaxRegions(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), core_.MaxRegions());
  }

  // lab(rgb: Uint8Array, out: Int16Array): packed Lab, 3 values per pixel.
  Napi::Value Lab(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env) || !CountIs(env, info, 2, "lab(rgb, out)")) return env.Undefined();
    uint8_t* rgb = nullptr;
    int16_t* out = nullptr;
    if (!GetArray(env, info[0], "rgb", napi_uint8_array, 3 * N(), &rgb) ||
        !GetArray(env, info[1], "out", napi_int16_array, 3 * N(), &out)) {
      return env.Undefined();
    }
    if (Aliased(env, Overlap(rgb, 3 * N(), out, 6 * N()), "rgb and out")) return env.Undefined();
    core_.Lab(rgb, out);
    return env.Undefined();
  }

  // bins(lab: Int16Array, out: Uint16Array): one colour-histogram bin per pixel.
  Napi::Value Bins(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env) || !CountIs(env, info, 2, "bins(lab, out)")) return env.Undefined();
    int16_t* lab = nullptr;
    uint16_t* out = nullptr;
    if (!GetArray(env, info[0], "lab", napi_int16_array, 3 * N(), &lab) ||
        !GetArray(env, info[1], "out", napi_uint16_array, N(), &out)) {
      return env.Undefined();
    }
    if (Aliased(env, Overlap(lab, 6 * N(), out, 2 * N()), "lab and out")) return env.Undefined();
    core_.Bins(lab, out);
    return env.Undefined();
  }

  // saliency(lab: Int16Array, others: Int16Array[] (0..6), out: Float32Array).
  Napi::Value Saliency(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env) || !CountIs(env, info, 3, "saliency(lab, others, out)")) return env.Undefined();
    int16_t* lab = nullptr;
    float* out = nullptr;
    if (!GetArray(env, info[0], "lab", napi_int16_array, 3 * N(), &lab)) return env.Undefined();
    if (!info[1].IsArray()) {
      ThrowType(env, "others must be an array of Int16Array");
      return env.Undefined();
    }
    Napi::Array list = info[1].As<Napi::Array>();
    if (list.Length() > static_cast<uint32_t>(kMaxOthers)) {
      ThrowRange(env, "others may hold at most " + std::to_string(kMaxOthers) + " keyframes, got " + std::to_string(list.Length()));
      return env.Undefined();
    }
    const int16_t* others[kMaxOthers] = {};
    for (uint32_t j = 0; j < list.Length(); ++j) {
      int16_t* o = nullptr;
      if (!GetArray(env, list.Get(j), "others[" + std::to_string(j) + "]", napi_int16_array, 3 * N(), &o)) return env.Undefined();
      others[j] = o;
    }
    if (!GetArray(env, info[2], "out", napi_float32_array, N(), &out)) return env.Undefined();
    for (uint32_t j = 0; j < list.Length(); ++j) {
      if (Aliased(env, Overlap(others[j], 6 * N(), out, 4 * N()), "others[" + std::to_string(j) + "] and out")) return env.Undefined();
    }
    if (Aliased(env, Overlap(lab, 6 * N(), out, 4 * N()), "lab and out")) return env.Undefined();
    core_.Saliency(lab, others, static_cast<int>(list.Length()), out);
    return env.Undefined();
  }

  // regions(sal: Float32Array, threshold: number, lab: Int16Array | null, members: Int32Array,
  //         stats: Float64Array): number of regions (layout in kernels/finder.h).
  Napi::Value Regions(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Ready(env) || !CountIs(env, info, 5, "regions(sal, threshold, lab, members, stats)")) return env.Undefined();
    float* sal = nullptr;
    double threshold = 0;
    int16_t* lab = nullptr;
    int32_t* members = nullptr;
    double* stats = nullptr;
    if (!GetArray(env, info[0], "sal", napi_float32_array, N(), &sal) ||
        !GetNumber(env, info[1], "threshold", -1e9, 1e9, &threshold)) {
      return env.Undefined();
    }
    if (!info[2].IsNull() && !GetArray(env, info[2], "lab", napi_int16_array, 3 * N(), &lab)) return env.Undefined();
    const size_t statsLength = kRegionHead + static_cast<size_t>(core_.MaxRegions()) * kRegionStride;
    if (!GetArray(env, info[3], "members", napi_int32_array, N(), &members) ||
        !GetArray(env, info[4], "stats", napi_float64_array, statsLength, &stats)) {
      return env.Undefined();
    }
    if (Aliased(env, Overlap(members, 4 * N(), stats, 8 * statsLength), "members and stats") ||
        Aliased(env, Overlap(sal, 4 * N(), members, 4 * N()) || Overlap(sal, 4 * N(), stats, 8 * statsLength), "sal and the outputs") ||
        (lab && Aliased(env, Overlap(lab, 6 * N(), members, 4 * N()) || Overlap(lab, 6 * N(), stats, 8 * statsLength), "lab and the outputs"))) {
      return env.Undefined();
    }
    return Napi::Number::New(env, core_.Regions(sal, threshold, lab, members, stats));
  }

  FinderKernel core_;
  bool ready_ = false;
};

}  // namespace

Napi::Object RegisterFinder(Napi::Env env, Napi::Object exports) {
  exports.Set("FinderKernel", FinderKernelWrap::Define(env));
  return exports;
}

}  // namespace maskflow
