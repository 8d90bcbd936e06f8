import t from 'tap';
import { EFFECT_NAMES, type EffectSpec } from '../src/effects/catalog.js';
import { EffectChain, FrameResampler, frameBytes, yuvFromColor } from '../src/native/effects.js';
import { randomAtlas, writeAtlas } from './helpers/atlas-ref.js';
import { maxAbsDiff, randomSpec, rawOf } from './helpers/effects-ref-cases.js';
import { randomBytes, rng } from './helpers/random.js';
import { applyChainRef, planes, resampleFrame } from './helpers/reference-effects.js';

const SIZES: [number, number][] = [
  [1, 1],
  [3, 5],
  [64, 36],
  [2, 7],
  [37, 23],
];

/** Runs one chain natively and in the reference over several frame indices; returns the worst difference. */
function compare(width: number, height: number, effects: EffectSpec[], next: () => number, maskSide?: number): { worst: number; detail: string } {
  const content = randomAtlas(next, { width, height, maxMaskSide: maskSide });
  const atlas = writeAtlas(content, Math.floor(next() * 7)); // odd byte offsets too
  const needsImage = effects.some((e) => e.type === 'replace-background' && e.image !== undefined);
  const backgroundImage = needsImage ? randomBytes(frameBytes(width, height), next) : undefined;
  const chain = new EffectChain({ width, height, effects, atlas, backgroundImage });
  const raw = effects.map(rawOf);
  const first = content.frames[0];
  const last = content.frames[content.frames.length - 1];
  // Before the first keyframe, on it, between keyframes, after the last.
  const indices = [Math.max(0, first - 1), first, Math.floor((first + last) / 2), last + Math.floor(next() * 9) + 1];
  if (last > first) indices.push(first + 1 + Math.floor(next() * (last - first - 1 || 1)));
  let worst = 0;
  let detail = '';
  for (const f of indices) {
    const frame = randomBytes(chain.frameBytes, next);
    const expected = applyChainRef({ width, height, effects: raw, atlas, backgroundImage }, frame, f);
    chain.apply(frame, f);
    const d = maxAbsDiff(frame, expected);
    if (d.worst > worst) {
      worst = d.worst;
      detail = `frame ${f}, byte ${d.at}: native ${frame[d.at]} vs reference ${expected[d.at]}`;
    }
  }
  return { worst, detail: `${JSON.stringify(effects)} mask ${content.maskWidth}x${content.maskHeight}; ${detail}` };
}

t.test('every effect alone matches the reference within ±1 on random frames, masks and parameters', async (t) => {
  const next = rng(0xe77ec7);
  for (const type of EFFECT_NAMES) {
    for (const [w, h] of SIZES) {
      for (let trial = 0; trial < 3; trial++) {
        const spec = randomSpec(type, next, { image: type === 'replace-background' && trial === 1 });
        const { worst, detail } = compare(w, h, [spec], next);
        t.ok(worst <= 1, `${type} ${w}x${h}: max difference ${worst}`, { detail });
      }
    }
  }
});

t.test('chains of several effects match the reference (mask effects first, zoom last)', async (t) => {
  const next = rng(0xc4a1);
  const maskTypes = ['blur-background', 'grayscale-background', 'dim-background', 'replace-background'] as const;
  for (let trial = 0; trial < 12; trial++) {
    const [w, h] = SIZES[trial % SIZES.length];
    const effects: EffectSpec[] = [];
    const count = 2 + Math.floor(next() * 3);
    for (let i = 0; i < count; i++) {
      const pool = next() < 0.7 ? maskTypes : (['vignette'] as const);
      effects.push(randomSpec(pool[Math.floor(next() * pool.length)], next));
    }
    if (next() < 0.6) effects.push(randomSpec('zoom', next));
    if (next() < 0.3) effects.push(randomSpec('vignette', next));
    const { worst, detail } = compare(w, h, effects, next);
    t.ok(worst <= 1, `chain of ${effects.length} at ${w}x${h}: max difference ${worst}`, { detail });
  }
});

