// Analysis suite: subject analysis cost as a ratio to decoding the same
// keyframes (one ffmpeg pass at the same reduced size), for the model-free
// finder and for the fixture ONNX models (tiny hand-built graphs with real
// signatures: they measure maskflow's pre/post-processing and session
// plumbing, not a real network's inference cost). Also checks that each
// model session is created exactly once.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { load, loadFixtureModels, makeClip, scratchDir } from './lib.mjs';

export async function run({ quick = false } = {}) {
  const { ffmpegPaths } = await load('media/ffmpeg.js');
  const { probe } = await load('media/probe.js');
  const { forEachKeyframe } = await load('media/keyframes.js');
  const { analyseVideo } = await load('vision/analyse.js');
  const { writeFixtureModels } = await loadFixtureModels();
  const paths = ffmpegPaths();
  const dir = scratchDir('analysis');
  const seconds = quick ? 4 : 10;
  process.stderr.write(`analysis: generating a 1280x720 ${seconds} s clip…\n`);
  const input = await makeClip(dir, 'in.mp4', { width: 1280, height: 720, seconds });
  const info = await probe(input, paths);
  const fixtures = writeFixtureModels(join(dir, 'models'));
  const best = (n, fn) => async () => {
    let ms = Infinity;
    let out;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      out = await fn();
      ms = Math.min(ms, performance.now() - t);
    }
    return { ms, out };
  };
  const repeats = quick ? 1 : 3;
  let keyframes = 0;
  const decode = await best(repeats, async () => {
    keyframes = 0;
    await forEachKeyframe(info, { paths }, () => {
      keyframes++;
    });
  })();
  const free = await best(repeats, () => analyseVideo(info, { paths, cacheDir: false }))();
  const models = await best(repeats, () =>
    analyseVideo(info, {
      paths,
      cacheDir: false,
      prompt: 'a red ball',
      models: { detector: fixtures.yoloDetect, ranker: fixtures.clipDir, segmenter: fixtures.segmenter },
    }),
  )();
  const loads = models.out.loads;
  const maxLoads = Math.max(...Object.values(loads));
  return {
    suite: 'analysis',
    clip: { width: 1280, height: 720, seconds, keyframes },
    keyframesPerSecond: {
      decodeOnly: (keyframes * 1000) / decode.ms,
      modelFree: (keyframes * 1000) / free.ms,
      fixtureModels: (keyframes * 1000) / models.ms,
    },
    loads,
    results: [
      { name: 'model-free analysis / keyframe decode', ms: free.ms, referenceMs: decode.ms, ratio: free.ms / decode.ms, better: 'lower', tolerance: 0.3, target: 'analysis adds little to decoding' },
      { name: 'fixture-model analysis / keyframe decode', ms: models.ms, referenceMs: decode.ms, ratio: models.ms / decode.ms, better: 'lower', tolerance: 0.3, target: 'plumbing only (fixtures are tiny)' },
      { name: 'sessions per model (max)', ratio: maxLoads, better: 'lower', tolerance: 0, target: '1' },
    ],
  };
}
