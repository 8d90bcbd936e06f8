// The model-free finder on the clip that `maskflow demo`, the render tests and
// the benchmarks use (src/media/demo-clip.ts): a saturated red disc over
// ffmpeg's testsrc2, whose sweeping band, moving squares and counter also move.
// The true disc position is known for every frame (subjectPosition).
import t from 'tap';
import { join } from 'node:path';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { generateClip, subjectPosition, type ClipSpec } from '../src/media/demo-clip.js';
import { analyseVideo } from '../src/vision/analyse.js';
import { readAtlas, sampleMask } from '../src/vision/atlas.js';
import { iou } from './helpers/vision-clips.js';

const paths = ffmpegPaths();

// A box following the disc should overlap it well on average, and no
// keyframe may lose it (IoU 0.4 is roughly a box off by a third of its size).
const MEAN_IOU = 0.7;
const MIN_IOU = 0.4;
// Mask: on inside the (shrunk) disc, off far from it, in at least this share of keyframes.
const MASK_ON = 200;
const MASK_OFF = 30;
const MOST = 0.8;

const clips: { width: number; height: number; seconds: number; fps: string; subjectSize: number }[] = [];
for (const size of [
  { width: 320, height: 180, seconds: 3, fps: '25' },
  { width: 640, height: 360, seconds: 6, fps: '30' },
  { width: 1280, height: 720, seconds: 4, fps: '30' },
]) {
  for (const subjectSize of [0.3, 0.2]) clips.push({ ...size, subjectSize });
}

for (const c of clips) {
  t.test(`model-free finder follows the demo clip's disc (${c.width}x${c.height} @${c.fps} fps, ${c.seconds} s, disc ${c.subjectSize} of the height)`, async (t) => {
    const spec: ClipSpec = { output: join(t.testdir({}), 'demo.mp4'), ...c };
    await generateClip(paths, spec);
    const info = await probe(spec.output, paths);
    const result = await analyseVideo(info, { paths, cacheDir: false });
    t.equal(result.finder, 'model-free');

    const ious = result.keyframes.map((k) => {
      const p = subjectPosition(spec, k.frame / info.fps);
      return iou(k.box, [p.x, p.y, p.size, p.size]);
    });
    const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
    const min = Math.min(...ious);
    t.comment(`IoU per keyframe: ${ious.map((v) => v.toFixed(2)).join(' ')}; mean ${mean.toFixed(3)}, min ${min.toFixed(3)}`);
    t.ok(mean >= MEAN_IOU, `mean IoU ${mean.toFixed(3)} >= ${MEAN_IOU}`);
    t.ok(min >= MIN_IOU, `min IoU ${min.toFixed(3)} >= ${MIN_IOU}`);

    // Mask per keyframe, sampled at the input size (every other pixel is enough).
    const atlas = readAtlas(result.atlas);
    const inside: number[] = [];
    const far: number[] = [];
    for (const k of result.keyframes) {
      const m = sampleMask(atlas, k.frame, c.width, c.height);
      const p = subjectPosition(spec, k.frame / info.fps);
      const r = p.size / 2;
      let inSum = 0;
      let inN = 0;
      let farSum = 0;
      let farN = 0;
      for (let y = 0; y < c.height; y += 2) {
        for (let x = 0; x < c.width; x += 2) {
          const d = Math.hypot(x + 0.5 - (p.x + r), y + 0.5 - (p.y + r));
          if (d < 0.75 * r) {
            inSum += m[y * c.width + x];
            inN++;
          } else if (d > 2 * r) {
            farSum += m[y * c.width + x];
            farN++;
          }
        }
      }
      inside.push(inSum / inN);
      far.push(farSum / farN);
    }
    t.comment(`mask inside the disc: ${inside.map((v) => v.toFixed(0)).join(' ')}; far from it: ${far.map((v) => v.toFixed(1)).join(' ')} (0..255)`);
    const on = inside.filter((v) => v >= MASK_ON).length;
    const off = far.filter((v) => v <= MASK_OFF).length;
    t.ok(on >= MOST * inside.length, `mask >= ${MASK_ON} inside the disc in ${on}/${inside.length} keyframes`);
    t.ok(off >= MOST * far.length, `mask <= ${MASK_OFF} far from the disc in ${off}/${far.length} keyframes`);
  });
}
