import t from 'tap';
import { Worker } from 'node:worker_threads';
import type { EffectSpec } from '../src/effects/catalog.js';
import { EffectChain } from '../src/native/effects.js';
import { loadNative } from '../src/native/loader.js';
import { randomAtlas, writeAtlas } from './helpers/atlas-ref.js';
import { randomBytes, rng } from './helpers/random.js';

const workerUrl = new URL('./fixtures/effects-chain-worker.ts', import.meta.url);

interface Result {
  out: Uint8Array;
  atlasAddress: bigint;
}

function runWorker(workerData: object): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData });
    let result: Result | undefined;
    worker.on('message', (m: Result) => (result = m));
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`worker exited with ${code}`))));
  });
}

t.test('two workers apply chains concurrently over one shared atlas, matching a single thread', async (t) => {
  const width = 321;
  const height = 181;
  const next = rng(0x3a7);
  const atlas = writeAtlas(randomAtlas(next, { width, height, maxMaskSide: 96, keyframes: 5 }));
  const jobs: { effects: EffectSpec[]; seed: number; frames: number[] }[] = [
    {
      effects: [
        { type: 'blur-background', radius: 24, feather: 6 },
        { type: 'vignette', strength: 0.35, radius: 0.75 },
        { type: 'zoom', factor: 1.3, follow: true },
      ],
      seed: 11,
      frames: Array.from({ length: 24 }, (_, i) => i * 2),
    },
    {
      effects: [
        { type: 'grayscale-background', amount: 1, feather: 4 },
        { type: 'dim-background', amount: 0.6, feather: 8 },
        { type: 'replace-background', color: '#204080', fit: 'cover', feather: 2 },
      ],
      seed: 22,
      frames: Array.from({ length: 24 }, (_, i) => 47 - i * 2),
    },
  ];
  const results = await Promise.all(jobs.map((j) => runWorker({ atlas, width, height, ...j })));
  const { binding } = loadNative();
  jobs.forEach((job, w) => {
    const chain = new EffectChain({ width, height, effects: job.effects, atlas });
    const nextFrame = rng(job.seed);
    const expected = new Uint8Array(chain.frameBytes * job.frames.length);
    job.frames.forEach((f, i) => {
      const frame = randomBytes(chain.frameBytes, nextFrame);
      chain.apply(frame, f);
      expected.set(frame, i * chain.frameBytes);
    });
    t.equal(results[w].atlasAddress, binding.addressOf(atlas), `worker ${w} read the same atlas bytes (no copy)`);
    t.ok(Buffer.compare(results[w].out, expected) === 0, `worker ${w}: ${job.frames.length} frames identical to the single-thread run`);
  });
});
