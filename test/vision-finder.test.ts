import t from 'tap';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { analyseVideo } from '../src/vision/analyse.js';
import { readAtlas, sampleMask } from '../src/vision/atlas.js';
import { quantile } from '../src/vision/image-ops.js';
import { openBinary } from './helpers/finder-reference.js';
import { ModelFreeFinder } from '../src/vision/model-free-finder.js';
import { smoothBoxes, type Box } from '../src/vision/temporal-smoothing.js';
import { iou, makeClip, type ClipSpec } from './helpers/vision-clips.js';
import { rng } from './helpers/random.js';

const paths = ffmpegPaths();

// Thresholds: a box is "following" the subject when IoU >= 0.5 (the usual
// detection criterion); we ask that of the mean over keyframes and allow no
// keyframe to lose the subject entirely (IoU >= 0.3).
const MEAN_IOU = 0.5;
const MIN_IOU = 0.3;

const cases: { name: string; spec: Omit<ClipSpec, 'dir'> }[] = [
  { name: 'pink box moving over a still black/white cellular texture', spec: { background: 'still-cellauto' } },
  { name: 'green disc moving over a still Mandelbrot image (colourful, not on the border)', spec: { background: 'still-mandelbrot', disc: true, colour: '0x30e040', subjectWidth: 56, subjectHeight: 56, x0: 250, vx: -55, y0: 150, vy: -25 } },
  { name: 'orange box moving over a scrolling (changing every frame) cellular texture', spec: { background: 'scrolling-cellauto', colour: '0xff8000', x0: 200, vx: -40, vy: 10 } },
  { name: 'grey box (the grey the fine texture averages to at analysis size) moving over a still cellular texture', spec: { background: 'still-cellauto', colour: '0x808080' } },
  { name: 'still pink disc on a still texture (no motion cue at all)', spec: { background: 'still-cellauto', disc: true, vx: 0, vy: 0, x0: 150, y0: 100 } },
];

for (const c of cases) {
  t.test(`model-free finder follows a ${c.name}`, async (t) => {
    const clip = makeClip({ dir: t.testdir(), ...c.spec });
    const info = await probe(clip.file, paths);
    const result = await analyseVideo(info, { paths, cacheDir: false });
    t.equal(result.finder, 'model-free');
    t.equal(result.cached, false);
    const ious = result.keyframes.map((k) => iou(k.box, clip.truth(k.frame)));
    const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
    t.comment(`IoU per keyframe: ${ious.map((v) => v.toFixed(2)).join(' ')}; mean ${mean.toFixed(3)}, min ${Math.min(...ious).toFixed(3)}`);
    t.ok(mean >= MEAN_IOU, `mean IoU ${mean.toFixed(3)} >= ${MEAN_IOU}`);
    t.ok(Math.min(...ious) >= MIN_IOU, `min IoU ${Math.min(...ious).toFixed(3)} >= ${MIN_IOU}`);
    // The mask agrees with the box: high inside the true subject, low far from it.
    const atlas = readAtlas(result.atlas);
    let inside = 0;
    let insideN = 0;
    let outside = 0;
    let outsideN = 0;
    for (const k of result.keyframes) {
      const m = sampleMask(atlas, k.frame, clip.width, clip.height);
      const [x, y, w, h] = clip.truth(k.frame);
      for (let py = 0; py < clip.height; py++) {
        for (let px = 0; px < clip.width; px++) {
          const inBox = px >= x + 4 && px < x + w - 4 && py >= y + 4 && py < y + h - 4;
          const far = px < x - 16 || px >= x + w + 16 || py < y - 16 || py >= y + h + 16;
          if (inBox) {
            inside += m[py * clip.width + px];
            insideN++;
          } else if (far) {
            outside += m[py * clip.width + px];
            outsideN++;
          }
        }
      }
    }
    t.comment(`mask mean inside the subject ${(inside / insideN).toFixed(1)}, far outside ${(outside / outsideN).toFixed(1)} (0..255)`);
    t.ok(inside / insideN > 150, 'mask is mostly on inside the subject');
    t.ok(outside / outsideN < 20, 'mask is mostly off away from the subject');
  });
}

// Grey noise texture, w x h RGB, drawn from `next` (so later draws continue the same stream).
function greyTexture(w: number, h: number, next: () => number): Uint8Array {
  const bg = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const v = 60 + Math.floor(next() * 120);
    bg.set([v, v, v], 3 * i);
  }
  return bg;
}

