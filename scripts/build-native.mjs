// Builds the addon with cmake-js (CMakeLists.txt, node-api-headers: works offline).
// Without --force it skips when a loadable prebuild exists for this platform, or
// when build/Release/maskflow.node is newer than every native source.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { log, newestMtime, root } from './lib/paths.mjs';

const force = process.argv.includes('--force');
const extra = process.argv.slice(2).filter((a) => a !== '--force');
const localBuild = join(root, 'build', 'Release', 'maskflow.node');

export function nativeSourcesNewest() {
  return newestMtime([join(root, 'native', 'src'), join(root, 'CMakeLists.txt')]);
}

async function prebuildPath() {
  const platformModule = join(root, 'dist', 'native', 'platform.js');
  if (!existsSync(platformModule)) return undefined;
  const { platformTriple } = await import(platformModule);
  const p = join(root, 'prebuilds', platformTriple(), 'maskflow.node');
  return existsSync(p) ? p : undefined;
}

if (!force) {
  const prebuilt = await prebuildPath();
  if (prebuilt) {
    log(`using prebuilt addon ${prebuilt}`);
    process.exit(0);
  }
  if (existsSync(localBuild) && newestMtime([localBuild]) > nativeSourcesNewest()) {
    process.exit(0);
  }
}

let cmakeJs;
try {
  cmakeJs = createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
} catch {
  log('cmake-js is not installed; run `npm install` first.');
  process.exit(1);
}
log('building the native addon from source (cmake-js, Release)…');
const result = spawnSync(
  process.execPath,
  [cmakeJs, 'build', '--config', 'Release', '--log-level', 'warn', '--directory', root, ...extra],
  { stdio: 'inherit', cwd: root },
);
if (result.status !== 0) {
  log('native build failed. It needs cmake >= 3.15 and a C++17 compiler (g++ or clang++).');
  process.exit(result.status ?? 1);
}
log(`built ${localBuild}`);
