// Compiles TypeScript with the project's tsc:
//   node scripts/build-ts.mjs [--force]                  src/ -> dist/ (the package)
//   node scripts/build-ts.mjs --fixture-models [--force] test/fixture-models/ -> build/fixture-models/
// The second is test support (the tiny ONNX model builders), compiled on demand for the plain-.mjs
// users (`npm run make-test-models`, the bench); it never goes into dist/. Each target skips tsc when
// its output is newer than every source, and always prunes outputs whose source is gone, so a removed
// or moved module cannot linger in dist/ and be shipped.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { log, newestMtime, root } from './lib/paths.mjs';

const force = process.argv.includes('--force');
const target = process.argv.includes('--fixture-models')
  ? { project: 'tsconfig.fixture-models.json', sources: join(root, 'test', 'fixture-models'), out: join(root, 'build', 'fixture-models') }
  : { project: 'tsconfig.json', sources: join(root, 'src'), out: join(root, 'dist') };

/** What tsc writes for one source: x.ts -> x.js, x.js.map, x.d.ts, x.d.ts.map. */
const sourceOf = (output) => output.replace(/(\.d)?\.ts\.map$|\.js\.map$|\.d\.ts$|\.js$/, '.ts');

/** Removes outputs whose .ts source no longer exists, then folders left empty. */
function prune(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmdirSync(path);
    } else if (!existsSync(join(target.sources, sourceOf(relative(target.out, path))))) {
      rmSync(path, { force: true });
    }
  }
}

prune(target.out);
const sources = newestMtime([target.sources, join(root, target.project), join(root, 'tsconfig.json')]);
const built = existsSync(target.out) ? newestMtime([target.out]) : 0;
if (!force && built > sources) {
  process.exit(0);
}
let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  log('TypeScript is not installed; run `npm install` in the maskflow checkout first.');
  process.exit(1);
}
const result = spawnSync(process.execPath, [tsc, '-p', join(root, target.project)], { stdio: 'inherit', cwd: root });
if (result.status !== 0) {
  log('TypeScript build failed (see the errors above).');
  process.exit(result.status ?? 1);
}
