import t from 'tap';
import { computeCropPath } from '../src/vision/crop-path.js';
import { rng } from './helpers/random.js';

type Key = { frame: number; box: [number, number, number, number] };

/** The path as one window object per frame, for readable assertions. */
function cropWindows(keyframes: Key[], geometry: typeof video, window: typeof size): { x: number; y: number; w: number; h: number }[] {
  const p = computeCropPath(keyframes, geometry, window);
  return Array.from({ length: geometry.frames }, (_, f) => ({ x: p[4 * f], y: p[4 * f + 1], w: p[4 * f + 2], h: p[4 * f + 3] }));
}
const video = { width: 1920, height: 1080, frames: 300, fps: 30 };
const size = { width: 608, height: 1080 }; // 9:16 of a 1080p landscape frame

/** Random subject walk: keyframes every 15 frames, speed at most `maxPxPerFrame`. */
function randomWalk(seed: number, maxPxPerFrame: number, frames = video.frames): Key[] {
  const next = rng(seed);
  const keys: Key[] = [];
  let cx = 200 + next() * 1500;
  const cy = 540;
  const bw = 40 + next() * 200;
  for (let f = 0; f < frames; f += 15) {
    keys.push({ frame: f, box: [cx - bw / 2, cy - 100, bw, 200] });
    cx = Math.min(1900, Math.max(20, cx + (next() * 2 - 1) * maxPxPerFrame * 15));
  }
  if (keys[keys.length - 1].frame !== frames - 1) keys.push({ frame: frames - 1, box: [...keys[keys.length - 1].box] });
  return keys;
}

function centreAt(keys: Key[], f: number): [number, number] {
  let k = 0;
  while (k + 1 < keys.length && keys[k + 1].frame <= f) k++;
  const a = keys[k];
  const b = keys[Math.min(k + 1, keys.length - 1)];
  const s = b.frame > a.frame ? Math.min(1, (f - a.frame) / (b.frame - a.frame)) : 0;
  const c = (box: Key['box'], i: 0 | 1): number => box[i] + box[i + 2] / 2;
  return [c(a.box, 0) + (c(b.box, 0) - c(a.box, 0)) * s, c(a.box, 1) + (c(b.box, 1) - c(a.box, 1)) * s];
}

t.test('windows: fixed even size, even position, always inside the frame, subject centre always inside', async (t) => {
  for (let seed = 1; seed <= 25; seed++) {
    const keys = randomWalk(seed, 25); // fast subjects too: the inside rules must hold regardless of speed
    const p = computeCropPath(keys, video, size);
    t.equal(p.length, video.frames * 4);
    let bad = '';
    for (let f = 0; f < video.frames && !bad; f++) {
      const [x, y, w, h] = p.subarray(4 * f, 4 * f + 4);
      const [cx, cy] = centreAt(keys, f);
      if (w !== 608 || h !== 1080) bad = `frame ${f}: size ${w}x${h}`;
      else if (x % 2 || y % 2 || !Number.isInteger(x)) bad = `frame ${f}: odd position ${x},${y}`;
      else if (x < 0 || y < 0 || x + w > 1920 || y + h > 1080) bad = `frame ${f}: outside the frame at ${x},${y}`;
      else if (cx < x || cx > x + w || cy < y || cy > y + h) bad = `frame ${f}: subject centre ${cx.toFixed(1)} outside ${x}..${x + w}`;
    }
    t.equal(bad, '', `seed ${seed}`);
  }
});

t.test('speed is bounded when the subject moves slower than the limit', async (t) => {
  const maxStep = (1 * size.width) / video.fps; // default maxSpeed: one window width per second
  for (let seed = 100; seed < 120; seed++) {
    const p = computeCropPath(randomWalk(seed, maxStep / 2), video, size);
    let worst = 0;
    for (let f = 1; f < video.frames; f++) worst = Math.max(worst, Math.abs(p[4 * f] - p[4 * (f - 1)]));
    t.ok(worst <= maxStep + 2, `seed ${seed}: largest step ${worst} px <= ${maxStep.toFixed(1)} + 2 (even rounding)`);
  }
});

