// `npm install` hook. In a git checkout it compiles TypeScript and the addon;
// in an installed tarball it uses the shipped prebuild and only builds from
// source when no prebuild matches this platform (and says so).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isCheckout, log, root } from './lib/paths.mjs';

const run = (script, args = []) =>
  spawnSync(process.execPath, [join(root, 'scripts', script), ...args], { stdio: 'inherit', cwd: root }).status ?? 1;

if (isCheckout()) {
  if (run('build-ts.mjs') !== 0) process.exit(1);
} else if (!existsSync(join(root, 'dist', 'index.js'))) {
  log('this package has no dist/ folder; it was packed without being built.');
  process.exit(1);
}

if (process.env.MASKFLOW_NATIVE_PATH) {
  log(`MASKFLOW_NATIVE_PATH is set (${process.env.MASKFLOW_NATIVE_PATH}); skipping the native build.`);
  process.exit(0);
}
process.exit(run('build-native.mjs'));
