// End-to-end over real onnxruntime sessions on the generated fixture models (hand-built
// colour-blob graphs with the real signatures, not trained models).
import t from 'tap';
import { YoloDetector } from '../src/vision/models/detector.js';
import { ClipRanker } from '../src/vision/models/ranker.js';
import { Segmenter } from '../src/vision/models/segmenter.js';
import { findSubject, loadSubjectModels, modelLoadCounts, releaseSubjectModels, type RgbImage } from '../src/vision/models/index.js';
import { cropRgb } from '../src/vision/models/rgb-resample.js';
import { boxIou, drawScene, generateFixtures } from './helpers/fixture-models.js';

const fx = generateFixtures(t);
const RED: [number, number, number] = [220, 30, 30];
const BLUE: [number, number, number] = [30, 40, 220];
const redBox: [number, number, number, number] = [40, 60, 80, 80];
const blueBox: [number, number, number, number] = [200, 110, 60, 50];
const scene = drawScene(320, 240, [
  { box: redBox, rgb: RED, shape: 'rect' },
  { box: blueBox, rgb: BLUE, shape: 'rect' },
]);

function maskIou(mask: Uint8Array, image: RgbImage, box: readonly number[]): number {
  let inter = 0;
  let union = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const m = mask[y * image.width + x] >= 128;
      const b = x >= box[0] && x < box[0] + box[2] && y >= box[1] && y < box[1] + box[3];
      if (m && b) inter++;
      if (m || b) union++;
    }
  }
  return inter / union;
}

t.test('detect fixture: one box per coloured object, right class, IoU with the drawn boxes', async (t) => {
  const detector = await YoloDetector.load(fx.yoloDetect);
  t.teardown(() => detector.release());
  t.same(detector.names, ['red', 'green', 'blue'], 'names from metadata_props');
  t.equal(detector.segment, false);
  const { candidates } = await detector.detect(scene);
  const red = candidates.find((c) => c.label === 'red');
  const blue = candidates.find((c) => c.label === 'blue');
  t.ok(red && blue, `labels found: ${candidates.map((c) => c.label).join(', ')}`);
  const redIou = boxIou(red!.box, redBox);
  const blueIou = boxIou(blue!.box, blueBox);
  t.ok(redIou > 0.9, `red IoU ${redIou.toFixed(3)}`);
  t.ok(blueIou > 0.9, `blue IoU ${blueIou.toFixed(3)}`);
  t.ok(red!.score > blue!.score, 'the larger object scores higher in this fixture');
  const empty = await detector.detect(drawScene(320, 240, []));
  t.equal(empty.candidates.length, 0, 'a grey textured frame has no candidates');
});

t.test('segment fixture: per-candidate mask matches the object; end-to-end form decodes too', async (t) => {
  const seg = await YoloDetector.load(fx.yoloSegment);
  t.teardown(() => seg.release());
  t.equal(seg.segment, true);
  const det = await seg.detect(scene);
  const red = det.candidates.find((c) => c.label === 'red')!;
  const mask = seg.maskFor(det, red)!;
  t.equal(mask.length, 320 * 240);
  const iou = maskIou(mask, scene, redBox);
  t.ok(iou > 0.85, `red mask IoU with the drawn square ${iou.toFixed(3)}`);
  t.equal(mask[(blueBox[1] + 20) * 320 + blueBox[0] + 20], 0, 'the blue object is outside the red candidate mask');

  const e2e = await YoloDetector.load(fx.yoloEndToEnd);
  t.teardown(() => e2e.release());
  const out = await e2e.detect(scene);
  const best = out.candidates[0];
  t.equal(best.label, 'red');
  t.ok(boxIou(best.box, redBox) > 0.9, `end-to-end red IoU ${boxIou(best.box, redBox).toFixed(3)}`);
});

t.test('ranker fixture picks the crop matching the colour in the prompt (split and combined)', async (t) => {
  const redCrop = cropRgb(scene, ...redBox);
  const blueCrop = cropRgb(scene, ...blueBox);
  for (const dir of [fx.clipDir, fx.clipCombinedDir]) {
    for (const [prompt, want] of [
      ['a red ball', 0],
      ['a blue ball', 1],
    ] as const) {
      const ranker = await ClipRanker.load(dir, prompt);
      const r = await ranker.rank([redCrop, blueCrop]);
      await ranker.release();
      t.equal(r.best, want, `${dir.endsWith('combined') ? 'combined' : 'split'} "${prompt}": cosine red ${r.cosine[0].toFixed(3)}, blue ${r.cosine[1].toFixed(3)}, p ${r.probability.map((p) => p.toFixed(3)).join('/')}`);
      t.ok(Math.abs(r.probability[0] + r.probability[1] - 1) < 1e-9);
      t.ok(r.probability[want] > 0.9, 'softmax of 100 × cosine is decisive');
    }
  }
  const neutral = await ClipRanker.load(fx.clipDir, 'a ball');
  const r = await neutral.rank([redCrop, blueCrop]);
  await neutral.release();
  t.same(r.cosine, [0, 0], 'a prompt without colour words matches nothing in this fixture');
});

