// Run stage: the batch jobs on the worker-thread pool, with progress summed
// over the batches, and a check that every frame was rendered once.
import type { BatchJob } from './job.js';
import { RenderError } from './options.js';
import { runPool, type PoolResult } from './pool.js';
import { ProgressTracker, type ProgressEvent } from './progress.js';

export async function runStage(
  jobs: BatchJob[],
  options: { workers: number; atlas: SharedArrayBuffer; frames: number; input: string; signal?: AbortSignal; emit: (e: ProgressEvent) => void },
): Promise<PoolResult> {
  const perBatch = new Map<number, number>();
  const tracker = new ProgressTracker('render', options.frames, options.emit);
  tracker.update(0); // workers start and decoders seek before the first frame: say so at once
  options.signal?.throwIfAborted();
  const pool = await runPool(jobs, {
    workers: options.workers,
    atlas: options.atlas,
    signal: options.signal,
    onProgress: (batch, frames) => {
      perBatch.set(batch, frames);
      let done = 0;
      for (const n of perBatch.values()) done += n;
      tracker.update(done);
    },
  });
  const rendered = pool.results.reduce((n, r) => n + r.frames, 0);
  if (rendered !== options.frames) throw new RenderError(`rendered ${rendered} frames but ${options.input} has ${options.frames} to render`);
  return pool;
}
