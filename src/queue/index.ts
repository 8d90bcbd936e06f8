// The queue's library surface: render({ queue }) lives in render/render.ts;
// these are the rest (publish without waiting, run a worker, ask for status).
// BullMQ and ioredis load only when one of them is called.
import { render, type RenderOptions } from '../render/render.js';
import type { QueueWorker, StartWorkerOptions } from './worker.js';
import type { RenderStatus } from './status.js';
import type { QueueRenderOptions } from './submit.js';

export { QueueError, parseQueueUrl } from './address.js';
export { SharedPathStorage, type RenderStorage, type InputIdentity } from './storage.js';
export type { StartWorkerOptions, QueueWorker } from './worker.js';
export type { RenderStatus, BatchStatus, RenderState } from './status.js';
export type { QueueRenderOptions } from './submit.js';

/** Probes, plans and analyses here, publishes the render's flow and returns its id without waiting for it. */
export async function submitRender(options: RenderOptions & { queue: string | QueueRenderOptions }): Promise<{ renderId: string; batches: number }> {
  const queue = typeof options.queue === 'string' ? { url: options.queue } : options.queue;
  const report = await render({ ...options, queue: { ...queue, detach: true } });
  return { renderId: report.queue!.renderId, batches: report.batches.length };
}

/** Runs batch and finish jobs from the queue until closed (what `maskflow worker` runs). */
export async function startWorker(options: StartWorkerOptions): Promise<QueueWorker> {
  return (await import('./worker.js')).startWorker(options);
}

/** Where a queued render stands: state, frames, each batch's state and worker. */
export async function renderStatus(url: string, renderId: string): Promise<RenderStatus> {
  return (await import('./status.js')).renderStatus(url, renderId);
}

/** Ids of the renders submitted in the last 7 days, newest first. */
export async function recentRenders(url: string, limit?: number): Promise<string[]> {
  return (await import('./status.js')).recentRenders(url, limit);
}
