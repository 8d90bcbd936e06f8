import t from 'tap';
import { EFFECT_NAMES, EFFECTS, type EffectName, type EffectSpec } from '../src/effects/catalog.js';
import { EffectChain, FrameResampler, frameBytes, yuvFromColor } from '../src/native/effects.js';
import { movingDiscAtlas, randomAtlas, writeAtlas, type AtlasContent } from './helpers/atlas-ref.js';
import { maxAbsDiff, randomSpec, rawOf, takesImage } from './helpers/effects-ref-cases.js';
import { randomBytes, rng } from './helpers/random.js';
import { applyChainRef, planes, resampleFrame, type MaskRule } from './helpers/reference-effects.js';
import { readAtlas, sampleMask } from '../src/vision/atlas.js';

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
  const images = effects.map((e) => (takesImage(e) ? randomBytes(frameBytes(width, height), next) : undefined));
  const chain = new EffectChain({ width, height, effects, atlas, images });
  const raw = effects.map((e, i) => rawOf(e, images[i]));
  const first = content.frames[0];
  const last = content.frames[content.frames.length - 1];
  // Before the first keyframe, on it, between keyframes, after the last.
  const indices = [Math.max(0, first - 1), first, Math.floor((first + last) / 2), last + Math.floor(next() * 9) + 1];
  if (last > first) indices.push(first + 1 + Math.floor(next() * (last - first - 1 || 1)));
  let worst = 0;
  let detail = '';
  for (const f of indices) {
    const frame = randomBytes(chain.frameBytes, next);
    const expected = applyChainRef({ width, height, effects: raw, atlas }, frame, f);
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
        const spec = randomSpec(type, next, { image: trial === 1 });
        const { worst, detail } = compare(w, h, [spec], next);
        t.ok(worst <= 1, `${type} ${w}x${h}: max difference ${worst}`, { detail });
      }
    }
  }
});

