// Effect-chain bindings live here (filled in by the native compositing work).
#include <napi.h>

namespace maskflow {

Napi::Object RegisterEffects(Napi::Env env, Napi::Object exports) { return exports; }

}  // namespace maskflow
