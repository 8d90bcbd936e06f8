// `npm run prebuild`: the Release addon for this platform, copied to
// prebuilds/<triple>/maskflow.node (napi-rs triple naming) so the npm tarball
// carries it and installs need no compiler.
//   --force      rebuild even when build/Release/maskflow.node is current
//   --out DIR    write DIR/<triple>/maskflow.node instead of <root>/prebuilds/
//   --no-strip   keep the symbol table
//   --no-build   never build: copy build/Release/maskflow.node as it is, warning when it is
//                older than the sources (the tests use this, like every other test that
//                loads build/Release, so they never start a compile in a shared tree)
// The build is incremental: a current build/Release/maskflow.node (newer than
// every native source) is reused, so this is quick after `npm install`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { buildNative, localBuild, localBuildIsCurrent } from './build-native.mjs';
import { log, root } from './lib/paths.mjs';

const { values } = parseArgs({
  options: {
    force: { type: 'boolean', default: false },
    out: { type: 'string' },
    'no-strip': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

function fail(message) {
  log(message);
  process.exit(1);
}

// The triple and the ABI check come from the compiled loader, so the prebuild is
// named exactly the way the loader will look for it.
if (spawnSync(process.execPath, [join(root, 'scripts', 'build-ts.mjs')], { stdio: 'inherit' }).status !== 0) {
  fail('TypeScript build failed; cannot compute the platform triple.');
}
const { locateNative } = await import(pathToFileURL(join(root, 'dist', 'native', 'loader.js')).href);
const { platformTriple } = await import(pathToFileURL(join(root, 'dist', 'native', 'platform.js')).href);

if (values['no-build']) {
  if (!existsSync(localBuild)) fail(`${localBuild} does not exist and --no-build was given; run \`npm run build:native\`.`);
  if (!localBuildIsCurrent()) log(`warning: ${localBuild} is older than the native sources (--no-build: using it anyway).`);
} else if (values.force || !localBuildIsCurrent()) {
  if (buildNative() !== 0) process.exit(1);
} else {
  log(`reusing ${relative(process.cwd(), localBuild)} (newer than every native source; --force rebuilds)`);
}

/** Loads `file` the way the loader would (ABI tag included); throws with the loader's reason. */
function checkLoads(file) {
  try {
    const found = locateNative({ packageRoot: join(root, 'no-such-package-root'), env: { MASKFLOW_NATIVE_PATH: file } });
    if (found.source !== 'env') throw new Error(`the loader picked ${found.path} instead`);
  } catch (err) {
    throw new Error(err.attempts?.[0]?.reason ?? err.message);
  }
}

try {
  checkLoads(localBuild);
} catch (err) {
  fail(`${localBuild} does not load (${err.message}); not writing a prebuild.`);
}

const triple = platformTriple();
const outDir = resolve(values.out ?? join(root, 'prebuilds'), triple);
const target = join(outDir, 'maskflow.node');
mkdirSync(outDir, { recursive: true });
// Write beside the target and rename: a process loading the old prebuild never sees half a file.
const staging = join(outDir, `.staging-${process.pid}.node`); // require() needs the .node suffix
copyFileSync(localBuild, staging);

let stripped = false;
if (!values['no-strip'] && process.platform !== 'win32') {
  // --strip-unneeded keeps the dynamic symbols Node needs (napi_register_module_v1);
  // macOS strip spells "local symbols only" as -x.
  const args = process.platform === 'darwin' ? ['-x', staging] : ['--strip-unneeded', staging];
  const result = spawnSync('strip', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.error) {
    log('strip is not installed; keeping symbols.');
  } else if (result.status !== 0) {
    log(`strip failed (${result.stderr.trim()}); keeping symbols.`);
    copyFileSync(localBuild, staging);
  } else {
    stripped = true;
  }
}

try {
  checkLoads(staging);
} catch (err) {
  rmSync(staging, { force: true });
  fail(`the prebuild does not load after copying${stripped ? ' and stripping' : ''} (${err.message}); not writing it.`);
}
renameSync(staging, target);

const kib = (file) => `${(statSync(file).size / 1024).toFixed(0)} KiB`;
const rel = relative(process.cwd(), target);
const shown = rel.startsWith('..') ? target : rel;
process.stdout.write(
  `wrote ${shown} (${triple}, ${kib(target)}${stripped ? `, stripped from ${kib(localBuild)}` : ''})\n`,
);
