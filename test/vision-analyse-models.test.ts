import t from 'tap';
import { join } from 'node:path';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { analyseVideo } from '../src/vision/analyse.js';
import { readAtlas, sampleMask } from '../src/vision/atlas.js';
import { writeFixtureModels } from './fixture-models/write-fixtures.js';
import { iou, makeClip } from './helpers/vision-clips.js';

// The analysis stage with the fixture models (hand-built colour-blob graphs
// with real YOLO / CLIP / U²-Net signatures, not trained models): a blue box
// and a red box move over a grey texture; the prompt decides which is the subject.
const paths = ffmpegPaths();

t.test('analysis with models: the prompt picks the subject, each model loads once, masks follow it', async (t) => {
  const dir = t.testdir();
  const models = writeFixtureModels(join(dir, 'models'));
  const clip = makeClip({
    dir,
    background: 'still-cellauto',
    colour: '0x2040ff',
    seconds: 2,
    subjectWidth: 56,
    subjectHeight: 56,
    x0: 20,
    vx: 50,
    y0: 30,
    vy: 10,
    second: { colour: '0xff2020', x0: 220, y0: 150, vx: -40, vy: -10, size: 56 },
  });
  const info = await probe(clip.file, paths);
  const cacheDir = join(dir, 'cache');
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

  for (const [label, m] of [
    ['detector', { detector: models.yoloDetect }],
    ['detector+ranker', { detector: models.yoloDetect, ranker: models.clipDir }],
    ['detector+ranker+segmenter', { detector: models.yoloDetect, ranker: models.clipDir, segmenter: models.segmenter }],
  ] as const) {
    const blue = await analyseVideo(info, { paths, models: m, prompt: 'a blue square', cacheDir });
    t.equal(blue.finder, label);
    t.equal(blue.cached, false);
    const expectedLoads = Object.keys(blue.loads);
    t.ok(expectedLoads.length >= label.split('+').length && Object.values(blue.loads).every((n) => n === 1), `each model session created once: ${JSON.stringify(blue.loads)}`);
    const blueIou = mean(blue.keyframes.map((k) => iou(k.box, clip.truth(k.frame))));
    t.comment(`${label}, "a blue square": mean IoU with the blue box ${blueIou.toFixed(3)}`);
    t.ok(blueIou >= 0.6, `${label} follows the blue box`);
    t.ok(blue.keyframes.every((k) => k.source === label && k.score > 0));

    const red = await analyseVideo(info, { paths, models: m, prompt: 'a red square', cacheDir });
    t.equal(red.cached, false, 'another prompt is another cache entry');
    const redIou = mean(red.keyframes.map((k) => iou(k.box, clip.truthSecond(k.frame))));
    t.comment(`${label}, "a red square": mean IoU with the red box ${redIou.toFixed(3)}`);
    t.ok(redIou >= 0.6, `${label} follows the red box`);

    const again = await analyseVideo(info, { paths, models: m, prompt: 'a blue square', cacheDir });
    t.equal(again.cached, true, 'same models and prompt: cache hit');
    t.same(again.loads, {}, 'no model loaded on a cache hit');
    t.equal(blue.inferences, blue.keyframes.length, 'one model pass per keyframe (models.inferences)');
    t.ok(blue.msPerInference > 0, `models.msPerInference measured (${blue.msPerInference} ms)`);
    t.same([again.inferences, again.msPerInference], [0, 0], 'no inference on a cache hit');

    // The mask is on the chosen subject, not the other one.
    const atlas = readAtlas(blue.atlas);
    const k = blue.keyframes[Math.floor(blue.keyframes.length / 2)];
    const mask = sampleMask(atlas, k.frame, clip.width, clip.height);
    const at = (box: number[]): number => mask[Math.round(box[1] + box[3] / 2) * clip.width + Math.round(box[0] + box[2] / 2)];
    t.ok(at(clip.truth(k.frame)) > 200 && at(clip.truthSecond(k.frame)) < 50, `${label}: mask on the blue box (${at(clip.truth(k.frame))}), off the red one (${at(clip.truthSecond(k.frame))})`);
  }
});

t.test('when the models find nothing, the model-free finder takes over and says so', async (t) => {
  const dir = t.testdir();
  const models = writeFixtureModels(join(dir, 'models'));
  // A grey subject: the colour-blob fixture detector sees no chroma at all.
  const clip = makeClip({ dir, background: 'still-cellauto', colour: '0x808080', seconds: 2 });
  const info = await probe(clip.file, paths);
  const r = await analyseVideo(info, { paths, models: { detector: models.yoloDetect }, prompt: 'a thing', cacheDir: false });
  t.equal(r.finder, 'model-free (detector found nothing)');
  t.same(r.loads, { detector: 1 });
  const m = r.keyframes.map((k) => iou(k.box, clip.truth(k.frame)));
  t.comment(`fallback mean IoU ${(m.reduce((a, b) => a + b, 0) / m.length).toFixed(3)}`);
  t.ok(r.keyframes.every((k) => k.source === 'model-free'));
});

t.test('keyframe schedules with a real fixture-segmenter session: adaptive spends runs only where needed', async (t) => {
  const dir = t.testdir();
  const models = writeFixtureModels(join(dir, 'models'));
  // 15 fps, 4 s: a subject moving steadily is followed by interpolating the 2 s base keyframes.
  const clip = makeClip({ dir, background: 'still-cellauto', colour: '0x2040ff', seconds: 4, subjectWidth: 56, subjectHeight: 56, x0: 20, vx: 40, y0: 40, vy: 10 });
  const info = await probe(clip.file, paths);
  const fixed = await analyseVideo(info, { paths, models: { segmenter: models.segmenter }, keyframeSchedule: 'fixed', cacheDir: false });
  const adaptive = await analyseVideo(info, { paths, models: { segmenter: models.segmenter }, cacheDir: false });
  t.equal(fixed.keyframeSchedule, 'fixed');
  t.equal(adaptive.keyframeSchedule, 'adaptive', 'adaptive is the default with a model');
  t.comment(`fixed: ${fixed.inferences} runs at ${fixed.keyframes.map((k) => k.frame).join(',')}; adaptive: ${adaptive.inferences} at ${adaptive.keyframes.map((k) => k.frame).join(',')}`);
  // 60 frames: every round(0.25 × 15) = 4 frames (the default interval), 0..56, and the last (59).
  t.equal(fixed.inferences, 16, 'fixed: every 0.25 s and the last frame');
  t.ok(adaptive.inferences < fixed.inferences, 'adaptive: fewer model runs');
  t.ok(adaptive.inferences <= 2 * (info.frames / info.fps), 'adaptive: at most 2 runs per second of video');
  t.equal(adaptive.inferences, adaptive.keyframes.length, 'every run is a keyframe');
  // Between its keyframes the interpolated mask still sits on the subject.
  const atlas = readAtlas(adaptive.atlas);
  for (const f of [7, 15, 22, 37, 52]) {
    const mask = sampleMask(atlas, f, clip.width, clip.height);
    const [x, y, w, h] = clip.truth(f);
    t.ok(mask[Math.round(y + h / 2) * clip.width + Math.round(x + w / 2)] > 200, `frame ${f}: the subject's centre is in the mask`);
  }
});
