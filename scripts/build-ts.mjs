// Compiles src/ to dist/ with the project's TypeScript. Skips when dist/ is
// newer than every source file, so repeated `npm test` runs stay quick.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { log, newestMtime, root } from './lib/paths.mjs';

const force = process.argv.includes('--force');
const sources = newestMtime([join(root, 'src'), join(root, 'tsconfig.json')]);
const built = existsSync(join(root, 'dist', 'index.js')) ? newestMtime([join(root, 'dist')]) : 0;
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
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
if (result.status !== 0) {
  log('TypeScript build failed (see the errors above).');
  process.exit(result.status ?? 1);
}
