// Random effect specs and their addon form, for the effect property tests.
// Both are generated from the catalogue, so a new effect is covered without edits.
import { EFFECTS, type EffectName, type EffectSpec, type ParamSpec } from '../../src/effects/catalog.js';
import type { RawEffect } from '../../src/native/binding-types.js';
import { yuvFromColor } from '../../src/native/effects.js';

const hex2 = (v: number): string => v.toString(16).padStart(2, '0');

function randomValue(spec: ParamSpec, next: () => number): unknown {
  switch (spec.kind) {
    case 'number': {
      // Reals uniform over the range (covers e.g. every blur reduction scale); integers log-uniform,
      // so small values (a 2-pixel block, feather 0 or 1) come up as often as large ones.
      if (!spec.integer) return spec.min + next() * (spec.max - spec.min);
      return Math.min(spec.max, spec.min + Math.floor((spec.max - spec.min + 2) ** next()) - 1);
    }
    case 'boolean':
      return next() < 0.7;
    case 'color':
      return next() < 0.2
        ? `#${[0, 1, 2].map(() => Math.floor(next() * 16).toString(16)).join('')}`
        : `#${hex2(Math.floor(next() * 256))}${hex2(Math.floor(next() * 256))}${hex2(Math.floor(next() * 256))}`;
    case 'image':
      return 'background.png';
    case 'choice':
      return spec.values[Math.floor(next() * spec.values.length)];
  }
}

/** Random in-range values for every parameter; image parameters only with `opts.image`. */
export function randomSpec(type: EffectName, next: () => number, opts: { image?: boolean } = {}): EffectSpec {
  const spec: Record<string, unknown> = { type };
  for (const [key, p] of Object.entries(EFFECTS[type].params) as [string, ParamSpec][]) {
    if (p.kind === 'image' && !opts.image) continue;
    spec[key] = randomValue(p, next);
  }
  return spec as EffectSpec;
}

/** The addon's form of a spec (what the reference consumes); `image` is the decoded frame of an image parameter. */
export function rawOf(spec: EffectSpec, image?: Uint8Array): RawEffect {
  const raw: Record<string, unknown> = { type: spec.type };
  for (const [key, p] of Object.entries(EFFECTS[spec.type].params) as [string, ParamSpec][]) {
    const value = (spec as Record<string, unknown>)[key];
    if (value === undefined) continue;
    raw[key] = p.kind === 'color' ? yuvFromColor(value as string) : p.kind === 'image' ? image : value;
  }
  return raw as RawEffect;
}

/** Whether a spec sets an image parameter. */
export const takesImage = (spec: EffectSpec): boolean =>
  (Object.entries(EFFECTS[spec.type].params) as [string, ParamSpec][]).some(([key, p]) => p.kind === 'image' && (spec as Record<string, unknown>)[key] !== undefined);

export function maxAbsDiff(a: Uint8Array, b: Uint8Array): { worst: number; at: number } {
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  return { worst, at };
}
