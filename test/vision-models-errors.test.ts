// Bad model input must fail at load time with errors naming the file and what was expected.
import t from 'tap';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSignatureFixture } from './fixture-models/signature-fixture.js';
import { buildYoloFixture, yoloFixtureMetadata } from './fixture-models/detector-fixture.js';
import { buildSegmenterFixture } from './fixture-models/segmenter-fixture.js';
import { findSubject, loadSubjectModels, modelLoadCounts, releaseSubjectModels } from '../src/vision/models/index.js';
import { generateFixtures } from './helpers/fixture-models.js';

const fx = generateFixtures(t);
const dir = join(fx.dir, 'bad');
mkdirSync(dir);
const file = (name: string, bytes: Uint8Array | string): string => {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, bytes);
  return p;
};
const yoloOut = [{ name: 'output0', type: 'float32' as const, shape: [1, 7, 8400] }];
const images = { name: 'images', type: 'float32' as const, shape: [1, 3, 640, 640] };
const meta = yoloFixtureMetadata('detect');

t.test('missing and non-ONNX detector files', async (t) => {
  const missing = join(dir, 'nope.onnx');
  await t.rejects(loadSubjectModels({ detector: missing }, 'x'), { name: 'ModelFileError', file: missing, message: /nope\.onnx: detector model file does not exist/ });
  const text = file('readme.onnx', 'plain text, not protobuf');
  await t.rejects(loadSubjectModels({ detector: text }, 'x'), /readme\.onnx: is not an ONNX model/);
  const folder = join(dir, 'a-folder.onnx');
  mkdirSync(folder);
  await t.rejects(loadSubjectModels({ detector: folder }, 'x'), /a-folder\.onnx: detector model path is not a file/);
});

t.test('detector with the wrong input name, rank or type', async (t) => {
  const name = file('name.onnx', buildSignatureFixture([{ ...images, name: 'input' }], yoloOut, meta));
  await t.rejects(loadSubjectModels({ detector: name }, 'x'), /name\.onnx: YOLO detector: expected input "images" float32\/float16 rank 4 .*found inputs: input float32 \[1,3,640,640\]/);
  const rank = file('rank.onnx', buildSignatureFixture([{ ...images, shape: [3, 640, 640] }], yoloOut, meta));
  await t.rejects(loadSubjectModels({ detector: rank }, 'x'), /rank\.onnx: YOLO detector: expected input "images" .*rank 4.*but images has rank 3 \[3,640,640\]/);
  const type = file('type.onnx', buildSignatureFixture([{ ...images, type: 'int64' }], yoloOut, meta));
  await t.rejects(loadSubjectModels({ detector: type }, 'x'), /type\.onnx: YOLO detector: expected input "images" float32\/float16.*but images has type int64/);
  const channels = file('channels.onnx', buildSignatureFixture([{ ...images, shape: [1, 4, 640, 640] }], yoloOut, meta));
  await t.rejects(loadSubjectModels({ detector: channels }, 'x'), /channels\.onnx: .*but images has dim 1 = 4/);
  const out = file('out.onnx', buildSignatureFixture([images], [{ name: 'output0', type: 'float32', shape: [7, 8400] }], meta));
  await t.rejects(loadSubjectModels({ detector: out }, 'x'), /out\.onnx: YOLO detector: expected output "output0" .*rank 3.*but output0 has rank 2/);
  const outName = file('outname.onnx', buildSignatureFixture([images], [{ name: 'boxes', type: 'float32', shape: [1, 7, 8400] }], meta));
  await t.rejects(loadSubjectModels({ detector: outName }, 'x'), /outname\.onnx: .*expected output "output0".*found outputs: boxes float32 \[1,7,8400\]/);
});

t.test('detector metadata: class count must match output0, names must be a Python dict', async (t) => {
  const count = file('count.onnx', buildSignatureFixture([images], [{ name: 'output0', type: 'float32', shape: [1, 84, 8400] }], meta));
  await t.rejects(loadSubjectModels({ detector: count }, 'x'), /count\.onnx: metadata_props "names" lists 3 classes but output0 has 80 class channels/);
  const names = file('names.onnx', buildYoloFixture({ task: 'detect', metadata: { ...meta, names: 'person, car' } }));
  await t.rejects(loadSubjectModels({ detector: names }, 'x'), /names\.onnx: metadata_props "names" is not a Python dict of class names/);
  // No metadata at all still works: classes are named class0, class1, …
  const bare = file('bare.onnx', buildYoloFixture({ task: 'detect', metadata: null }));
  const models = await loadSubjectModels({ detector: bare }, 'x');
  t.same(models.detector?.names, []);
  t.equal(models.detector?.label(2), 'class2');
  await releaseSubjectModels(models);
});

