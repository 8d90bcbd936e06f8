// Node-API entry point. Glue only: convert and validate arguments, then call
// the pure kernels in kernels/. Context-aware (NAPI_MODULE_INIT via
// NODE_API_MODULE) so every worker thread can load it.
#include <napi.h>

#include "args.h"

namespace maskflow {

// addressOf(view: Uint8Array): bigint — the data pointer, so tests can prove two views share memory.
static Napi::Value AddressOfJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ByteView view;
  if (info.Length() < 1 || !GetBytes(env, info[0], "view", &view)) return env.Undefined();
  return Napi::BigInt::New(env, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(view.data)));
}

Napi::Object RegisterEffects(Napi::Env env, Napi::Object exports);
Napi::Object RegisterFinder(Napi::Env env, Napi::Object exports);

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("addressOf", Napi::Function::New(env, AddressOfJs, "addressOf"));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("abiTag", Napi::String::New(env, "maskflow-native-1"));
  RegisterEffects(env, exports);
  return RegisterFinder(env, exports);
}

}  // namespace maskflow

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return maskflow::Init(env, exports); }

NODE_API_MODULE(maskflow, InitAddon)
