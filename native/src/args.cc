#include "args.h"

#include <cmath>
#include <string>

namespace maskflow {

void ThrowType(const Napi::Env& env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
}

void ThrowRange(const Napi::Env& env, const std::string& message) {
  Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
}

static bool IsSharedBuffer(napi_env env, napi_value arraybuffer) {
  // Node-API has no direct SharedArrayBuffer check before v10; ask JS.
  napi_value global, ctor;
  if (napi_get_global(env, &global) != napi_ok) return false;
  if (napi_get_named_property(env, global, "SharedArrayBuffer", &ctor) != napi_ok) return false;
  bool result = false;
  if (napi_instanceof(env, arraybuffer, ctor, &result) != napi_ok) return false;
  return result;
}

bool GetTypedArray(const Napi::Env& env, const Napi::Value& value, const std::string& name, const char* wanted,
                   TypedArrayView* out) {
  if (!value.IsTypedArray()) {
    ThrowType(env, name + " must be a " + wanted);
    return false;
  }
  size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &out->type, &out->count, &out->data, &out->arraybuffer, &offset) != napi_ok) {
    ThrowType(env, name + " could not be read as a typed array");
    return false;
  }
  return true;
}

bool NotDetached(const Napi::Env& env, const TypedArrayView& view, const std::string& name) {
  // A detached view reads as length 0 with no data; say what happened instead of a length error.
  bool detached = false;
  if (napi_is_detached_arraybuffer(env, view.arraybuffer, &detached) == napi_ok && detached) {
    ThrowType(env, name + " is detached (its ArrayBuffer was transferred)");
    return false;
  }
  return true;
}

bool GetBytes(const Napi::Env& env, const Napi::Value& value, const char* name, ByteView* out) {
  TypedArrayView view;
  if (!GetTypedArray(env, value, name, "Uint8Array", &view)) return false;
  if (view.type != napi_uint8_array && view.type != napi_uint8_clamped_array) {
    ThrowType(env, std::string(name) + " must be a Uint8Array");
    return false;
  }
  if (!NotDetached(env, view, name)) return false;
  out->data = static_cast<uint8_t*>(view.data);
  out->length = view.count;
  out->shared = IsSharedBuffer(env, view.arraybuffer);
  return true;
}

bool GetNumber(const Napi::Env& env, const Napi::Value& value, const char* name, double lo,
               double hi, double* out) {
  if (!value.IsNumber()) {
    ThrowType(env, std::string(name) + " must be a number");
    return false;
  }
  const double v = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || v < lo || v > hi) {
    ThrowRange(env, std::string(name) + " must be a finite number in [" + std::to_string(lo) + ", " +
                        std::to_string(hi) + "], got " + std::to_string(v));
    return false;
  }
  *out = v;
  return true;
}

bool GetInt(const Napi::Env& env, const Napi::Value& value, const char* name, int64_t lo,
            int64_t hi, int64_t* out) {
  double v = 0;
  if (!GetNumber(env, value, name, static_cast<double>(lo), static_cast<double>(hi), &v)) return false;
  if (std::floor(v) != v) {
    ThrowRange(env, std::string(name) + " must be an integer, got " + std::to_string(v));
    return false;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

}  // namespace maskflow
