// The model-free finder with a fixed lag (the onMask option): masks come out
// while keyframes are still added, each once and in order, the finder holds
// per-keyframe maps for a bounded window only (not for the whole input), an
// input shorter than two lags gets exactly the one-decision result, and on a
// long input the boxes follow the subject as well as the one decision over
// all keyframes does (IoU against the scene's known subject box).
import t from 'tap';
import { ModelFreeFinder, type ModelFreeResult } from '../src/vision/model-free-finder.js';
import { finderScenes } from './helpers/finder-scenes.js';
import { rng } from './helpers/random.js';

/** The subject box at keyframe k of longScenes (pixels, x y w h): it goes round the frame every 24 keyframes. */
function truth(w: number, h: number, k: number): number[] {
  const [sw, sh] = [Math.round(0.15 * w + 2), Math.round(0.2 * h + 2)];
  const x = Math.round((w - sw) * (0.5 - 0.45 * Math.cos((2 * Math.PI * k) / 24)));
  const y = Math.round((h - sh) * (0.5 + 0.4 * Math.sin((2 * Math.PI * k) / 17)));
  return [x, y, sw, sh];
}

/** finderScenes' backdrop and distractors for a long input, with a subject that keeps moving (truth()). */
function longScenes(w: number, h: number, count: number, seed: number): Uint8Array[] {
  const next = rng(seed);
  const bg = new Uint8Array(w * h * 3);
  const tint = [next() * 80, next() * 80, next() * 80];
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) bg[3 * i + c] = Math.min(255, Math.floor(tint[c] + next() * 120));
  const fill = (f: Uint8Array, [x0, y0, bw, bh]: number[], colour: number[]): void => {
    for (let y = Math.max(0, Math.round(y0)); y < Math.min(h, Math.round(y0 + bh)); y++) {
      for (let x = Math.max(0, Math.round(x0)); x < Math.min(w, Math.round(x0 + bw)); x++) f.set(colour, 3 * (y * w + x));
    }
  };
  const subject = [230, 40, 60];
  return Array.from({ length: count }, (_, k) => {
    const f = bg.slice();
    fill(f, truth(w, h, k), subject);
    const colour = [Math.floor(next() * 256), Math.floor(next() * 256), Math.floor(next() * 256)];
    fill(f, [next() * w, next() * h, 2 + next() * 0.15 * w, 2 + next() * 0.15 * h], colour);
    return f;
  });
}

function iou(a: number[], b: number[]): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

interface Held {
  saliencies: Float32Array[];
  bins: Uint16Array[];
}
const held = (f: ModelFreeFinder): number => {
  const h = f as unknown as Held;
  return h.saliencies.filter((s) => s.length > 0).length + h.bins.filter((b) => b.length > 0).length;
};

function streamed(frames: Uint8Array[], w: number, h: number, lag: number): { result: ModelFreeResult; beforeFinish: number; mostHeld: number; order: number[] } {
  const masks: Float32Array[] = [];
  const order: number[] = [];
  const finder = new ModelFreeFinder({
    lag,
    onMask: (k, m) => {
      masks[k] = m;
      order.push(k);
    },
  });
  let mostHeld = 0;
  for (const f of frames) {
    finder.add({ data: f, width: w, height: h });
    mostHeld = Math.max(mostHeld, held(finder));
  }
  const beforeFinish = order.length;
  const r = finder.finishMasks((k, m) => {
    masks[k] = m;
    order.push(k);
  });
  return { result: { width: r.width, height: r.height, frames: r.frames.map((f, k) => ({ ...f, mask: masks[k] })) }, beforeFinish, mostHeld, order };
}

function global(frames: Uint8Array[], w: number, h: number): ModelFreeResult {
  const finder = new ModelFreeFinder();
  for (const f of frames) finder.add({ data: f, width: w, height: h });
  return finder.finish();
}

t.test('an input shorter than two lags: exactly the one-decision result', async (t) => {
  const [w, h, count] = [96, 72, 14];
  const frames = finderScenes(w, h, count, 31);
  const want = global(frames, w, h);
  const got = streamed(frames, w, h, 8);
  t.equal(got.beforeFinish, 0, 'nothing is final before the end');
  t.same(got.result.frames.map((f) => [f.box, f.score, f.found]), want.frames.map((f) => [f.box, f.score, f.found]), 'same boxes and scores');
  t.ok(got.result.frames.every((f, k) => f.mask.every((v, i) => v === want.frames[k].mask[i])), 'same masks');
});

t.test('a long input: masks out while adding, in order, a bounded window held, boxes as good as one decision', async (t) => {
  const [w, h, count, lag] = [96, 72, 90, 4];
  const frames = longScenes(w, h, count, 32);
  const want = global(frames, w, h);
  const got = streamed(frames, w, h, lag);
  t.same(got.order, Array.from({ length: count }, (_, k) => k), 'every mask once, in keyframe order');
  t.ok(got.beforeFinish >= count - 3 * lag - 6, `${got.beforeFinish} of ${count} masks out before finishMasks`);
  // Saliency and bins of at most the run, its look-ahead and the keyframes analysed ahead of it (2 maps each).
  t.ok(got.mostHeld <= 2 * (3 * lag), `at most ${got.mostHeld / 2} keyframes' maps held at once (lag ${lag})`);
  const mean = (r: ModelFreeResult): number => r.frames.reduce((s, f, k) => s + iou([f.box[0] * w, f.box[1] * h, f.box[2] * w, f.box[3] * h], truth(w, h, k)), 0) / count;
  const [a, b] = [mean(got.result), mean(want)];
  t.comment(`mean IoU against the subject: fixed lag ${lag}: ${a.toFixed(3)}, one decision: ${b.toFixed(3)}`);
  t.ok(b > 0.5, 'the one decision follows the subject (the scene is a fair test)');
  t.ok(a >= b - 0.02, 'the fixed-lag boxes follow it as well');
  t.throws(() => new ModelFreeFinder({ lag: 0 }), /lag must be a positive integer/);
});
