// The C++ side of the effect catalogue: the committed header is what the
// generator makes from src/effects/catalog.ts, every effect has its kernel
// file, and the addon enforces exactly the catalogue's limits.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { EFFECTS, EFFECT_NAMES, type ParamSpec } from '../src/effects/catalog.js';
import { loadNative } from '../src/native/loader.js';
import { effectCatalogHeader, pascalName, snakeName } from '../scripts/lib/effect-catalog-header.mjs';
import { writeAtlas } from './helpers/atlas-ref.js';
import { rawOf, randomSpec } from './helpers/effects-ref-cases.js';
import { rng } from './helpers/random.js';

const nativeSrc = new URL('../native/src/', import.meta.url);

t.test('the committed native/src/effect_catalog.h matches the catalogue', async (t) => {
  const committed = readFileSync(new URL('effect_catalog.h', nativeSrc), 'utf8');
  t.equal(committed, effectCatalogHeader(EFFECTS), 'out of date: run `node scripts/build-ts.mjs && node scripts/make-effect-catalog.mjs`');
});

t.test('every effect has its kernel file with its factory', async (t) => {
  for (const name of EFFECT_NAMES) {
    const file = new URL(`kernels/effects/${snakeName(name)}.cc`, nativeSrc);
    t.ok(existsSync(file), `${name}: native/src/kernels/effects/${snakeName(name)}.cc exists`);
    if (existsSync(file)) t.match(readFileSync(file, 'utf8'), `std::unique_ptr<Effect> Make${pascalName(name)}()`, `${name}: defines Make${pascalName(name)}()`);
  }
});

t.test('the addon accepts each number parameter at its catalogue limits and refuses just beyond them', async (t) => {
  const { binding } = loadNative();
  const atlas = writeAtlas({
    maskWidth: 4, maskHeight: 3, sourceWidth: 8, sourceHeight: 6, frames: [0], boxes: [[0.1, 0.1, 0.5, 0.5]], masks: [new Uint8Array(12).fill(128)],
  });
  const next = rng(0xca7);
  for (const name of EFFECT_NAMES) {
    const base = rawOf(randomSpec(name, next));
    for (const [key, spec] of Object.entries(EFFECTS[name].params) as [string, ParamSpec][]) {
      if (spec.kind !== 'number') continue;
      const step = spec.integer ? 1 : 1e-6 * Math.max(1, Math.abs(spec.max));
      for (const ok of [spec.min, spec.max]) {
        t.doesNotThrow(() => new binding.EffectChain(8, 6, [{ ...base, [key]: ok }], atlas), `${name}.${key} = ${ok}`);
      }
      for (const bad of [spec.min - step, spec.max + step]) {
        t.throws(() => new binding.EffectChain(8, 6, [{ ...base, [key]: bad }], atlas), { name: 'RangeError', message: new RegExp(`effects\\[0\\]\\.${key}`) }, `${name}.${key} = ${bad}`);
      }
      if (spec.integer) {
        t.throws(() => new binding.EffectChain(8, 6, [{ ...base, [key]: spec.min + 0.5 }], atlas), { message: /must be an integer/ }, `${name}.${key} must be whole`);
      }
    }
  }
});
