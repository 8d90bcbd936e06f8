// Publishing a render as one BullMQ flow and following it to the end. The
// caller (render() with `queue`) has already probed, planned and analysed
// locally; what goes on the queue is the plain batch jobs, the atlas (once)
// and a finish job that joins the batch files and muxes the audio.
import { mkdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { FlowProducer, Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ProbeInfo } from '../media/probe-types.js';
import type { BatchJob } from '../render/job.js';
import { ProgressTracker, type ProgressEvent } from '../render/progress.js';
import { publishAtlas } from './atlas-transport.js';
import { connect, parseQueueUrl, QueueError } from './connection.js';
import {
  atlasKey,
  batchJobId,
  CANCEL_CHANNEL,
  cancelKey,
  finishJobId,
  QUEUE_NAME,
  RENDERS_KEY,
  renderIdFor,
  sha256,
  type BatchJobData,
  type FinishJobData,
  type FinishJobResult,
} from './flow.js';
import { connectedWorkers } from './status.js';
import { inputIdentity, SharedPathStorage, type RenderStorage } from './storage.js';

export interface QueueSubmission {
  input: ProbeInfo;
  output: string;
  overwrite: boolean;
  /** The batch jobs a local render would run (their outFile is replaced by the shared batch path). */
  jobs: BatchJob[];
  atlas: Uint8Array;
}

export interface QueueRenderOptions {
  /** redis://HOST:PORT[/DB] */
  url: string;
  /** Publish and return the render id without waiting. */
  detach?: boolean;
  storage?: RenderStorage;
  /** Called once the flow is on the queue (or found there already), with how many workers are connected. */
  onSubmitted?: (info: { renderId: string; batches: number; workers: number; resumed: boolean }) => void;
}

export interface QueueRenderOutcome {
  renderId: string;
  detached: boolean;
  result?: FinishJobResult;
  /** From submission until the finish job started. */
  renderMs: number;
  /** The finish job, as the submitter saw it. */
  finishMs: number;
}

const DAY = 24 * 3600;
const KEEP = { age: 7 * DAY, count: 10000 };
export const BATCH_ATTEMPTS = 3;

/** Lets a job id be looked up without knowing the flow it came from. */
function childIds(renderId: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => batchJobId(renderId, i));
}

export async function renderOnQueue(
  submission: QueueSubmission,
  options: QueueRenderOptions & { signal?: AbortSignal; onProgress?: (e: ProgressEvent) => void },
): Promise<QueueRenderOutcome> {
  const address = parseQueueUrl(options.url);
  const storage = options.storage ?? new SharedPathStorage();
  const redis = await connect(address);
  const queue = new Queue(QUEUE_NAME, { connection: redis });
  let events: QueueEvents | undefined;
  // QueueEvents blocks on its own connection; BullMQ leaves a connection it was given open, so it is closed below.
  const eventsConnection = redis.duplicate();
  eventsConnection.on('error', () => undefined);
  try {
    const input = await inputIdentity(submission.input.file);
    const atlasSha = sha256(submission.atlas);
    const audioCodecs = submission.input.audio.map((a) => a.codec);
    const renderId = renderIdFor({ input, output: submission.output, jobs: submission.jobs, atlasSha256: atlasSha, audioCodecs });
    const workDir = storage.workDir(submission.output, renderId);
    const jobs = submission.jobs.map((j) => ({ ...j, outFile: storage.batchFile(workDir, j.batch) }));
    const byIndex = [...jobs].sort((a, b) => a.batch - b.batch);
    if (byIndex.some((j, i) => j.batch !== i)) throw new QueueError('internal: batch indices must be 0..N-1');
    const finishId = finishJobId(renderId);

    // The same render already on the queue: follow it rather than add it twice.
    const existing = await queue.getJob(finishId);
    const state = existing ? await existing.getState() : 'unknown';
    const resumed = state === 'active' || state === 'waiting' || state === 'waiting-children' || state === 'delayed' || state === 'prioritized';
    if (existing && !resumed) {
      // Over (completed, failed or cancelled): start again; verified batch files on disk are reused.
      await queue.remove(finishId, { removeChildren: true });
    }
    const lastEventId = await lastStreamId(redis, queue.keys.events);
    events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection, lastEventId });
    await events.waitUntilReady();

    if (!resumed) {
      await redis.del(cancelKey(renderId));
      await mkdir(workDir, { recursive: true });
      const atlas = await publishAtlas(redis, storage, renderId, workDir, submission.atlas);
      const finish: FinishJobData = {
        renderId,
        input,
        audioCodecs,
        output: submission.output,
        overwrite: submission.overwrite,
        workDir,
        batches: byIndex.map((j) => ({ index: j.batch, startFrame: j.startFrame, endFrame: j.endFrame, file: j.outFile })),
        frames: submission.input.frames,
        atlas,
        submittedAt: Date.now(),
      };
      const flows = new FlowProducer({ connection: redis });
      try {
        await flows.add({
          name: 'finish',
          queueName: QUEUE_NAME,
          data: finish,
          opts: { jobId: finishId, attempts: 2, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: KEEP, removeOnFail: KEEP },
          // Children in dispatch order (longest first), as the local pool runs them.
          children: jobs.map((job) => ({
            name: 'batch',
            queueName: QUEUE_NAME,
            data: { renderId, job, input, atlas, workDir } satisfies BatchJobData,
            opts: {
              jobId: batchJobId(renderId, job.batch),
              attempts: BATCH_ATTEMPTS,
              backoff: { type: 'exponential', delay: 1000 },
              failParentOnFailure: true,
              removeOnComplete: KEEP,
              removeOnFail: KEEP,
            },
          })),
        });
      } finally {
        await flows.close();
      }
      await redis.zadd(RENDERS_KEY, Date.now(), renderId);
      await redis.zremrangebyscore(RENDERS_KEY, 0, Date.now() - KEEP.age * 1000);
    }
    const workers = (await connectedWorkers(queue)).length;
    options.onSubmitted?.({ renderId, batches: jobs.length, workers, resumed });
    if (options.detach) return { renderId, detached: true, renderMs: 0, finishMs: 0 };

    return await follow({ queue, redis, events, renderId, jobs: byIndex, totalFrames: submission.input.frames, workDir, storage, signal: options.signal, onProgress: options.onProgress });
  } finally {
    await events?.close().catch(() => undefined);
    eventsConnection.disconnect();
    await queue.close().catch(() => undefined);
    await redis.quit().catch(() => undefined);
  }
}

