// `maskflow status`: where a queued render stands, read from the queue itself
// (the finish job's data names the batches; each batch job has its state,
// progress, attempts and worker).
import { Queue } from 'bullmq';
import { connect, parseQueueUrl, QueueError } from './connection.js';
import { batchJobId, cancelKey, finishJobId, QUEUE_NAME, RENDERS_KEY, type BatchJobResult, type FinishJobData, type FinishJobResult } from './flow.js';

export type RenderState = 'waiting' | 'rendering' | 'finishing' | 'completed' | 'failed' | 'cancelled';

export interface BatchStatus {
  index: number;
  state: string;
  frames: number;
  total: number;
  attempts: number;
  worker?: string;
  reused?: boolean;
  failedReason?: string;
}

export interface RenderStatus {
  renderId: string;
  state: RenderState;
  input?: string;
  output?: string;
  frames: { done: number; total: number };
  submittedAt?: string;
  finishedAt?: string;
  batches: BatchStatus[];
  failedReason?: string;
  /** Workers connected to the queue now. */
  workers: string[];
}

/** Names of the `maskflow worker` processes connected to the queue now (BullMQ names their Redis clients "…:w:NAME"). */
export async function connectedWorkers(queue: Queue): Promise<string[]> {
  const clients = (await queue.getWorkers()) as { rawname?: string }[];
  const names = clients.map((c) => (c.rawname?.includes(':w:') ? c.rawname.slice(c.rawname.indexOf(':w:') + 3) : 'unnamed'));
  return [...new Set(names)].sort();
}

const framesOf = (p: unknown): number => (typeof p === 'object' && p !== null && typeof (p as { frames?: unknown }).frames === 'number' ? (p as { frames: number }).frames : 0);

export async function renderStatus(url: string, renderId: string): Promise<RenderStatus> {
  if (!/^[0-9a-f]{16}$/.test(renderId)) throw new QueueError(`"${renderId}" is not a render id (16 hex digits, as printed by render --detach)`);
  const redis = await connect(parseQueueUrl(url));
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  try {
    const workers = await connectedWorkers(queue);
    const finish = await queue.getJob(finishJobId(renderId));
    if (!finish) {
      if ((await redis.exists(cancelKey(renderId))) === 1) return { renderId, state: 'cancelled', frames: { done: 0, total: 0 }, batches: [], workers };
      throw new QueueError(`no render ${renderId} on ${url} (finished renders are kept 7 days)`);
    }
    const data = finish.data as FinishJobData;
    const finishState = await finish.getState();
    const batches: BatchStatus[] = [];
    for (const b of data.batches) {
      const total = b.endFrame - b.startFrame;
      const job = await queue.getJob(batchJobId(renderId, b.index));
      if (!job) {
        batches.push({ index: b.index, state: finishState === 'completed' ? 'completed' : 'removed', frames: finishState === 'completed' ? total : 0, total, attempts: 0 });
        continue;
      }
      const state = await job.getState();
      const result = job.returnvalue as BatchJobResult | null;
      batches.push({
        index: b.index,
        state,
        frames: state === 'completed' ? total : Math.min(total, framesOf(job.progress)),
        total,
        attempts: job.attemptsMade,
        worker: result?.worker ?? job.processedBy,
        ...(result?.reused ? { reused: true } : {}),
        ...(state === 'failed' ? { failedReason: job.failedReason } : {}),
      });
    }
    const failedBatch = batches.find((b) => b.state === 'failed');
    const state: RenderState =
      finishState === 'completed' ? 'completed'
      : finishState === 'failed' || failedBatch ? 'failed'
      : finishState === 'active' ? 'finishing'
      : batches.some((b) => b.state === 'active' || b.state === 'completed') ? 'rendering'
      : 'waiting';
    const result = finishState === 'completed' ? (finish.returnvalue as FinishJobResult) : undefined;
    return {
      renderId,
      state,
      input: data.input.file,
      output: data.output,
      frames: { done: batches.reduce((n, b) => n + b.frames, 0), total: data.frames },
      submittedAt: new Date(data.submittedAt).toISOString(),
      ...(finish.finishedOn ? { finishedAt: new Date(finish.finishedOn).toISOString() } : {}),
      batches,
      ...(state === 'failed' ? { failedReason: failedBatch?.failedReason ?? finish.failedReason } : {}),
      ...(result ? { output: result.output.file } : {}),
      workers,
    };
  } finally {
    await queue.close().catch(() => undefined);
    await redis.quit().catch(() => undefined);
  }
}

/** Render ids submitted in the last 7 days, newest first. */
export async function recentRenders(url: string, limit = 20): Promise<string[]> {
  const redis = await connect(parseQueueUrl(url));
  try {
    return await redis.zrevrange(RENDERS_KEY, 0, limit - 1);
  } finally {
    await redis.quit().catch(() => undefined);
  }
}