t.test('the whole subject stays in view when it fits the window', async (t) => {
  for (let seed = 200; seed < 215; seed++) {
    const keys = randomWalk(seed, 8);
    const p = computeCropPath(keys, video, size);
    let worst = 0;
    for (const k of keys) {
      const x = p[4 * k.frame];
      // The part of the box inside the frame (a subject at the edge can be partly outside it).
      const left = Math.max(0, k.box[0]);
      const right = Math.min(video.width, k.box[0] + k.box[2]);
      worst = Math.max(worst, x - left, right - (x + size.width));
    }
    t.ok(worst <= 2, `seed ${seed}: subject box sticks out by at most ${worst.toFixed(1)} px at keyframes`);
  }
});

t.test('a still subject gives a still window; jitter inside the dead zone too', async (t) => {
  const still: Key[] = [0, 15, 30, 45, 60, 75, 89].map((frame) => ({ frame, box: [1200, 400, 120, 300] }));
  const v = { ...video, frames: 90 };
  const p = cropWindows(still, v, size);
  t.ok(p.every((w) => w.x === p[0].x && w.y === p[0].y), `constant at x=${p[0].x}`);
  t.ok(p[0].x <= 1200 && p[0].x + 608 >= 1320, 'subject inside');
  const next = rng(42);
  const jitter: Key[] = still.map((k) => ({ frame: k.frame, box: [1200 + (next() * 2 - 1) * 20, 400 + (next() * 2 - 1) * 20, 120, 300] }));
  const q = cropWindows(jitter, v, size);
  t.ok(q.every((w) => w.x === q[0].x), '±20 px jitter (dead zone ±48 px) leaves the window still');
});

t.test('after the subject stops, the window settles and stays put', async (t) => {
  const keys: Key[] = [];
  for (let f = 0; f <= 90; f += 15) keys.push({ frame: f, box: [200 + f * 10, 400, 100, 200] }); // moves right for 3 s
  keys.push({ frame: 299, box: [1100, 400, 100, 200] }); // then still
  const p = computeCropPath(keys, video, size);
  const x = (f: number): number => p[4 * f];
  t.ok(x(90) > x(0), 'it followed the subject');
  const settled = Array.from({ length: 150 }, (_, i) => x(150 + i));
  t.ok(settled.every((v) => v === settled[0]), `still from frame 150 at x=${settled[0]}`);
});

t.test('a window as wide as the frame never moves on that axis; portrait input crops vertically', async (t) => {
  const keys = randomWalk(7, 10);
  const p = computeCropPath(keys, video, { width: 1920, height: 1080 });
  for (let f = 0; f < video.frames; f++) if (p[4 * f] !== 0 || p[4 * f + 1] !== 0) t.fail(`frame ${f} moved`);
  const portrait = { width: 1080, height: 1920, frames: 60, fps: 30 };
  const vkeys: Key[] = [{ frame: 0, box: [500, 100, 100, 100] }, { frame: 59, box: [500, 1700, 100, 100] }];
  const q = cropWindows(vkeys, portrait, { width: 1080, height: 1080 });
  t.ok(q.every((w) => w.x === 0 && w.y >= 0 && w.y + 1080 <= 1920), 'x fixed, y inside');
  t.ok(q[59].y > q[0].y, 'window moved down with the subject');
});

t.test('bad arguments are clear RangeErrors', async (t) => {
  const keys = randomWalk(1, 5);
  t.throws(() => computeCropPath(keys, video, { width: 2000, height: 1080 }), /larger than the 1920x1080 frame/);
  t.throws(() => computeCropPath(keys, video, { width: 607, height: 1080 }), /even integer sides/);
  t.throws(() => computeCropPath([], video, size), /no keyframes/);
  t.throws(() => computeCropPath([keys[1], keys[0]], video, size), /must increase/);
  t.throws(() => computeCropPath([{ frame: 0, box: [Number.NaN, 0, 1, 1] }], video, size), /bad box/);
  t.throws(() => computeCropPath(keys, { ...video, frames: 0 }, size), RangeError);
});