async function lastStreamId(redis: Redis, key: string): Promise<string> {
  const last = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
  return last.length > 0 ? last[0][0] : '0-0';
}

interface FollowContext {
  queue: Queue;
  redis: Redis;
  events: QueueEvents;
  renderId: string;
  jobs: BatchJob[];
  totalFrames: number;
  workDir: string;
  storage: RenderStorage;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

const progressFrames = (p: unknown): number => (typeof p === 'object' && p !== null && typeof (p as { frames?: unknown }).frames === 'number' ? (p as { frames: number }).frames : 0);

/** Waits for the finish job, turning the queue's events into render progress; Ctrl-C (signal) cancels the flow. */
async function follow(ctx: FollowContext): Promise<QueueRenderOutcome> {
  const t0 = performance.now();
  const { queue, events, renderId } = ctx;
  const finishId = finishJobId(renderId);
  const ids = childIds(renderId, ctx.jobs.length);
  const expected = new Map(ctx.jobs.map((j) => [batchJobId(renderId, j.batch), j.endFrame - j.startFrame]));
  const frames = new Map<string, number>();
  const emit = ctx.onProgress ?? (() => undefined);
  const tracker = new ProgressTracker('render', ctx.totalFrames, emit);
  let finishStarted: number | undefined;
  const update = (): void => {
    let done = 0;
    for (const n of frames.values()) done += n;
    tracker.update(Math.min(done, ctx.totalFrames));
  };
  const startFinish = (): void => {
    if (finishStarted !== undefined) return;
    finishStarted = performance.now();
    for (const [id, n] of expected) frames.set(id, n);
    update();
    emit({ stage: 'finish', done: 0, total: ctx.jobs.length, rate: 0 });
  };

  // Where the render stands now (it may have been running before we came).
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (!job) continue;
    frames.set(id, job.finishedOn && !job.failedReason ? expected.get(id)! : progressFrames(job.progress));
  }
  update();

