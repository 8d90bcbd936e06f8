import t from 'tap';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { analyseVideo } from '../src/vision/analyse.js';
import { readAtlas, sampleMask } from '../src/vision/atlas.js';
import { ModelFreeFinder } from '../src/vision/model-free-finder.js';
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

// Same finder on frames built in memory: noise texture, a distinct square
// moving along a known path. Fast, and independent of the codec.
function syntheticFrames(count: number, seed: number, move: (k: number) => [number, number]): { frames: Uint8Array[]; truth: [number, number, number, number][] } {
  const w = 160;
  const h = 120;
  const next = rng(seed);
  const bg = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const v = 60 + Math.floor(next() * 120); // grey texture
    bg.set([v, v, v], 3 * i);
  }
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
