// Writes native/src/effect_catalog.h from the effect catalogue in dist/
// (run `node scripts/build-ts.mjs` first); test/native-catalog.test.ts keeps it current.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { effectCatalogHeader } from './lib/effect-catalog-header.mjs';
import { log, root } from './lib/paths.mjs';

const compiled = join(root, 'dist', 'effects', 'catalog.js');
if (!existsSync(compiled)) {
  log('dist/effects/catalog.js is missing: run `node scripts/build-ts.mjs` first.');
  process.exit(1);
}
const { EFFECTS } = await import(pathToFileURL(compiled).href);
const target = join(root, 'native', 'src', 'effect_catalog.h');
writeFileSync(target, effectCatalogHeader(EFFECTS));
log(`wrote ${target}`);
