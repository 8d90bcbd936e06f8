// A pool of render workers pulling batch jobs from one queue (longest first).
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { adoptChild, killOrphanChild, releaseChild, type ChildInfo } from '../media/process/index.js';
import { receiveError } from './errors.js';
import type { BatchJob, BatchResult } from './job.js';
import type { PoolMessage, WorkerData, WorkerMessage } from './protocol.js';

export interface PoolResult {
  results: (BatchResult & { worker: number })[];
  /** Native data address of the atlas as each worker saw it. */
  atlasAddresses: bigint[];
  atlasSharedEverywhere: boolean;
}

export { BatchError } from './errors.js';

/** How long a stopping worker gets to kill and reap its ffmpeg children (their SIGTERM→SIGKILL grace is 3 s). */
export const WORKER_STOP_MS = 5000;

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('render interrupted');
}

/** The worker script next to this module: .js when compiled, .ts under a TS loader (tests). */
function workerUrl(): URL {
  const self = fileURLToPath(import.meta.url);
  return new URL(self.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

export async function runPool(
  jobs: BatchJob[],
  options: {
    workers: number;
    atlas: SharedArrayBuffer;
    onProgress: (batch: number, frames: number) => void;
    /** Stops the pool: workers are terminated and the promise rejects with the signal's reason. */
    signal?: AbortSignal;
  },
): Promise<PoolResult> {
  const count = Math.max(1, Math.min(options.workers, jobs.length));
  const queue = [...jobs];
  const results: PoolResult['results'] = [];
  const atlasAddresses: bigint[] = [];
  let sharedEverywhere = true;
  const workers: Worker[] = [];
  const exited = new Set<Worker>();
  const stopped = new Map<Worker, () => void>();
  // Each worker's ffmpeg children not reaped yet, as the worker reported them.
  const children = new Map<Worker, Map<number, ChildInfo>>();
  const killOrphans = (worker: Worker): void => {
    for (const child of children.get(worker)?.values() ?? []) killOrphanChild(child);
    children.get(worker)?.clear();
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let failed = false;
      const fail = (err: Error): void => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      if (options.signal) {
        if (options.signal.aborted) fail(abortError(options.signal));
        options.signal.addEventListener('abort', () => fail(abortError(options.signal!)), { once: true });
      }
      for (let w = 0; w < count; w++) {
        const data: WorkerData = { worker: w, atlas: options.atlas };
        const worker = new Worker(workerUrl(), { workerData: data });
        workers.push(worker);
        children.set(worker, new Map());
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'stopped') stopped.get(worker)?.();
          if (m.type === 'child') {
            if (m.event === 'spawned') {
              children.get(worker)!.set(m.child.pid, m.child);
              adoptChild(m.child);
            } else {
              children.get(worker)!.delete(m.child.pid);
              releaseChild(m.child);
            }
          }
        });
        const next = (): void => {
          const job = queue.shift();
          if (job) {
            worker.postMessage({ type: 'job', job } satisfies PoolMessage);
          } else {
            worker.postMessage({ type: 'exit' } satisfies PoolMessage);
            if (++finished === count) resolve();
          }
        };
        worker.on('message', (m: WorkerMessage) => {
          if (failed) return;
          switch (m.type) {
            case 'ready':
              atlasAddresses[m.worker] = m.atlasAddress;
              sharedEverywhere &&= m.atlasShared;
              next();
              break;
            case 'progress':
              options.onProgress(m.batch, m.frames);
              break;
            case 'done':
              results.push({ ...m.result, worker: w });
              options.onProgress(m.result.batch, m.result.frames);
              next();
              break;
            case 'failed': {
              // The worker's own error, class, fields and cause kept (a FrameCountError stays one).
              const err = receiveError(m.error) as Error & { batch?: number };
              err.batch ??= m.batch;
              fail(err);
              break;
            }
          }
        });
        worker.on('error', (err) => fail(new Error(`render worker ${w} crashed: ${err.message}`)));
        worker.on('exit', (code) => {
          exited.add(worker);
          // A thread that died abruptly could not reap its ffmpegs: they must not run on.
          killOrphans(worker);
          stopped.get(worker)?.();
          if (code !== 0) fail(new Error(`render worker ${w} exited with code ${code}`));
        });
      }
    });
  } finally {
    // Cooperative first: each live worker kills and reaps its ffmpeg children, then it is terminated.
    await Promise.all(workers.map((w) => stopWorker(w, exited, stopped)));
    for (const w of workers) killOrphans(w);
  }
  return { results, atlasAddresses, atlasSharedEverywhere: sharedEverywhere };
}

async function stopWorker(worker: Worker, exited: Set<Worker>, stopped: Map<Worker, () => void>): Promise<void> {
  if (!exited.has(worker)) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WORKER_STOP_MS);
      stopped.set(worker, () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        worker.postMessage({ type: 'stop' } satisfies PoolMessage);
      } catch {
        resolve();
      }
    });
  }
  await worker.terminate();
}