// Same finder on frames built in memory: noise texture, a distinct square
// moving along a known path. Fast, and independent of the codec.
function syntheticFrames(count: number, seed: number, move: (k: number) => [number, number]): { frames: Uint8Array[]; truth: [number, number, number, number][] } {
  const w = 160;
  const h = 120;
  const next = rng(seed);
  const bg = greyTexture(w, h, next);
  const frames: Uint8Array[] = [];
  const truth: [number, number, number, number][] = [];
  for (let k = 0; k < count; k++) {
    const f = bg.slice();
    const [sx, sy] = move(k);
    for (let y = sy; y < sy + 24; y++) for (let x = sx; x < sx + 24; x++) f.set([30, 90, 230], 3 * (y * w + x));
    frames.push(f);
    truth.push([sx, sy, 24, 24]);
  }
  return { frames, truth };
}

t.test('finder boxes match a square on noise, moving or still (in-memory frames)', async (t) => {
  for (const [label, move] of [
    ['moving', (k: number): [number, number] => [10 + 11 * k, 20 + 6 * k]],
    ['still', (): [number, number] => [70, 50]],
  ] as const) {
    const { frames, truth } = syntheticFrames(10, 0x5eed, move);
    const finder = new ModelFreeFinder();
    for (const f of frames) finder.add({ data: f, width: 160, height: 120 });
    const r = finder.finish();
    const ious = r.frames.map((fr, k) => iou([fr.box[0] * 160, fr.box[1] * 120, fr.box[2] * 160, fr.box[3] * 120], truth[k]));
    t.comment(`${label}: IoU ${ious.map((v) => v.toFixed(2)).join(' ')}`);
    t.ok(Math.min(...ious) >= 0.6, `${label}: every keyframe IoU >= 0.6`);
    t.ok(r.frames.every((f) => f.found && f.score > 0.3), `${label}: found with confidence`);
  }
});

// A part of the subject coloured like the background (a dark collar on a dark sky): saliency
// misses it, the mask must not (mask-shape.ts fills what the subject encloses).
t.test('finder mask keeps a background-coloured part the subject encloses', async (t) => {
  const w = 160;
  const h = 120;
  const next = rng(4321);
  const bg = greyTexture(w, h, next);
  const finder = new ModelFreeFinder();
  const at: [number, number][] = [];
  for (let k = 0; k < 10; k++) {
    const f = bg.slice();
    const [sx, sy] = [15 + 10 * k, 30 + 4 * k];
    for (let y = sy; y < sy + 32; y++) {
      for (let x = sx; x < sx + 32; x++) {
        const band = y >= sy + 10 && y < sy + 22 && x >= sx + 6 && x < sx + 26;
        f.set(band ? [120, 120, 120] : [30, 90, 230], 3 * (y * w + x));
      }
    }
    at.push([sx, sy]);
    finder.add({ data: f, width: w, height: h });
  }
  const r = finder.finish();
  const sx = (v: number): number => Math.floor((v * r.width) / w);
  const sy = (v: number): number => Math.floor((v * r.height) / h);
  const centre = r.frames.map((f, k) => f.mask[sy(at[k][1] + 16) * r.width + sx(at[k][0] + 16)]);
  t.comment(`mask at the grey band's centre: ${centre.map((v) => v.toFixed(2)).join(' ')}`);
  t.ok(centre.every((v) => v > 0.9), 'on in every keyframe');
  t.ok(r.frames.every((f, k) => f.mask[sy(at[k][1] + 16) * r.width + Math.min(r.width - 1, sx(at[k][0] + 50))] < 0.1), 'off beside the subject');
});

