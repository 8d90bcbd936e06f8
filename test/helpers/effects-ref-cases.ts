// Random effect specs and their addon form, for the effect property tests.
import type { EffectSpec } from '../../src/effects/catalog.js';
import type { RawEffect } from '../../src/native/binding-types.js';
import { yuvFromColor } from '../../src/native/effects.js';

const hex2 = (v: number): string => v.toString(16).padStart(2, '0');

export function randomSpec(type: EffectSpec['type'], next: () => number, opts: { image?: boolean } = {}): EffectSpec {
  const feather = Math.floor(next() * 65);
  switch (type) {
    case 'blur-background':
      // Cover every reduction scale (2, 4, 8, 16) and fractional radii.
      return { type, radius: 1 + next() * 199, feather };
    case 'grayscale-background':
      return { type, amount: next(), feather };
    case 'dim-background':
      return { type, amount: next(), feather };
    case 'replace-background': {
      const color = `#${hex2(Math.floor(next() * 256))}${hex2(Math.floor(next() * 256))}${hex2(Math.floor(next() * 256))}`;
      return opts.image ? { type, color, image: 'background.png', feather } : { type, color, feather };
    }
    case 'vignette':
      return { type, strength: next(), radius: 0.1 + next() * 1.9 };
    case 'zoom':
      return { type, factor: 1 + next() * 3, follow: next() < 0.7 };
  }
}

/** The addon's form of a spec (what the reference consumes). */
export function rawOf(spec: EffectSpec): RawEffect {
  switch (spec.type) {
    case 'replace-background':
      return spec.image !== undefined
        ? { type: spec.type, feather: spec.feather, useImage: true }
        : { type: spec.type, feather: spec.feather, useImage: false, yuv: yuvFromColor(spec.color) };
    default:
      return spec;
  }
}

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
