// Render worker: receives the mask atlas once (a SharedArrayBuffer in
// workerData: shared, never cloned), then batch jobs one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { nativeMemoryAddress } from '../native/memory.js';
import { runBatch } from './run-batch.js';
import type { BatchJob } from './job.js';
import type { WorkerData, WorkerMessage, PoolMessage } from './protocol.js';

const data = workerData as WorkerData;
const port = parentPort!;
const atlas = new Uint8Array(data.atlas);

const post = (m: WorkerMessage): void => port.postMessage(m);

post({ type: 'ready', worker: data.worker, atlasAddress: nativeMemoryAddress(atlas), atlasShared: data.atlas instanceof SharedArrayBuffer });

port.on('message', (message: PoolMessage) => {
  if (message.type === 'exit') {
    port.close();
    return;
  }
  const job: BatchJob = message.job;
  runBatch(job, atlas, (frames) => post({ type: 'progress', batch: job.batch, frames })).then(
    (result) => post({ type: 'done', result }),
    (err: unknown) =>
      post({ type: 'failed', batch: job.batch, message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' }),
  );
});