// A part of the subject in a colour the background also has (an orange suit by an orange cup):
// the colour model cuts it; it is salient and touches the rest, so it joins the mask.
t.test('finder mask keeps a part of the subject coloured like a background object', async (t) => {
  const w = 160;
  const h = 120;
  const next = rng(2468);
  const bg = greyTexture(w, h, next);
  // Orange covers most of the frame, so the colour model weighs it as background.
  const orange = [230, 120, 30];
  for (let y = 50; y < h; y++) for (let x = 0; x < w; x++) bg.set(orange, 3 * (y * w + x));
  const finder = new ModelFreeFinder();
  const at: [number, number][] = [];
  for (let k = 0; k < 10; k++) {
    const f = bg.slice();
    const [sx, sy] = [10 + 13 * k, 4 + (k % 3)];
    for (let y = sy; y < sy + 40; y++) for (let x = sx; x < sx + 24; x++) f.set(y < sy + 30 ? [30, 90, 230] : orange, 3 * (y * w + x));
    at.push([sx, sy]);
    finder.add({ data: f, width: w, height: h });
  }
  const r = finder.finish();
  const px = (x: number, y: number): number => Math.floor((y * r.height) / h) * r.width + Math.floor((x * r.width) / w);
  const lower = r.frames.map((f, k) => f.mask[px(at[k][0] + 12, at[k][1] + 35)]);
  t.comment(`mask in the orange part: ${lower.map((v) => v.toFixed(2)).join(' ')}`);
  t.ok(lower.filter((v) => v > 0.5).length >= 8, 'on in most keyframes');
  t.ok(r.frames.every((f, k) => f.mask[px(at[k][0] + 12, at[k][1] + 12)] > 0.9), 'the blue part is on');
  t.ok(r.frames.every((f, k) => f.mask[px(at[k][0] + 12, 70)] < 0.1), 'the orange background below stays off');
});

t.test('finder reports nothing found on a plain texture with no subject', async (t) => {
  const next = rng(77);
  const finder = new ModelFreeFinder();
  const frame = new Uint8Array(160 * 120 * 3);
  for (let i = 0; i < 160 * 120; i++) {
    const v = 100 + Math.floor(next() * 40);
    frame.set([v, v, v], 3 * i);
  }
  for (let k = 0; k < 5; k++) finder.add({ data: frame, width: 160, height: 120 });
  const r = finder.finish();
  t.ok(r.frames.every((f) => !f.found && f.score === 0), 'no subject, score 0');
  t.ok(r.frames.every((f) => f.mask.every((v) => v === 0)), 'empty masks');
});

// A distinct subject among salient distractors that change from keyframe to
// keyframe (random colours and places, some touching the subject): the
// distractors are as salient and bigger, only the subject stays itself.
t.test('finder keeps the one consistent subject among bigger, changing distractors, also when they touch it', async (t) => {
  const w = 160;
  const h = 120;
  const size = 22;
  const count = 12;
  const next = rng(1234);
  const bg = greyTexture(w, h, next);
  const palette = [[40, 170, 160], [150, 60, 170], [70, 160, 60], [200, 200, 90], [60, 90, 200]];
  const fill = (f: Uint8Array, x0: number, y0: number, bw: number, bh: number, c: number[]): void => {
    for (let y = Math.max(0, y0); y < Math.min(h, y0 + bh); y++) for (let x = Math.max(0, x0); x < Math.min(w, x0 + bw); x++) f.set(c, 3 * (y * w + x));
  };
  const finder = new ModelFreeFinder();
  const truth: [number, number, number, number][] = [];
  for (let k = 0; k < count; k++) {
    const f = bg.slice();
    const p = k / (count - 1);
    const sx = Math.round(20 + 110 * p);
    const sy = Math.round(60 + 35 * Math.sin(2 * Math.PI * p) - size / 2);
    for (let d = 0; d < 2; d++) {
      const bw = 26 + Math.floor(next() * 10);
      const bh = 26 + Math.floor(next() * 10);
      let x: number;
      let y: number;
      do {
        x = Math.floor(next() * (w - bw));
        y = Math.floor(next() * (h - bh));
      } while (x < sx + size + 2 && x + bw > sx - 2 && y < sy + size + 2 && y + bh > sy - 2);
      fill(f, x, y, bw, bh, palette[Math.floor(next() * palette.length)]);
    }
    if (k % 4 === 3) fill(f, sx + size, sy - 6, 30, size + 12, palette[k % palette.length]); // touching the subject
    fill(f, sx, sy, size, size, [240, 120, 20]);
    truth.push([sx, sy, size, size]);
    finder.add({ data: f, width: w, height: h });
  }
  const r = finder.finish();
  const ious = r.frames.map((fr, k) => iou([fr.box[0] * w, fr.box[1] * h, fr.box[2] * w, fr.box[3] * h], truth[k]));
  t.comment(`IoU ${ious.map((v) => v.toFixed(2)).join(' ')}`);
  t.ok(Math.min(...ious) >= 0.7, `every keyframe IoU >= 0.7 (min ${Math.min(...ious).toFixed(2)})`);
  // The mask is the subject only: nothing of the touching distractor.
  const k = 3;
  const m = r.frames[k].mask;
  const sx = (v: number): number => Math.floor((v * r.width) / w);
  const sy = (v: number): number => Math.floor((v * r.height) / h);
  const [tx, ty] = truth[k];
  t.ok(m[sy(ty + size / 2) * r.width + sx(tx + size / 2)] > 0.9, 'mask on at the subject centre');
  t.ok(m[sy(ty + size / 2) * r.width + sx(tx + size + 15)] < 0.1, 'mask off on the distractor touching it');
});

