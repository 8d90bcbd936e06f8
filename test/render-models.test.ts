// Models run once per run, in the main thread, whatever the worker count.
// Uses the generated fixture models (real ONNX signatures, hand-built graphs,
// not trained models) through real onnxruntime-node sessions.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { generateClip } from '../src/media/demo-clip.js';
import { render } from '../src/render/render.js';
import { generateFixtures } from './helpers/fixture-models.js';
import { inspect, paths } from './helpers/media.js';

t.test('with 2 workers and all three models, each model session is created exactly once', async (t) => {
  const fixtures = generateFixtures(t);
  const dir = t.testdir({});
  const input = join(dir, 'disc.mp4');
  await generateClip(paths, { output: input, width: 320, height: 180, seconds: 2, fps: '25' });
  const report = await render({
    input,
    output: join(dir, 'out.mp4'),
    effect: 'dim-background',
    subject: 'a red ball',
    detector: fixtures.yoloDetect,
    ranker: fixtures.clipDir,
    segmenter: fixtures.segmenter,
    workers: 2,
    batchSeconds: 0.5,
    cacheDir: join(dir, 'cache'),
  });
  t.equal(report.workers, 2, 'rendered on 2 workers');
  t.ok(report.batches.length >= 2);
  t.same(report.models.loads, { detector: 1, 'ranker.vision': 1, 'ranker.text': 1, segmenter: 1 });
  t.match(report.analysis.finder, /detector/);
  t.equal(report.masks.bytesCopied, 0);
  t.equal(inspect(join(dir, 'out.mp4')).frames, 50);

  // A second render with another effect reuses the cached analysis: no model is loaded at all.
  const again = await render({
    input,
    output: join(dir, 'out2.mp4'),
    effect: 'grayscale-background',
    subject: 'a red ball',
    detector: fixtures.yoloDetect,
    ranker: fixtures.clipDir,
    segmenter: fixtures.segmenter,
    workers: 2,
    cacheDir: join(dir, 'cache'),
  });
  t.equal(again.analysis.cached, true, 'analysis.cached: true');
  t.same(again.models.loads, {}, 'no model loaded on a cache hit');
});

t.test('the render worker never imports model code (so it cannot load a model)', async (t) => {
  // Walk the worker module's import graph as TypeScript reads it: static imports and
  // re-exports, side-effect imports and dynamic import() calls alike.
  const srcRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const seen = new Set<string>();
  const externals = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else externals.add(spec);
    }
  };
  visit(join(srcRoot, 'render', 'worker.ts'));
  t.notOk(externals.has('onnxruntime-node'), `worker externals: ${[...externals].join(', ')}`);
  t.notOk([...seen].some((f) => f.includes(`${join('vision', 'models')}`)), 'no module under src/vision/models');
  t.ok(seen.has(join(srcRoot, 'native', 'effects.ts')), 'sanity: the walk reaches the effects module');
  t.ok(seen.has(join(srcRoot, 'render', 'run-batch.ts')), 'sanity: and the batch runner');
});
