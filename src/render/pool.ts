// A pool of render workers pulling batch jobs from one queue (longest first).
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { adoptChild, killOrphanChild, ProcessError, releaseChild, type ChildInfo } from '../media/process/index.js';
import { receiveError, WorkerCrashError } from './errors.js';
import type { BatchJob, BatchResult } from './job.js';
import type { PoolMessage, WorkerData, WorkerMessage } from './protocol.js';

export interface PoolResult {
  /** `reused`: a batch file from an interrupted earlier run, taken as it was (worker -1, attempts 0). */
  results: (BatchResult & { worker: number; attempts: number; reused?: boolean })[];
  /** Each transient failure that was retried: the batch, the attempt that failed and why. */
  retries: { batch: number; attempt: number; reason: string }[];
  /** Native data address of the atlas as each worker saw it. */
  atlasAddresses: bigint[];
  atlasSharedEverywhere: boolean;
}

export { BatchError, WorkerCrashError } from './errors.js';

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

/**
 * Whether a batch that failed with `err` may succeed on a second try: its
 * ffmpeg was killed by a signal or by the watchdog (hung), or its worker
 * thread crashed. Anything else (a bad input, a FrameCountError, a refused
 * option) fails the same way again.
 */
export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof ProcessError) return e.transient;
    if (e instanceof WorkerCrashError) return true;
  }
  return false;
}

export async function runPool(
  jobs: BatchJob[],
  options: {
    workers: number;
    atlas: SharedArrayBuffer;
    onProgress: (batch: number, frames: number) => void;
    /** Stops the pool: workers are terminated and the promise rejects with the signal's reason. */
    signal?: AbortSignal;
    /** Tries per batch for transient failures (default 2: one retry on a fresh worker). */
    maxAttempts?: number;
    /** Called as each batch's file is finished (resume records it). */
    onBatchDone?: (job: BatchJob, result: BatchResult) => void;
  },
): Promise<PoolResult> {
  const count = Math.max(1, Math.min(options.workers, jobs.length));
  const maxAttempts = options.maxAttempts ?? 2;
  const queue = jobs.map((j) => ({ ...j, attempt: 1 }));
  const results: PoolResult['results'] = [];
  const retries: PoolResult['retries'] = [];
  const atlasAddresses: bigint[] = [];
  let sharedEverywhere = true;
  const workers: Worker[] = [];
  const exited = new Set<Worker>();
  const stopped = new Map<Worker, () => void>();
  // Workers replaced after a failure: their exit is expected, and they are stopped in the background.
  const retired = new Set<Worker>();
  const retiring: Promise<void>[] = [];
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

      // One slot's worker; after a transient failure the slot gets a fresh one and the job goes first in the queue.
      const start = (w: number): void => {
        const data: WorkerData = { worker: w, atlas: options.atlas };
        const worker = new Worker(workerUrl(), { workerData: data });
        workers.push(worker);
        children.set(worker, new Map());
        let current: (BatchJob & { attempt: number }) | undefined;
        let crash: Error | undefined;

        const retryOrFail = (job: BatchJob & { attempt: number }, err: Error): void => {
          if (failed) return;
          if (job.attempt < maxAttempts && isTransient(err)) {
            retries.push({ batch: job.batch, attempt: job.attempt, reason: err.message.split('\n')[0] });
            options.onProgress(job.batch, 0);
            queue.unshift({ ...job, attempt: job.attempt + 1 });
            retired.add(worker);
            retiring.push(stopWorker(worker, exited, stopped).then(() => killOrphans(worker)));
            start(w);
            return;
          }
          const e = err as Error & { batch?: number; attempts?: number };
          e.batch ??= job.batch;
          e.attempts = job.attempt;
          if (job.attempt > 1) e.message = `${e.message}\n(batch ${job.batch} failed on each of its ${job.attempt} attempts)`;
          fail(e);
        };

        const next = (): void => {
          const job = queue.shift();
          current = job;
          if (job) {
            worker.postMessage({ type: 'job', job } satisfies PoolMessage);
          } else {
            worker.postMessage({ type: 'exit' } satisfies PoolMessage);
            if (++finished === count) resolve();
          }
        };
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
        worker.on('message', (m: WorkerMessage) => {
          if (failed || retired.has(worker)) return;
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
              results.push({ ...m.result, worker: w, attempts: current?.attempt ?? 1 });
              if (current) options.onBatchDone?.(current, m.result);
              options.onProgress(m.result.batch, m.result.frames);
              next();
              break;
            case 'failed':
              // The worker's own error, class, fields and cause kept (a FrameCountError stays one).
              if (current) retryOrFail(current, receiveError(m.error));
              else fail(receiveError(m.error));
              break;
          }
        });
        worker.on('error', (err) => {
          crash = err;
        });
        worker.on('exit', (code) => {
          exited.add(worker);
          stopped.get(worker)?.();
          // A thread that died abruptly could not reap its ffmpegs: they must not run on.
          killOrphans(worker);
          if (retired.has(worker) || failed) return;
          if (code === 0 && !crash && current === undefined) return;
          const err = new WorkerCrashError(w, current?.batch, crash ? `crashed: ${crash.message}` : `exited with code ${code}`, crash);
          if (current) retryOrFail(current, err);
          else fail(err);
        });
      };
      for (let w = 0; w < count; w++) start(w);
    });
  } finally {
    // Cooperative first: each live worker kills and reaps its ffmpeg children, then it is terminated.
    await Promise.all([...workers.map((w) => stopWorker(w, exited, stopped)), ...retiring]);
    for (const w of workers) killOrphans(w);
  }
  return { results, retries, atlasAddresses, atlasSharedEverywhere: sharedEverywhere };
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