t.test('smoothBoxes keeps a curved, accelerating path, drops a one-keyframe jump and damps jitter', async (t) => {
  const n = 15;
  const path = (i: number): Box => [0.4 + 0.3 * Math.sin(i / 2.5) - 0.1, 0.5 + 0.2 * Math.cos(i / 1.7) - 0.1, 0.2, 0.2];
  const clean = Array.from({ length: n }, (_, i) => path(i));
  const err = (a: Box, b: Box): number => Math.max(...a.map((v, j) => Math.abs(v - b[j])));
  const kept = smoothBoxes(clean);
  const worst = Math.max(...kept.map((b, i) => err(b, clean[i])));
  t.ok(worst < 0.01, `a smooth path moves by at most ${worst.toFixed(4)} (< 0.01 of the frame)`);

  const jumped = clean.map((b) => [...b] as Box);
  jumped[6] = [0.75, 0.05, 0.2, 0.2];
  const fixed = smoothBoxes(jumped);
  t.ok(err(fixed[6], clean[6]) < 0.03, `the jumped keyframe is back near the path (off by ${err(fixed[6], clean[6]).toFixed(3)})`);

  const next = rng(99);
  const noisy = clean.map((b) => b.map((v) => v + (next() - 0.5) * 0.02) as Box);
  const rms = (boxes: Box[]): number => Math.sqrt(boxes.slice(2, n - 2).reduce((s, b, i) => s + b.reduce((q, v, j) => q + (v - clean[i + 2][j]) ** 2, 0), 0) / ((n - 4) * 4));
  const before = rms(noisy);
  const after = rms(smoothBoxes(noisy));
  t.comment(`jitter rms ${before.toFixed(4)} -> ${after.toFixed(4)}`);
  t.ok(after < 0.8 * before, 'jitter is reduced');
});

t.test('quantile matches a sorted reference on random samples with ties', async (t) => {
  const next = rng(4242);
  for (let trial = 0; trial < 40; trial++) {
    const n = 1 + Math.floor(next() * 3000);
    const levels = trial % 2 ? 7 : 1e6; // every other trial: many ties
    const values = Float32Array.from({ length: n }, () => Math.floor(next() * levels) / levels - 0.3);
    const sorted = Float32Array.from(values).sort();
    for (const q of [0, 0.001, 0.25, 0.5, 0.9, 0.999, 1, next()]) {
      const expected = sorted[Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))))];
      if (quantile(values, q) !== expected) {
        t.fail(`n=${n} q=${q}: got ${quantile(values, q)}, expected ${expected}`);
        return;
      }
    }
  }
  t.equal(quantile([], 0.5), 0, 'empty sample');
  t.pass('40 random samples agree');
});

t.test('openBinary matches a plain 3x3 erode-then-dilate reference on random masks', async (t) => {
  const next = rng(777);
  for (let trial = 0; trial < 20; trial++) {
    const w = 1 + Math.floor(next() * 40);
    const h = 1 + Math.floor(next() * 30);
    const density = 0.3 + 0.6 * next();
    const mask = Uint8Array.from({ length: w * h }, () => (next() < density ? 1 : 0));
    // Reference: min / max over the in-image 3x3 neighbourhood.
    const morph = (src: Uint8Array, erode: boolean): Uint8Array =>
      Uint8Array.from({ length: w * h }, (_, i) => {
        const x = i % w;
        const y = (i - x) / w;
        let v = src[i];
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const nx = x + dx;
            const ny = y + dy;
            if (nx < 0 || nx >= w || ny < 0 || ny >= h) continue;
            v = erode ? Math.min(v, src[ny * w + nx]) : Math.max(v, src[ny * w + nx]);
          }
        }
        return v;
      });
    const expected = morph(morph(mask, true), false);
    const got = openBinary(mask.slice(), w, h);
    if (!got.every((v, i) => v === expected[i])) {
      t.fail(`${w}x${h} mask (density ${density.toFixed(2)}) differs from the reference`);
      return;
    }
  }
  t.pass('20 random masks agree');
});