t.test('ranker: missing tokenizer, missing ONNX files, wrong text input type — all before any session', async (t) => {
  const before = modelLoadCounts();
  const noTok = join(dir, 'clip-no-tokenizer');
  cpSync(fx.clipDir, noTok, { recursive: true });
  rmSync(join(noTok, 'tokenizer.json'));
  await t.rejects(loadSubjectModels({ detector: fx.yoloDetect, ranker: noTok }, 'a red ball'), {
    name: 'ModelFileError',
    message: new RegExp(`${join(noTok, 'tokenizer.json').replace(/[.\\/]/g, '\\$&')}: tokenizer\\.json is missing`),
  });
  t.same(modelLoadCounts(), before, 'no session was created (the detector was not loaded first)');
  const empty = join(dir, 'clip-empty');
  mkdirSync(empty);
  await t.rejects(loadSubjectModels({ detector: fx.yoloDetect, ranker: empty }, 'a'), /clip-empty: no CLIP ONNX files found: looked for onnx\/vision_model\{,_quantized,_fp16/);
  await t.rejects(loadSubjectModels({ detector: fx.yoloDetect, ranker: join(dir, 'absent') }, 'a'), /absent: ranker folder does not exist/);
  await t.rejects(loadSubjectModels({ detector: fx.yoloDetect, ranker: fx.yoloDetect }, 'a'), /ranker must be a folder/);
  await t.rejects(loadSubjectModels({ ranker: fx.clipDir }, 'a'), /a ranker needs a detector/);
  await t.rejects(loadSubjectModels({ detector: fx.yoloDetect, ranker: fx.clipDir }, '  '), /prompt is empty/);

  const badText = join(dir, 'clip-bad-text');
  cpSync(fx.clipDir, badText, { recursive: true });
  const textFile = join(badText, 'onnx', 'text_model.onnx');
  writeFileSync(textFile, buildSignatureFixture([{ name: 'input_ids', type: 'float32', shape: ['batch', 'seq'] }], [{ name: 'text_embeds', type: 'float32', shape: ['batch', 512] }]));
  await t.rejects(loadSubjectModels({ detector: fx.yoloDetect, ranker: badText }, 'a red ball'), /text_model\.onnx: CLIP text model: expected input "input_ids" int64 rank 2.*but input_ids has type float32/);
  const badVision = join(dir, 'clip-bad-vision');
  cpSync(fx.clipDir, badVision, { recursive: true });
  writeFileSync(join(badVision, 'onnx', 'vision_model.onnx'), buildSignatureFixture([{ name: 'pixel_values', type: 'float32', shape: ['batch', 3, 224, 224] }], [{ name: 'pooler_output', type: 'float32', shape: ['batch', 768] }]));
  await t.rejects(loadSubjectModels({ detector: fx.yoloDetect, ranker: badVision }, 'a red ball'), /vision_model\.onnx: CLIP vision model: expected output "image_embeds".*found outputs: pooler_output/);
});

t.test('quantized/fp16 variant names are found when the plain files are absent', async (t) => {
  const q = join(dir, 'clip-quantized');
  cpSync(fx.clipDir, q, { recursive: true });
  for (const m of ['vision_model', 'text_model']) {
    cpSync(join(q, 'onnx', `${m}.onnx`), join(q, 'onnx', `${m}_quantized.onnx`));
    rmSync(join(q, 'onnx', `${m}.onnx`));
  }
  const models = await loadSubjectModels({ detector: fx.yoloDetect, ranker: q }, 'a red ball');
  t.match(models.ranker?.layout, { kind: 'split', vision: /vision_model_quantized\.onnx$/ });
  await releaseSubjectModels(models);
});

t.test('segmenter: multi-input (matting) models and MODNet input names are refused clearly', async (t) => {
  const rvm = file('rvm.onnx', buildSignatureFixture(
    [{ name: 'src', type: 'float32', shape: [1, 3, 'h', 'w'] }, { name: 'r1i', type: 'float32', shape: [1, 1, 1, 1] }],
    [{ name: 'pha', type: 'float32', shape: [1, 1, 'h', 'w'] }],
  ));
  await t.rejects(loadSubjectModels({ segmenter: rvm }, ''), /rvm\.onnx: segmenter: expected one image input \[1,3,H,W\], found 2 inputs \(src, r1i\)/);
  const u2 = file('u2.onnx', buildSegmenterFixture());
  await t.rejects(loadSubjectModels({ segmenter: u2, segmenterPreset: 'modnet' }, ''), /u2\.onnx: segmenter \(modnet\): expected input "input".*found inputs: input\.1 float32 \[1,3,320,320\]/);
  await t.rejects(loadSubjectModels({ segmenter: u2, segmenterPreset: 'sam' as 'u2net' }, ''), /segmenterPreset must be one of u2net, isnet, modnet/);
  const flat = file('flat.onnx', buildSignatureFixture([{ name: 'x', type: 'float32', shape: [1, 3, 320, 320] }], [{ name: 'y', type: 'float32', shape: [1, 320, 320] }]));
  await t.rejects(loadSubjectModels({ segmenter: flat }, ''), /flat\.onnx: segmenter \(u2net\): expected output float32\/float16 rank 4 \[1,1,H,W\] mask, but y has rank 3/);
});

t.test('every file is checked before the first session: a bad segmenter path costs no detector load', async (t) => {
  const before = modelLoadCounts();
  await t.rejects(loadSubjectModels({ detector: fx.yoloDetect, segmenter: join(dir, 'missing-seg.onnx') }, 'x'), /missing-seg\.onnx: segmenter model file does not exist/);
  t.same(modelLoadCounts(), before);
  await t.rejects(loadSubjectModels({}, 'x'), /no model given/);
});

t.test('findSubject refuses malformed images with a RangeError', async (t) => {
  const models = await loadSubjectModels({ detector: fx.yoloDetect }, 'x');
  t.teardown(() => releaseSubjectModels(models));
  await t.rejects(findSubject(models, { data: new Uint8Array(10), width: 4, height: 4 }), { name: 'RangeError', message: /width\*height\*3 = 48 bytes \(got 10\)/ });
  await t.rejects(findSubject(models, { data: new Uint8Array(0), width: 0, height: 4 }), RangeError);
});
