#!/usr/bin/env bash
# The native tests (test/native-*.test.ts) against an ASan + UBSan build of the
# addon (CMakeLists.txt option MASKFLOW_SANITIZE), built into build/sanitize/ so
# the release build in build/Release stays as it is. Any sanitizer finding
# aborts the test process (-fno-sanitize-recover=all), so the step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/sanitize
[ -f dist/native/loader.js ] || node scripts/build-ts.mjs
echo "== building the addon with -DMASKFLOW_SANITIZE=ON into $out"
node node_modules/cmake-js/bin/cmake-js build --config Release --log-level warn --directory . \
  --out "$out" --CDMASKFLOW_SANITIZE=ON

addon="$PWD/$out/Release/maskflow.node"
# node itself is not instrumented: the ASan runtime must be loaded before anything else.
libasan="$(${CXX:-g++} -print-file-name=libasan.so)"
[ -f "$libasan" ] || { echo "libasan.so not found (got '$libasan'); install the compiler's libasan"; exit 1; }
export MASKFLOW_NATIVE_PATH="$addon" LD_PRELOAD="$libasan"
# Node's own allocations are never freed at exit; leak reports would be about node, not the addon.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# The tests must really run the sanitized addon (MASKFLOW_NATIVE_PATH is exclusive) with ASan active.
node --input-type=module -e "
  import { readFileSync } from 'node:fs';
  const { loadNative } = await import('./dist/native/loader.js');
  const { path } = loadNative();
  if (path !== process.env.MASKFLOW_NATIVE_PATH) throw new Error('loaded ' + path + ', not the sanitized build');
  if (!readFileSync('/proc/self/maps', 'utf8').includes('libasan')) throw new Error('the ASan runtime is not loaded');
  console.log('sanitized addon loaded: ' + path);
"

tap_bin="node_modules/.bin/tap"
"$tap_bin" --disable-coverage --allow-incomplete-coverage --jobs=1 --reporter=tap test/native-*.test.ts
