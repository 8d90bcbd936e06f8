// Run stage: the batch jobs on the worker-thread pool, with progress summed
// over the batches, and a check that every frame was rendered once.
import type { BatchJob, BatchResult } from './job.js';
import { RenderError } from './options.js';
import { runPool, type PoolResult } from './pool.js';
import { ProgressTracker, type ProgressEvent } from './progress.js';

export async function runStage(
  jobs: BatchJob[],
  options: {
    workers: number;
    atlas: SharedArrayBuffer;
    frames: number;
    input: string;
    signal?: AbortSignal;
    emit: (e: ProgressEvent) => void;
    /** Batches already done (resumed from an interrupted run): not rendered, counted as done. */
    reused?: BatchResult[];
    onBatchDone?: (job: BatchJob, result: BatchResult) => void;
  },
): Promise<PoolResult> {
  const perBatch = new Map<number, number>((options.reused ?? []).map((r) => [r.batch, r.frames]));
  const tracker = new ProgressTracker('render', options.frames, options.emit);
  const sum = (): number => [...perBatch.values()].reduce((a, b) => a + b, 0);
  tracker.update(sum()); // workers start and decoders seek before the first frame: say so at once
  options.signal?.throwIfAborted();
  const reused: PoolResult['results'] = (options.reused ?? []).map((r) => ({ ...r, worker: -1, attempts: 0, reused: true }));
  const pool: PoolResult =
    jobs.length === 0
      ? { results: [], retries: [], atlasAddresses: [], atlasSharedEverywhere: true }
      : await runPool(jobs, {
          workers: options.workers,
          atlas: options.atlas,
          signal: options.signal,
          onBatchDone: options.onBatchDone,
          onProgress: (batch, frames) => {
            perBatch.set(batch, frames);
            tracker.update(sum());
          },
        });
  pool.results.push(...reused);
  const rendered = pool.results.reduce((n, r) => n + r.frames, 0);
  if (rendered !== options.frames) throw new RenderError(`rendered ${rendered} frames but ${options.input} has ${options.frames} to render`);
  return pool;
}
