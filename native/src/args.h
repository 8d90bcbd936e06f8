// Argument checks for the Node-API glue. Each returns false after throwing a
// JS TypeError/RangeError that names the argument, so callers just `return`.
#pragma once
#include <napi.h>
#include <cstddef>
#include <cstdint>
#include <string>

namespace maskflow {

struct ByteView {
  uint8_t* data = nullptr;
  size_t length = 0;
  bool shared = false;
};

struct TypedArrayView {
  napi_typedarray_type type = napi_uint8_array;
  void* data = nullptr;
  size_t count = 0;  // elements
  napi_value arraybuffer = nullptr;
};

// Any typed array (`wanted` names the expected kind in the error when `value` is not one). The
// caller checks the element type, then calls NotDetached.
bool GetTypedArray(const Napi::Env& env, const Napi::Value& value, const std::string& name, const char* wanted,
                   TypedArrayView* out);

// False (after throwing) when the view's ArrayBuffer was transferred: it then reads as empty.
bool NotDetached(const Napi::Env& env, const TypedArrayView& view, const std::string& name);

// Accepts a Uint8Array (or Uint8ClampedArray) that is not detached; reports whether its buffer is a
// SharedArrayBuffer.
bool GetBytes(const Napi::Env& env, const Napi::Value& value, const char* name, ByteView* out);

// A finite number within [lo, hi].
bool GetNumber(const Napi::Env& env, const Napi::Value& value, const char* name, double lo,
               double hi, double* out);

// An integer within [lo, hi].
bool GetInt(const Napi::Env& env, const Napi::Value& value, const char* name, int64_t lo,
            int64_t hi, int64_t* out);

void ThrowType(const Napi::Env& env, const std::string& message);
void ThrowRange(const Napi::Env& env, const std::string& message);

}  // namespace maskflow