t.test('large odd frames (1921x1081) match the reference', async (t) => {
  const next = rng(0x1921);
  const cases: EffectSpec[][] = [
    [randomSpec('blur-background', next), randomSpec('vignette', next)],
    [randomSpec('replace-background', next), randomSpec('dim-background', next), randomSpec('zoom', next)],
  ];
  for (const effects of cases) {
    const content = randomAtlas(next, { width: 1921, height: 1081, maxMaskSide: 400, keyframes: 2 });
    const atlas = writeAtlas(content);
    const chain = new EffectChain({ width: 1921, height: 1081, effects, atlas });
    const frame = randomBytes(chain.frameBytes, next);
    const f = content.frames[0] + 1;
    const expected = applyChainRef({ width: 1921, height: 1081, effects: effects.map(rawOf), atlas }, frame, f);
    chain.apply(frame, f);
    const { worst } = maxAbsDiff(frame, expected);
    t.ok(worst <= 1, `${effects.map((e) => e.type).join(' + ')}: max difference ${worst}`);
  }
});

t.test('the mask decides what changes: subject kept, background replaced exactly', async (t) => {
  // Independent of the reference: an all-subject mask leaves mask effects with no
  // effect; an all-background mask makes replace-background the solid colour.
  const next = rng(0x5b);
  for (const [w, h] of SIZES) {
    for (const fill of [0, 255]) {
      const atlas = writeAtlas({
        maskWidth: 5, maskHeight: 3, sourceWidth: w, sourceHeight: h, frames: [0, 10],
        boxes: [[0.1, 0.1, 0.5, 0.5], [0.2, 0.2, 0.5, 0.5]], masks: [new Uint8Array(15).fill(fill), new Uint8Array(15).fill(fill)],
      });
      const effects: EffectSpec[] = [
        { type: 'blur-background', radius: 30, feather: 6 },
        { type: 'grayscale-background', amount: 1, feather: 3 },
        { type: 'dim-background', amount: 0.5, feather: 0 },
        { type: 'replace-background', color: '#3366cc', feather: 6 },
      ];
      const frame = randomBytes(frameBytes(w, h), next);
      const before = Uint8Array.from(frame);
      new EffectChain({ width: w, height: h, effects, atlas }).apply(frame, 4);
      if (fill === 255) {
        t.same(frame, before, `${w}x${h}: all-subject mask leaves the frame untouched`);
      } else {
        const p = planes(frame, w, h);
        const [y, u, v] = yuvFromColor('#3366cc');
        t.ok(p.Y.every((b) => b === y) && p.U.every((b) => b === u) && p.V.every((b) => b === v), `${w}x${h}: background is the colour`);
      }
    }
  }
});

t.test('identity settings leave frames unchanged; a full-strength grayscale makes the background neutral', async (t) => {
  const next = rng(0x1d);
  const [w, h] = [64, 36];
  const content = randomAtlas(next, { width: w, height: h });
  const atlas = writeAtlas(content);
  for (const effects of [
    [{ type: 'zoom', factor: 1, follow: false }],
    [{ type: 'vignette', strength: 0, radius: 0.5 }],
    [{ type: 'dim-background', amount: 0, feather: 4 }],
  ] as EffectSpec[][]) {
    const frame = randomBytes(frameBytes(w, h), next);
    const before = Uint8Array.from(frame);
    new EffectChain({ width: w, height: h, effects, atlas }).apply(frame, 3);
    t.same(frame, before, `${effects[0].type} at identity settings`);
  }
  const zero = writeAtlas({ ...content, masks: content.masks.map((m) => new Uint8Array(m.length)) });
  const frame = randomBytes(frameBytes(w, h), next);
  const luma = Uint8Array.from(planes(frame, w, h).Y);
  new EffectChain({ width: w, height: h, effects: [{ type: 'grayscale-background', amount: 1, feather: 0 }], atlas: zero }).apply(frame, 0);
  const p = planes(frame, w, h);
  t.ok(p.U.every((b) => b === 128) && p.V.every((b) => b === 128), 'chroma is neutral');
  t.same(p.Y, luma, 'luma untouched');
});

