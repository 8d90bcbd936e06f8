import t from 'tap';
import { Worker } from 'node:worker_threads';
import { frameBytes } from '../src/native/effects.js';
import { loadNative } from '../src/native/loader.js';

const workerUrl = new URL('./fixtures/sab-writer-worker.ts', import.meta.url);

t.test('several workers load the addon at once and write one SharedArrayBuffer the main thread sees', async (t) => {
  const workers = 3;
  const [width, height] = [256, 170];
  const slice = frameBytes(width, height);
  const rounds = 20;
  const shared = new SharedArrayBuffer(workers * slice);
  const messages = await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      new Promise<unknown>((resolve, reject) => {
        const worker = new Worker(workerUrl, { workerData: { shared, offset: w * slice, width, height, seed: w + 1, rounds } });
        let message: unknown;
        worker.on('message', (m: unknown) => {
          message = m;
        });
        worker.on('error', reject);
        worker.on('exit', (code) => (code === 0 ? resolve(message) : reject(new Error(`worker ${w} exited with ${code}`))));
      }),
    ),
  );
  // Only a small "done" message came back: the data travelled through shared memory.
  const view = new Uint8Array(shared);
  // The addon in each worker wrote at the address the main thread's addon sees for that slice.
  t.same(
    messages,
    Array.from({ length: workers }, (_, w) => ({ done: true, address: loadNative().binding.addressOf(new Uint8Array(shared, w * slice, slice)) })),
    'each worker wrote in place, at the main thread\'s address of its slice',
  );
  for (let w = 0; w < workers; w++) {
    let mismatches = 0;
    for (let i = 0; i < slice; i++) {
      if (view[w * slice + i] !== ((i * 31 + (w + 1) * 7 + rounds - 1) & 255)) mismatches++;
    }
    t.equal(mismatches, 0, `worker ${w + 1}'s slice holds what it wrote`);
  }
});
