// Finds and loads the native addon, napi-rs style.
//   MASKFLOW_NATIVE_PATH set: that .node file and nothing else; if it does not
//   load, the error names it (a fallback would hide which addon runs, e.g. a
//   sanitizer build silently replaced by the release one).
//   Otherwise, in order:
//   1. prebuilds/<triple>/maskflow.node inside this package
//   2. the optional platform package @maskflow/native-<triple>
//   3. the local cmake-js build, build/Release/maskflow.node
// On failure one error lists every place tried and why it failed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { platformTriple, type PlatformInfo } from './platform.js';
import type { RawBinding } from './binding-types.js';

export type BindingSource = 'env' | 'prebuild' | 'platform-package' | 'local-build';

export interface LoadedBinding {
  binding: RawBinding;
  path: string;
  source: BindingSource;
  triple: string;
}

export interface LoadAttempt {
  source: BindingSource;
  location: string;
  reason: string;
}

export interface LoaderOptions {
  /** Package root holding prebuilds/ and build/ (default: this package). */
  packageRoot?: string;
  /** Environment to read MASKFLOW_NATIVE_PATH from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Platform to compute the triple for (default: this process). */
  platform?: PlatformInfo;
}

/** The tag the addon exports; a .node file without it is not ours (or is stale). */
export const ABI_TAG = 'maskflow-native-1';

export const BUILD_FROM_SOURCE_HINT =
  'To build from source you need cmake >= 3.15 and a C++17 compiler; then run `npm run build:native` ' +
  'in the maskflow package (or set MASKFLOW_NATIVE_PATH to a maskflow.node you built).';

export class NativeLoadError extends Error {
  readonly attempts: LoadAttempt[];
  readonly triple: string;
  constructor(triple: string, attempts: LoadAttempt[]) {
    const [only] = attempts;
    const explicit = attempts.length === 1 && only.source === 'env';
    const lines = attempts.map((a, i) => `  ${i + 1}. [${a.source}] ${a.location}: ${a.reason}`);
    super(
      explicit
        ? `MASKFLOW_NATIVE_PATH=${only.location}: ${only.reason}. No other place is tried while it is set; ` +
            'fix the path or unset MASKFLOW_NATIVE_PATH to use the addon that comes with maskflow.'
        : `maskflow could not load its native addon for ${triple}. Tried:\n${lines.join('\n')}\n${BUILD_FROM_SOURCE_HINT}`,
    );
    this.name = 'NativeLoadError';
    this.attempts = attempts;
    this.triple = triple;
  }
}

export function defaultPackageRoot(): string {
  // dist/native/loader.js and src/native/loader.ts both sit two levels below the root.
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function tryLoad(path: string): { binding?: RawBinding; reason?: string } {
  try {
    const req = createRequire(path);
    const mod = req(path) as Partial<RawBinding> | undefined;
    if (!mod || mod.abiTag !== ABI_TAG) {
      return { reason: `loaded, but it is not a maskflow addon for this version (abiTag ${JSON.stringify(mod?.abiTag)}, expected ${ABI_TAG})` };
    }
    return { binding: mod as RawBinding };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { reason: `failed to load: ${message}` };
  }
}

/** Tries every location in order and returns the first addon that loads. */
export function locateNative(options: LoaderOptions = {}): LoadedBinding {
  const root = options.packageRoot ?? defaultPackageRoot();
  const env = options.env ?? process.env;
  const triple = platformTriple(options.platform);
  const attempts: LoadAttempt[] = [];

  const candidate = (source: BindingSource, location: string): LoadedBinding | undefined => {
    if (!existsSync(location)) {
      attempts.push({ source, location, reason: 'no such file' });
      return undefined;
    }
    const { binding, reason } = tryLoad(location);
    if (binding) return { binding, path: location, source, triple };
    attempts.push({ source, location, reason: reason ?? 'unknown failure' });
    return undefined;
  };

  const explicit = env.MASKFLOW_NATIVE_PATH;
  if (explicit) {
    // Exclusive: the addon asked for, or a loud failure naming it.
    const found = candidate('env', resolve(explicit));
    if (found) return found;
    throw new NativeLoadError(triple, attempts);
  }

  const prebuild = candidate('prebuild', join(root, 'prebuilds', triple, 'maskflow.node'));
  if (prebuild) return prebuild;

  const pkgName = `@maskflow/native-${triple}`;
  let pkgPath: string | undefined;
  try {
    pkgPath = createRequire(join(root, 'package.json')).resolve(`${pkgName}/maskflow.node`);
  } catch {
    attempts.push({ source: 'platform-package', location: pkgName, reason: 'not installed' });
  }
  if (pkgPath) {
    const found = candidate('platform-package', pkgPath);
    if (found) return found;
  }

  const local = candidate('local-build', join(root, 'build', 'Release', 'maskflow.node'));
  if (local) return local;

  throw new NativeLoadError(triple, attempts);
}

let cached: LoadedBinding | undefined;

/** The addon for this process, loaded once per thread. */
export function loadNative(): LoadedBinding {
  cached ??= locateNative();
  return cached;
}