t.test('FrameResampler matches the reference for random sizes and crops (clamped inside)', async (t) => {
  const next = rng(0xf4a3e);
  const sizes: [number, number][] = [[1, 1], [3, 5], [64, 36], [37, 23], [9, 2]];
  for (let trial = 0; trial < 25; trial++) {
    const [sw, sh] = sizes[trial % sizes.length];
    const [dw, dh] = sizes[Math.floor(next() * sizes.length)];
    const resampler = new FrameResampler({ srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh });
    const src = randomBytes(frameBytes(sw, sh), next);
    const dst = new Uint8Array(frameBytes(dw, dh));
    // Some crops stick out of the frame or are larger than it: they must be clamped.
    const crop = { x: (next() * 1.4 - 0.2) * sw, y: (next() * 1.4 - 0.2) * sh, w: (0.05 + next() * 1.2) * sw, h: (0.05 + next() * 1.2) * sh };
    resampler.apply(src, dst, crop);
    const expected = resampleFrame(src, sw, sh, dw, dh, crop);
    const { worst } = maxAbsDiff(dst, expected);
    t.ok(worst <= 1, `${sw}x${sh} -> ${dw}x${dh} crop ${JSON.stringify(crop)}: max difference ${worst}`);
  }
  // Reframe-like: 1920x1080 source, 9:16 crop, 1080x1920 output (one large case).
  const resampler = new FrameResampler({ srcWidth: 1920, srcHeight: 1080, dstWidth: 1080, dstHeight: 1920 });
  const src = randomBytes(frameBytes(1920, 1080), next);
  const dst = new Uint8Array(frameBytes(1080, 1920));
  const crop = { x: 700.37, y: 0, w: 607.5, h: 1080 };
  resampler.apply(src, dst, crop);
  t.ok(maxAbsDiff(dst, resampleFrame(src, 1920, 1080, 1080, 1920, crop)).worst <= 1, '1920x1080 -> 1080x1920 9:16 reframe');
});

t.test('FrameResampler with the full frame as crop and the same size copies the frame', async (t) => {
  const next = rng(0xc0);
  for (const [w, h] of SIZES) {
    const src = randomBytes(frameBytes(w, h), next);
    const dst = new Uint8Array(src.length);
    new FrameResampler({ srcWidth: w, srcHeight: h, dstWidth: w, dstHeight: h }).apply(src, dst, { x: 0, y: 0, w, h });
    t.same(dst, src, `${w}x${h}`);
  }
});

t.test('yuvFromColor gives BT.601 limited-range values', async (t) => {
  t.same(yuvFromColor('#000000'), [16, 128, 128], 'black');
  t.same(yuvFromColor('#ffffff'), [235, 128, 128], 'white');
  t.same(yuvFromColor('#FFF'), yuvFromColor('#ffffff'), 'short form');
  // Back to RGB with the inverse BT.601 matrix: within rounding of the input.
  const next = rng(0xc010);
  for (let i = 0; i < 50; i++) {
    const rgb = [0, 1, 2].map(() => Math.floor(next() * 256));
    const [y, u, v] = yuvFromColor(`#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`);
    const c = 1.164383 * (y - 16);
    const back = [c + 1.596027 * (v - 128), c - 0.391762 * (u - 128) - 0.812968 * (v - 128), c + 2.017232 * (u - 128)];
    t.ok(back.every((b, j) => Math.abs(b - rgb[j]) <= 3), `roundtrip ${rgb} -> ${[y, u, v]} -> ${back.map(Math.round)}`);
  }
  t.throws(() => yuvFromColor('green'), RangeError);
  t.throws(() => yuvFromColor('#12345'), RangeError);
});