t.test('segmenter fixture refines the mask inside the padded box and leaves the rest empty', async (t) => {
  const segmenter = await Segmenter.load(fx.segmenter, 'u2net');
  t.teardown(() => segmenter.release());
  const mask = await segmenter.maskInBox(scene, redBox);
  const iou = maskIou(mask, scene, redBox);
  t.ok(iou > 0.9, `mask IoU with the red square ${iou.toFixed(3)}`);
  t.equal(mask[(blueBox[1] + 20) * 320 + blueBox[0] + 20], 0, 'outside the padded box the mask is 0');
});

t.test('findSubject with all three models finds the prompted object; sessions load once per model', async (t) => {
  const before = modelLoadCounts();
  const models = await loadSubjectModels({ detector: fx.yoloDetect, ranker: fx.clipDir, segmenter: fx.segmenter }, 'a blue ball', { threads: 1 });
  t.teardown(() => releaseSubjectModels(models));
  t.same(models.names, ['detector', 'ranker', 'segmenter']);
  t.same(models.loads, { detector: 1, 'ranker.vision': 1, 'ranker.text': 1, segmenter: 1 });
  const after = modelLoadCounts();
  for (const k of Object.keys(models.loads)) t.equal((after[k] ?? 0) - (before[k] ?? 0), 1, `process-wide ${k} count +1`);
  const frames = [scene, drawScene(320, 240, [{ box: [10, 20, 70, 60], rgb: RED }, { box: [150, 120, 90, 80], rgb: BLUE, shape: 'disc' }], 7)];
  const expected = [blueBox, [150, 120, 90, 80]];
  for (let i = 0; i < frames.length; i++) {
    const found = await findSubject(models, frames[i]);
    t.ok(found, `frame ${i}: found`);
    const iou = boxIou(found!.box, expected[i]);
    // For a disc the fixture's moment box is √3·r wide (IoU ≈ 0.75 with the bounding square).
    t.ok(iou > (i === 0 ? 0.9 : 0.7), `frame ${i}: box IoU with the blue object ${iou.toFixed(3)}, label ${found!.label}, similarity ${found!.similarity?.toFixed(3)}`);
    t.ok(found!.mask && maskIou(found!.mask, frames[i], expected[i]) > (i === 0 ? 0.85 : 0.6), 'mask follows the object');
  }
  t.same(modelLoadCounts(), after, 'finding subjects creates no sessions');
  await releaseSubjectModels(models);
  await t.rejects(findSubject(models, scene), /released/);
});

t.test('without a ranker the class name matching the prompt wins over a higher score', async (t) => {
  const models = await loadSubjectModels({ detector: fx.yoloSegment }, 'the blue box');
  t.teardown(() => releaseSubjectModels(models));
  t.same(models.loads, { detector: 1 });
  const found = await findSubject(models, scene);
  t.equal(found?.label, 'blue');
  t.ok(boxIou(found!.box, blueBox) > 0.9, `IoU ${boxIou(found!.box, blueBox).toFixed(3)}`);
  t.ok(found!.mask && maskIou(found!.mask, scene, blueBox) > 0.8, 'mask from the segment model');
  const any = await loadSubjectModels({ detector: fx.yoloDetect }, 'something');
  t.teardown(() => releaseSubjectModels(any));
  t.equal((await findSubject(any, scene))?.label, 'red', 'no word matches: highest score');
  t.equal(await findSubject(any, drawScene(320, 240, [])), undefined, 'nothing to find');
});

t.test('a segmenter alone finds the salient object on the whole frame', async (t) => {
  const models = await loadSubjectModels({ segmenter: fx.segmenter }, '');
  t.teardown(() => releaseSubjectModels(models));
  const found = await findSubject(models, drawScene(320, 240, [{ box: [100, 50, 90, 70], rgb: [40, 200, 40] }]));
  t.ok(found && boxIou(found.box, [100, 50, 90, 70]) > 0.85, `IoU ${found && boxIou(found.box, [100, 50, 90, 70]).toFixed(3)}`);
});
