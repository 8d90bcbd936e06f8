// Writes schema/plan.schema.json from the zod plan definition in dist/
// (run `node scripts/build-ts.mjs` first). Editors use the file to check and
// complete plan files; test/plan-schema.test.ts keeps it up to date.
import { writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, root } from './lib/paths.mjs';

const compiled = join(root, 'dist', 'plan', 'schema.js');
if (!existsSync(compiled)) {
  log('dist/plan/schema.js is missing: run `node scripts/build-ts.mjs` first.');
  process.exit(1);
}
const { planJsonSchema } = await import(pathToFileURL(compiled).href);
const target = join(root, 'schema', 'plan.schema.json');
mkdirSync(join(root, 'schema'), { recursive: true });
writeFileSync(target, `${JSON.stringify(planJsonSchema(), null, 2)}\n`);
log(`wrote ${target}`);