t.test('chains of several effects match the reference (mask effects first, zoom last)', async (t) => {
  const next = rng(0xc4a1);
  const maskTypes = EFFECT_NAMES.filter((n) => EFFECTS[n].usesMask);
  for (let trial = 0; trial < 12; trial++) {
    const [w, h] = SIZES[trial % SIZES.length];
    const effects: EffectSpec[] = [];
    const count = 2 + Math.floor(next() * 3);
    for (let i = 0; i < count; i++) {
      const pool: EffectName[] = next() < 0.7 ? maskTypes : ['vignette'];
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
    const expected = applyChainRef({ width: 1921, height: 1081, effects: effects.map((e) => rawOf(e)), atlas }, frame, f);
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
        { type: 'replace-background', color: '#3366cc', fit: 'cover', feather: 6 },
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

// ---------- motion-compensated mask between keyframes ----------

// Probe: a flat frame (Y 235) under replace-background with black (Y 16) and no
// feather makes each output luma a monotone function of the mask there.
const PROBE_Y = 235;
const probeY = (m: number): number => {
  const w = m + (m >> 7);
  return (PROBE_Y * w + 16 * (256 - w) + 128) >> 8;
};
const PROBE: EffectSpec[] = [{ type: 'replace-background', color: '#000000', fit: 'cover', feather: 0 }];

function probeFrame(width: number, height: number): Uint8Array {
  const frame = new Uint8Array(frameBytes(width, height)).fill(128);
  frame.fill(PROBE_Y, 0, width * height);
  return frame;
}

/** Native probe luma at frame `f`, plus the reference under each mask rule. */
function probe(content: AtlasContent, f: number, rules: MaskRule[] = []): { native: Uint8Array; ref: Uint8Array[] } {
  const { sourceWidth: w, sourceHeight: h } = content;
  const atlas = writeAtlas(content);
  const frame = probeFrame(w, h);
  const ref = rules.map((maskRule) => applyChainRef({ width: w, height: h, effects: PROBE.map((e) => rawOf(e)), atlas, maskRule }, frame, f).subarray(0, w * h));
  new EffectChain({ width: w, height: h, effects: PROBE, atlas }).apply(frame, f);
  return { native: frame.subarray(0, w * h), ref };
}

t.test('between keyframes a moving subject is one full-strength disc at the interpolated place, not two ghosts', async (t) => {
  const side = 160;
  const at = (y: Uint8Array, u: number, v: number): number => y[Math.floor(v * side) * side + Math.floor(u * side)];
  const cases = [
    { name: 'translation', c0: [0.2, 0.5], c1: [0.8, 0.5], r0: 0.1, r1: 0.1 },
    { name: 'translation and growth', c0: [0.3, 0.3], c1: [0.7, 0.7], r0: 0.08, r1: 0.16 },
  ] as const;
  for (const c of cases) {
    const content = movingDiscAtlas({ side, maskSide: 64, gap: 16, c0: [...c.c0], c1: [...c.c1], r0: c.r0, r1: c.r1 });
    const { native, ref } = probe(content, 8, ['motion', 'crossfade']); // t = 0.5
    const mid = [(c.c0[0] + c.c1[0]) / 2, (c.c0[1] + c.c1[1]) / 2];
    const rMid = (c.r0 + c.r1) / 2;
    t.ok(at(native, mid[0], mid[1]) >= probeY(240), `${c.name}: interpolated centre is subject (luma ${at(native, mid[0], mid[1])})`);
    t.ok(at(native, mid[0] + 0.7 * rMid, mid[1]) >= probeY(240), `${c.name}: inside the interpolated radius is subject`);
    t.ok(at(native, mid[0] + 1.4 * rMid, mid[1]) <= probeY(15), `${c.name}: outside the interpolated radius is background`);
    for (const [u, v] of [c.c0, c.c1]) {
      t.ok(at(native, u, v) <= probeY(15), `${c.name}: old/new centre (${u}, ${v}) is background (luma ${at(native, u, v)})`);
      // The scene is a real test of the rule: a cross-fade leaves a half-strength ghost there.
      const ghost = at(ref[1], u, v);
      t.ok(ghost > probeY(100) && ghost < probeY(160), `${c.name}: a cross-fade would leave a ghost at (${u}, ${v}) (luma ${ghost})`);
    }
    t.ok(maxAbsDiff(native, ref[0]).worst <= 1, `${c.name}: native matches the reference`);
  }
});

t.test('the native mask follows sampleMask (the documented floating-point rule) on a moving disc', async (t) => {
  const side = 96;
  const content = movingDiscAtlas({ side, maskSide: 48, gap: 10, c0: [0.25, 0.6], c1: [0.7, 0.35], r0: 0.12, r1: 0.09 });
  const view = readAtlas(Uint8Array.from(writeAtlas(content)));
  for (const f of [0, 3, 5, 9, 10]) {
    const { native } = probe(content, f);
    const expected = sampleMask(view, f, side, side).map(probeY);
    // Fixed point vs floats, and a rounding to 8 bits between the two resampling steps.
    t.ok(maxAbsDiff(native, expected).worst <= 3, `frame ${f}: max luma difference ${maxAbsDiff(native, expected).worst}`);
  }
});

t.test('strongly moving boxes: native matches the motion-compensated reference, which differs from a cross-fade', async (t) => {
  const next = rng(0x30d10);
  const maskEffects = EFFECT_NAMES.filter((n) => EFFECTS[n].usesMask);
  for (let trial = 0; trial < 10; trial++) {
    const [w, h] = [[64, 36], [37, 23], [50, 50], [33, 64]][trial % 4];
    const content = randomAtlas(next, { width: w, height: h, keyframes: 2 + (trial % 2) });
    const atlas = writeAtlas(content);
    // No feather (the inward feather erodes small test masks a lot) and a strong effect, so the mask's position shows.
    const spec = randomSpec(maskEffects[trial % maskEffects.length], next);
    const effects = [{ ...spec, feather: 0, ...('amount' in spec ? { amount: 0.5 + next() / 2 } : {}) } as EffectSpec];
    const raw = effects.map((e) => rawOf(e));
    const chain = new EffectChain({ width: w, height: h, effects, atlas });
    // Between keyframes 0 and 1, away from both ends (there the two rules agree).
    const [f0, f1] = content.frames;
    const f = f0 + Math.max(1, Math.floor((f1 - f0) / 2));
    if (f >= f1) continue; // adjacent keyframes: no frame between them
    const frame = randomBytes(chain.frameBytes, next);
    const motion = applyChainRef({ width: w, height: h, effects: raw, atlas }, frame, f);
    const crossfade = applyChainRef({ width: w, height: h, effects: raw, atlas, maskRule: 'crossfade' }, frame, f);
    chain.apply(frame, f);
    t.ok(maxAbsDiff(frame, motion).worst <= 1, `${effects[0].type} ${w}x${h} frame ${f}: matches the reference (${maxAbsDiff(frame, motion).worst})`);
    t.ok(maxAbsDiff(frame, crossfade).worst > 16, `${effects[0].type} ${w}x${h} frame ${f}: differs from a cross-fade (${maxAbsDiff(frame, crossfade).worst})`);
  }
});

t.test('an empty box on either keyframe falls back to a plain cross-fade', async (t) => {
  const next = rng(0xe3b7);
  for (const [w, h] of [[48, 30], [31, 17]]) {
    for (const empty of [[0, 2], [1, 3], [0, 3]]) {
      const content = randomAtlas(next, { width: w, height: h, keyframes: 2 });
      content.frames = [2, 12];
      content.boxes = [[0.1, 0.2, 0.3, 0.3], [0.6, 0.5, 0.2, 0.4]];
      content.boxes[empty[0]][empty[1]] = 0; // w or h of keyframe 0 or 1
      const { native, ref } = probe(content, 7, ['crossfade', 'motion']);
      t.ok(maxAbsDiff(native, ref[0]).worst <= 1, `${w}x${h}, box ${empty[0]} ${empty[1] === 2 ? 'w' : 'h'} = 0: a cross-fade`);
      t.ok(maxAbsDiff(native, ref[1]).worst <= 1, 'and the reference agrees');
    }
    // With both boxes usable the same masks are motion-compensated: the rules differ here.
    const content = randomAtlas(next, { width: w, height: h, keyframes: 2 });
    content.frames = [2, 12];
    content.boxes = [[0.1, 0.2, 0.3, 0.3], [0.6, 0.5, 0.2, 0.4]];
    const { native, ref } = probe(content, 7, ['crossfade', 'motion']);
    t.ok(maxAbsDiff(native, ref[1]).worst <= 1 && maxAbsDiff(native, ref[0]).worst > 16, `${w}x${h}, both boxes usable: motion-compensated`);
  }
});

t.test('random atlases with some empty boxes match the reference', async (t) => {
  const next = rng(0xeb0c5);
  for (let trial = 0; trial < 8; trial++) {
    const [w, h] = SIZES[trial % SIZES.length];
    const content = randomAtlas(next, { width: w, height: h, keyframes: 4, emptyBoxes: 0.4 });
    const atlas = writeAtlas(content);
    const effects = [randomSpec('dim-background', next), randomSpec('zoom', next)];
    const chain = new EffectChain({ width: w, height: h, effects, atlas });
    for (let f = content.frames[0]; f <= content.frames[3]; f += 1 + Math.floor(next() * 4)) {
      const frame = randomBytes(chain.frameBytes, next);
      const expected = applyChainRef({ width: w, height: h, effects: effects.map((e) => rawOf(e)), atlas }, frame, f);
      chain.apply(frame, f);
      const { worst } = maxAbsDiff(frame, expected);
      if (worst > 1) t.fail(`${w}x${h} frame ${f}: max difference ${worst}`, { boxes: content.boxes });
    }
    t.pass(`${w}x${h}: boxes ${content.boxes.map((b) => (b[2] > 0 && b[3] > 0 ? 'ok' : 'empty')).join(', ')}`);
  }
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

t.test('FrameResampler shrinking by up to 2x (taps spread over 32 source bytes) matches the reference', async (t) => {
  const next = rng(0x5412);
  for (let trial = 0; trial < 8; trial++) {
    const [sw, sh] = [301 + Math.floor(next() * 40), 97 + Math.floor(next() * 20)];
    const [dw, dh] = [96 + Math.floor(next() * 64), 33 + Math.floor(next() * 16)];
    const step = 1 + next() * 0.95; // source pixels per output pixel
    const crop = { x: next() * (sw - dw * step), y: 0, w: dw * step, h: Math.min(sh, dh * step) };
    const src = randomBytes(frameBytes(sw, sh), next);
    const dst = new Uint8Array(frameBytes(dw, dh));
    new FrameResampler({ srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh }).apply(src, dst, crop);
    t.ok(maxAbsDiff(dst, resampleFrame(src, sw, sh, dw, dh, crop)).worst <= 1, `${sw}x${sh} -> ${dw}x${dh}, step ${step.toFixed(2)}`);
  }
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

t.test('the feather stays inside the subject: no ring of the original background around it', async (t) => {
  // A hard disc mask at frame resolution; every frame pixel outside the disc must be fully the effect.
  const side = 64;
  const disc = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) disc[y * side + x] = (x + 0.5 - 32) ** 2 + (y + 0.5 - 32) ** 2 <= 20 ** 2 ? 255 : 0;
  }
  const content: AtlasContent = { maskWidth: side, maskHeight: side, sourceWidth: side, sourceHeight: side, frames: [0], boxes: [[0.25, 0.25, 0.5, 0.5]], masks: [disc] };
  const atlas = writeAtlas(content);
  const [cy] = yuvFromColor('#204080');
  for (const feather of [2, 5]) {
    const effects: EffectSpec[] = [{ type: 'replace-background', color: '#204080', fit: 'cover', feather }];
    const frame = probeFrame(side, side);
    new EffectChain({ width: side, height: side, effects, atlas }).apply(frame, 0);
    const outside = [...disc.keys()].filter((i) => disc[i] === 0);
    const leaked = outside.filter((i) => frame[i] !== cy);
    t.equal(leaked.length, 0, `feather ${feather}: all ${outside.length} background pixels are the colour`);
    const kept = [...disc.keys()].filter((i) => disc[i] === 255 && frame[i] === PROBE_Y);
    t.ok(kept.length > 50, `feather ${feather}: the subject's core is untouched (${kept.length} pixels)`);
    const soft = [...disc.keys()].filter((i) => disc[i] === 255 && frame[i] !== PROBE_Y && frame[i] !== cy);
    t.ok(soft.length > 0, `feather ${feather}: a soft edge inside the subject (${soft.length} pixels)`);
    // The old outward feather (box blur of the mask alone) leaves original background around the disc.
    const old = applyChainRef({ width: side, height: side, effects: effects.map((e) => rawOf(e)), atlas, outwardFeather: true }, probeFrame(side, side), 0);
    t.ok(outside.filter((i) => old[i] !== cy).length > 50, `feather ${feather}: an outward feather would leave a ring`);
  }
});