  return await new Promise<QueueRenderOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      ctx.signal?.removeEventListener('abort', onAbort);
      events.removeAllListeners();
      fn();
    };
    const fail = (err: Error): void => settle(() => reject(err));
    const done = (result: FinishJobResult): void => {
      const end = performance.now();
      startFinish();
      emit({ stage: 'finish', done: ctx.jobs.length, total: ctx.jobs.length, rate: 0 });
      settle(() => resolve({ renderId, detached: false, result, renderMs: (finishStarted ?? end) - t0, finishMs: end - (finishStarted ?? end) }));
    };
    const failedRender = async (): Promise<void> => {
      const reason = await failureReason(queue, renderId, ids);
      await stopBatches(ctx, ids).catch(() => undefined);
      fail(new QueueError(`render ${renderId} failed: ${reason}. Finished batch files were kept in ${ctx.workDir}; submitting the same render again reuses them`));
    };
    const check = async (): Promise<void> => {
      const job = await queue.getJob(finishId);
      if (!job) {
        const cancelled = (await ctx.redis.exists(cancelKey(renderId))) === 1;
        fail(new QueueError(`render ${renderId} ${cancelled ? 'was cancelled' : 'is no longer on the queue (removed)'}; nothing was written`));
        return;
      }
      const state = await job.getState();
      if (state === 'completed') done(job.returnvalue as FinishJobResult);
      else if (state === 'failed') await failedRender();
      else if (state === 'active') startFinish();
    };
    const poll = setInterval(() => void check().catch(() => undefined), 2000);
    const onAbort = (): void => {
      const reason = ctx.signal?.reason instanceof Error ? ctx.signal.reason : new Error('render interrupted');
      settled = true; // ignore events while cancelling
      clearInterval(poll);
      events.removeAllListeners();
      cancelRender(ctx, ids).then(
        () => reject(reason),
        (err: unknown) => reject(new QueueError(`${reason.message}; cancelling render ${renderId} failed: ${(err as Error).message}`)),
      );
    };
    if (ctx.signal?.aborted) {
      onAbort();
      return;
    }
    ctx.signal?.addEventListener('abort', onAbort, { once: true });

    events.on('progress', ({ jobId, data }) => {
      if (!expected.has(jobId)) return;
      frames.set(jobId, Math.max(frames.get(jobId) ?? 0, progressFrames(data)));
      update();
    });
    events.on('active', ({ jobId }) => {
      if (jobId === finishId) startFinish();
    });
    events.on('completed', ({ jobId, returnvalue }) => {
      if (expected.has(jobId)) {
        frames.set(jobId, expected.get(jobId)!);
        update();
      } else if (jobId === finishId) {
        done((typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as FinishJobResult);
      }
    });
    events.on('failed', ({ jobId }) => {
      if (jobId !== finishId && !expected.has(jobId)) return;
      // A batch that will be retried fails too; only a final failure ends the render.
      void (async () => {
        const job = await queue.getJob(jobId);
        const state = job ? await job.getState() : 'unknown';
        if (jobId === finishId || state === 'failed') await failedRender();
      })().catch((err: unknown) => fail(err as Error));
    });
    events.on('removed', ({ jobId }) => {
      if (jobId === finishId) void check().catch(() => undefined);
    });
    void check().catch(() => undefined);
  });
}

/** The first final failure among the batches (it names batch and worker), else the finish job's reason. */
async function failureReason(queue: Queue, renderId: string, ids: string[]): Promise<string> {
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (job && (await job.getState()) === 'failed') return job.failedReason;
  }
  const finish = await queue.getJob(finishJobId(renderId));
  return finish?.failedReason ?? 'unknown reason';
}

const UNSTARTED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children', 'paused']);

/** Removes the batches no worker has started and aborts the running ones (their workers are told by pub/sub). */
async function stopBatches(ctx: FollowContext, ids: string[]): Promise<Job[]> {
  await ctx.redis.publish(CANCEL_CHANNEL, ctx.renderId);
  const active: Job[] = [];
  for (const id of ids) {
    const job = await ctx.queue.getJob(id);
    if (!job) continue;
    const state = await job.getState();
    if (state === 'active') active.push(job);
    else if (UNSTARTED.has(state)) await job.remove().catch(() => undefined);
  }
  return active;
}

/** Ctrl-C: marks the render cancelled, removes what has not started, aborts what runs, then removes the flow and its files. */
async function cancelRender(ctx: FollowContext, ids: string[]): Promise<void> {
  await ctx.redis.set(cancelKey(ctx.renderId), '1', 'EX', 7 * DAY);
  let active = await stopBatches(ctx, ids);
  const deadline = Date.now() + 30_000;
  const finish = await ctx.queue.getJob(finishJobId(ctx.renderId));
  while (Date.now() < deadline) {
    const states = await Promise.all([...active, ...(finish ? [finish] : [])].map((j) => j.getState()));
    if (!states.includes('active')) break;
    await new Promise((r) => setTimeout(r, 200));
    active = active.filter((_, i) => states[i] === 'active');
  }
  await ctx.queue.remove(finishJobId(ctx.renderId), { removeChildren: true }).catch(() => undefined);
  for (const id of ids) await ctx.queue.remove(id).catch(() => undefined);
  await ctx.redis.del(atlasKey(ctx.renderId));
  await ctx.storage.remove(ctx.workDir);
}
