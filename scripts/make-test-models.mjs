// Generates the tiny fixture ONNX models tests use (real signatures, hand-built weights,
// not trained models): node scripts/make-test-models.mjs --out DIR
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, root } from './lib/paths.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--out');
const out = at >= 0 ? args[at + 1] : undefined;
if (!out || out.startsWith('--')) {
  log('usage: npm run make-test-models -- --out DIR');
  process.exit(2);
}
// The builders are test support (test/fixture-models/, never in dist/): compiled on demand into
// build/fixture-models/ (a no-op when that is up to date).
spawnSync(process.execPath, [join(root, 'scripts', 'build-ts.mjs'), '--fixture-models'], { stdio: 'inherit' });
const entry = join(root, 'build', 'fixture-models', 'write-fixtures.js');
if (!existsSync(entry)) {
  log(`${entry} is missing: build it with \`node scripts/build-ts.mjs --fixture-models\`.`);
  process.exit(1);
}
const { writeFixtureModels } = await import(pathToFileURL(entry).href);
const started = Date.now();
const paths = writeFixtureModels(resolve(out));
for (const [name, path] of Object.entries(paths)) console.log(`${name.padEnd(14)} ${path}`);
log(`fixture models written to ${resolve(out)} in ${Date.now() - started} ms (fixtures, not trained models)`);
