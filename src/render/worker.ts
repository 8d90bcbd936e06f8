// Render worker: receives the mask atlas once (a SharedArrayBuffer in
// workerData: shared, never cloned), then batch jobs one at a time. Its ffmpeg
// children are killed and reaped before it reports a failure and when the pool
// asks it to stop, so a terminated worker never leaves a process behind.
import { parentPort, workerData } from 'node:worker_threads';
import { stopAll, watchChildren } from '../media/process/index.js';
import { nativeMemoryAddress } from '../native/memory.js';
import { sendError } from './errors.js';
import { runBatch } from './run-batch.js';
import type { BatchJob } from './job.js';
import type { WorkerData, WorkerMessage, PoolMessage } from './protocol.js';

const data = workerData as WorkerData;
const port = parentPort!;
const atlas = new Uint8Array(data.atlas);

const post = (m: WorkerMessage): void => port.postMessage(m);

watchChildren((event, child) => post({ type: 'child', event, child }));

post({ type: 'ready', worker: data.worker, atlasAddress: nativeMemoryAddress(atlas), atlasShared: data.atlas instanceof SharedArrayBuffer });

port.on('message', (message: PoolMessage) => {
  if (message.type === 'exit') {
    port.close();
    return;
  }
  if (message.type === 'stop') {
    void stopAll('the render is stopping').then(() => post({ type: 'stopped' }));
    return;
  }
  const job: BatchJob = message.job;
  runBatch(job, atlas, (frames) => post({ type: 'progress', batch: job.batch, frames })).then(
    (result) => post({ type: 'done', result }),
    async (err: unknown) => {
      // The decoder of a failed batch may still be running: end it before saying so.
      await stopAll(`batch ${job.batch} failed`);
      post({ type: 'failed', batch: job.batch, error: sendError(err) });
    },
  );
});
