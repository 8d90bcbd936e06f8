// Builds the addon with cmake-js (CMakeLists.txt, node-api-headers: works offline).
//   --force      always run the (incremental) cmake-js Release build.
//   without it   in a git checkout: build when build/Release/maskflow.node is older
//                than a native source; in an installed package: use a prebuilt addon
//                (prebuilds/<triple>/ or @maskflow/native-<triple>) when one loads,
//                and build from source only when none does AND the user asked for it
//                (`npm install --build-from-source` or MASKFLOW_BUILD_FROM_SOURCE=1);
//                otherwise fail, saying how.
// Other arguments are passed on to cmake-js. Importing this file runs nothing.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isCheckout, log, newestMtime, root } from './lib/paths.mjs';

export const localBuild = join(root, 'build', 'Release', 'maskflow.node');

export function nativeSourcesNewest() {
  return newestMtime([join(root, 'native', 'src'), join(root, 'CMakeLists.txt')]);
}

/** True when build/Release/maskflow.node is newer than every native source. */
export function localBuildIsCurrent() {
  return existsSync(localBuild) && newestMtime([localBuild]) > nativeSourcesNewest();
}

/** Runs the cmake-js Release build; returns the exit status. */
export function buildNative(extraArgs = []) {
  let cmakeJs;
  try {
    cmakeJs = createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
  } catch {
    log('cmake-js is not installed; run `npm install` first.');
    return 1;
  }
  log('building the native addon from source (cmake-js, Release)…');
  const result = spawnSync(
    process.execPath,
    [cmakeJs, 'build', '--config', 'Release', '--log-level', 'warn', '--directory', root, ...extraArgs],
    { stdio: 'inherit', cwd: root },
  );
  if (result.status !== 0) {
    log('native build failed. It needs cmake >= 3.15 and a C++17 compiler (g++ or clang++).');
    return result.status ?? 1;
  }
  log(`built ${localBuild}`);
  return 0;
}

/**
 * The prebuilt addon the loader would pick for this platform (env, prebuilds/ or
 * the platform package), or why there is none. Loading it proves it works here
 * (right libc, right ABI tag), which a file-exists check would not.
 */
async function usablePrebuilt() {
  const loaderModule = join(root, 'dist', 'native', 'loader.js');
  if (!existsSync(loaderModule)) return { reason: 'dist/native/loader.js is missing' };
  const { locateNative, NativeLoadError } = await import(pathToFileURL(loaderModule).href);
  try {
    const found = locateNative({ packageRoot: root });
    if (found.source === 'local-build') return { reason: 'no prebuilt addon loaded', triple: found.triple };
    return { found };
  } catch (err) {
    if (err instanceof NativeLoadError) {
      const tried = err.attempts
        .filter((a) => a.source !== 'local-build')
        .map((a) => `${a.location}: ${a.reason}`)
        .join('; ');
      return { reason: tried, triple: err.triple };
    }
    throw err;
  }
}

/** A prebuild in a checkout shadows build/Release in the loader; say so when it is stale. */
async function warnAboutStalePrebuild() {
  const platformModule = join(root, 'dist', 'native', 'platform.js');
  if (!existsSync(platformModule)) return;
  const { platformTriple } = await import(pathToFileURL(platformModule).href);
  const prebuilt = join(root, 'prebuilds', platformTriple(), 'maskflow.node');
  if (existsSync(prebuilt) && newestMtime([prebuilt]) < nativeSourcesNewest()) {
    log(
      `warning: ${prebuilt} is older than the native sources and is loaded before build/Release; ` +
        'run `npm run prebuild` again or delete prebuilds/.',
    );
  }
}

async function main(argv) {
  const force = argv.includes('--force');
  const extra = argv.filter((a) => a !== '--force');
  if (isCheckout()) {
    const status = force || !localBuildIsCurrent() ? buildNative(extra) : 0;
    await warnAboutStalePrebuild();
    return status;
  }
  if (force) return buildNative(extra);

  const { found, reason, triple } = await usablePrebuilt();
  if (found) {
    log(`using the prebuilt addon ${found.path} (${found.source}, ${found.triple})`);
    return 0;
  }
  if (localBuildIsCurrent()) {
    log(`using the addon built here earlier, ${localBuild}`);
    return 0;
  }
  // Compiling in a user's install is opt-in: npm hides install-script output, so an
  // automatic cmake build would be slow, silent and fail late on machines without a compiler.
  if (!buildFromSourceRequested()) {
    log(
      `no prebuilt addon for ${triple ?? 'this platform'} (${reason}). This maskflow package carries no prebuild ` +
        'that loads here (it was packed without `npm run prebuild`, or none is shipped for this platform). ' +
        'To compile it (needs cmake >= 3.15 and a C++17 compiler): `npm install maskflow --build-from-source` ' +
        '(or MASKFLOW_BUILD_FROM_SOURCE=1); or point MASKFLOW_NATIVE_PATH at a maskflow.node built elsewhere.',
    );
    return 1;
  }
  log(`no prebuilt addon for ${triple ?? 'this platform'} (${reason}); building it from source as asked.`);
  return buildNative(extra);
}

/** `npm install --build-from-source` (npm passes it as npm_config_build_from_source) or MASKFLOW_BUILD_FROM_SOURCE=1. */
export function buildFromSourceRequested(env = process.env) {
  const yes = (v) => v !== undefined && v !== '' && v !== 'false' && v !== '0';
  return yes(env.MASKFLOW_BUILD_FROM_SOURCE) || yes(env.npm_config_build_from_source);
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));
