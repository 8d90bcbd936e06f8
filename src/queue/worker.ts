// `maskflow worker`: takes batch and finish jobs from the queue and runs them
// with the local render's own code: runPool (a worker thread with the addon,
// ffmpeg decode → effects → encode) for a batch, joinBatches/commitOutput for
// the finish. Failure rules:
//   - deterministic input errors (input missing or changed, wrong frame
//     count) are UnrecoverableErrors: no retries;
//   - anything else fails the attempt and BullMQ retries it with backoff;
//   - a worker that dies mid-batch stops renewing its lock, BullMQ's stalled
//     check hands the batch to another worker;
//   - every batch is written under an attempt-unique name and renamed into
//     place once complete, so a half-written file is never joined.
import { availableParallelism, hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ffmpegPaths, type FfmpegPaths } from '../media/ffmpeg.js';
import { probe } from '../media/probe.js';
import { commitOutput, joinBatches } from '../render/finish.js';
import { runPool } from '../render/pool.js';
import { fetchAtlas, dropAtlas } from './atlas-transport.js';
import { connect, parseQueueUrl, QueueError } from './connection.js';
import {
  batchRecordFile,
  CANCEL_CHANNEL,
  cancelKey,
  QUEUE_NAME,
  type BatchJobData,
  type BatchJobResult,
  type BatchRecord,
  type FinishJobData,
  type FinishJobResult,
} from './flow.js';
import { SharedPathStorage, type RenderStorage } from './storage.js';

export interface StartWorkerOptions {
  /** redis://HOST:PORT[/DB] */
  queue: string;
  /** Jobs run at once by this process (each batch gets its own render thread). Default 1. */
  concurrency?: number;
  /** Shown in progress, status and errors. Default: HOSTNAME-PID. */
  name?: string;
  /** Folder holding ffmpeg and ffprobe, or the ffmpeg binary (this machine's). */
  ffmpeg?: string;
  /**
   * Seconds without a lock renewal after which a job counts as stalled (its
   * worker died) and is handed to another worker; also how often this worker
   * looks for stalled jobs. Default 30.
   */
  stalledSeconds?: number;
  storage?: RenderStorage;
  /** One line per job event (started, done, failed, reused). */
  onLog?: (line: string) => void;
}

export interface QueueWorker {
  readonly name: string;
  /**
   * Stops taking jobs. Without `force`, running jobs finish first; with it,
   * they are aborted and handed back to the queue for another worker.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/** Error names that mean the input itself is at fault: retrying cannot help. */
const DETERMINISTIC = new Set(['FrameCountError', 'StorageError', 'AtlasTransportError', 'ProbeError', 'EffectParamsError']);

function isDeterministic(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (DETERMINISTIC.has(e.name)) return true;
    // The render pool passes worker-thread errors on by message.
    if (/^batch \d+: ffmpeg decoded \d+ frames/.test(e.message)) return true;
  }
  return false;
}

const HANDED_BACK = 'worker stopping: job handed back to the queue';
const CANCELLED = 'render cancelled';

export async function startWorker(options: StartWorkerOptions): Promise<QueueWorker> {
  const address = parseQueueUrl(options.queue);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new QueueError(`concurrency must be an integer from 1 to 64, got ${options.concurrency}`);
  const stalledSeconds = options.stalledSeconds ?? 30;
  if (!Number.isFinite(stalledSeconds) || stalledSeconds < 1 || stalledSeconds > 3600) throw new QueueError(`stalledSeconds must be between 1 and 3600, got ${options.stalledSeconds}`);
  const name = options.name ?? `${hostname()}-${process.pid}`;
  if (!/^[\w.@:-]{1,100}$/.test(name)) throw new QueueError(`worker name ${JSON.stringify(name)}: use letters, digits and . _ - @ : (at most 100)`);
  const storage = options.storage ?? new SharedPathStorage();
  const paths = ffmpegPaths(options.ffmpeg);
  const log = options.onLog ?? (() => undefined);
  // Several batches at once share the cores: one ffmpeg thread each, as the local pool does.
  const threads = concurrency > 1 ? Math.max(1, Math.floor(availableParallelism() / concurrency)) : undefined;

  const redis = await connect(address);
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  const running = new Map<string, string>(); // job id → render id
  const atlases = new Map<string, SharedArrayBuffer>(); // render id → atlas (the last few)

  const worker: Worker<BatchJobData | FinishJobData, BatchJobResult | FinishJobResult> = new Worker(
    QUEUE_NAME,
    async (job, token, signal) => {
      running.set(job.id!, job.data.renderId);
      try {
        if ((await redis.exists(cancelKey(job.data.renderId))) === 1) throw new UnrecoverableError(CANCELLED);
        if (job.name === 'batch') return await processBatch(job as Job<BatchJobData>, signal);
        if (job.name === 'finish') return await processFinish(job as Job<FinishJobData>, signal);
        throw new UnrecoverableError(`unknown job kind "${job.name}" (a newer maskflow submitted it?)`);
      } catch (err) {
        if (signal?.aborted && String(signal.reason) === HANDED_BACK && token) {
          await job.moveToWait(token);
          throw new WaitingError();
        }
        if (signal?.aborted && String(signal.reason) === CANCELLED) throw new UnrecoverableError(CANCELLED);
        throw err;
      } finally {
        running.delete(job.id!);
      }
    },
    {
      connection: redis,
      concurrency,
      name,
      lockDuration: stalledSeconds * 1000,
      stalledInterval: stalledSeconds * 1000,
      // One stall is a crash worth retrying; a batch that kills two workers fails the render.
      maxStalledCount: 2,
      autorun: false,
    },
  );
  worker.on('error', (err) => log(`queue error: ${err.message}`));

  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on('message', (_channel: string, renderId: string) => {
    for (const [jobId, id] of running) if (id === renderId) worker.cancelJob(jobId, CANCELLED);
  });

  const describe = (d: BatchJobData): string => `batch ${d.job.batch} (frames ${d.job.startFrame}-${d.job.endFrame - 1}) of render ${d.renderId}`;

  async function atlasFor(data: BatchJobData): Promise<SharedArrayBuffer> {
    const cached = atlases.get(data.renderId);
    if (cached) return cached;
    const atlas = await fetchAtlas(redis, storage, data.atlas);
    atlases.set(data.renderId, atlas);
    while (atlases.size > 2) atlases.delete(atlases.keys().next().value!);
    return atlas;
  }

  async function reusable(data: BatchJobData): Promise<BatchRecord | undefined> {
    const file = data.job.outFile;
    const record = await storage.readJson<BatchRecord>(batchRecordFile(file));
    if (!record || record.renderId !== data.renderId || record.frames !== data.job.endFrame - data.job.startFrame) return undefined;
    const print = await storage.fingerprint(file);
    return print && print.sha256 === record.sha256 && print.bytes === record.bytes ? record : undefined;
  }

  async function processBatch(job: Job<BatchJobData>, signal?: AbortSignal): Promise<BatchJobResult> {
    const t0 = performance.now();
    const data = job.data;
    const index = data.job.batch;
    try {
      await storage.checkInput(data.input, name);
      const kept = await reusable(data);
      if (kept) {
        log(`${describe(data)}: reused the verified batch file from an earlier run`);
        return { index, frames: kept.frames, file: data.job.outFile, sha256: kept.sha256, bytes: kept.bytes, worker: name, reused: true, ms: { decodeWait: 0, effects: 0, encodeWait: 0, total: 0 }, jobMs: performance.now() - t0 };
      }
      const atlas = await atlasFor(data);
      log(`${describe(data)}: started (attempt ${job.attemptsMade + 1})`);
      const attempt = storage.attemptFile(data.workDir, index, `${name.replace(/[^\w.-]/g, '_')}-${randomBytes(3).toString('hex')}`);
      const runJob = { ...data.job, ffmpeg: paths.ffmpeg, ffprobe: paths.ffprobe, outFile: attempt, encoder: { ...data.job.encoder, threads } };
      let lastProgress = 0;
      let pool;
      try {
        pool = await runPool([runJob], {
          workers: 1,
          atlas,
          signal,
          onProgress: (_batch, frames) => {
            const now = performance.now();
            if (now - lastProgress < 500) return;
            lastProgress = now;
            job.updateProgress({ frames }).catch(() => undefined);
          },
        });
      } catch (err) {
        await storage.remove(attempt);
        throw err;
      }
      const result = pool.results[0];
      const print = await storage.fingerprint(attempt);
      if (!print) throw new Error(`the batch file ${attempt} vanished after encoding`);
      await storage.commitBatch(attempt, data.job.outFile);
      const record: BatchRecord = { renderId: data.renderId, index, frames: result.frames, sha256: print.sha256, bytes: print.bytes, worker: name };
      await storage.writeJson(batchRecordFile(data.job.outFile), record);
      await job.updateProgress({ frames: result.frames });
      const jobMs = performance.now() - t0;
      log(`${describe(data)}: done, ${result.frames} frames in ${(jobMs / 1000).toFixed(2)} s`);
      return { index, frames: result.frames, file: data.job.outFile, sha256: print.sha256, bytes: print.bytes, worker: name, reused: false, ms: result.ms, jobMs };
    } catch (err) {
      if (signal?.aborted) {
        log(`${describe(data)}: stopped (${String(signal.reason)})`);
        throw err;
      }
      const message = `${describe(data)} failed on worker ${name}: ${(err as Error).message ?? String(err)}`;
      log(message);
      if (isDeterministic(err) || err instanceof UnrecoverableError) throw new UnrecoverableError(message);
      throw new Error(message, { cause: err });
    }
  }

  async function verifyBatches(data: FinishJobData, fp: FfmpegPaths): Promise<void> {
    for (const b of data.batches) {
      const where = `batch ${b.index} (${b.file})`;
      const record = await storage.readJson<BatchRecord>(batchRecordFile(b.file));
      const print = await storage.fingerprint(b.file);
      if (!record || !print) throw new Error(`${where} is missing on worker ${name}'s view of the storage`);
      if (record.renderId !== data.renderId) throw new Error(`${where} belongs to render ${record.renderId}, not ${data.renderId}`);
      if (print.sha256 !== record.sha256 || print.bytes !== record.bytes) {
        throw new Error(`${where} changed after worker ${record.worker} wrote it (SHA-256 ${print.sha256.slice(0, 12)}…, expected ${record.sha256.slice(0, 12)}…)`);
      }
      const frames = (await probe(b.file, fp)).frames;
      if (frames !== b.endFrame - b.startFrame) {
        throw new Error(`${where} from worker ${record.worker} holds ${frames} frames, expected ${b.endFrame - b.startFrame} (frames ${b.startFrame}-${b.endFrame - 1})`);
      }
    }
  }

  async function processFinish(job: Job<FinishJobData>, signal?: AbortSignal): Promise<FinishJobResult> {
    const data = job.data;
    const what = `finish of render ${data.renderId}`;
    try {
      log(`${what}: joining ${data.batches.length} batches into ${data.output}`);
      await storage.checkInput(data.input, name);
      await storage.checkOutputFolder(data.output, name);
      if (!data.overwrite && existsSync(data.output)) throw new UnrecoverableError(`${data.output} already exists (it appeared after submission); submit with -y to replace it`);
      const children = Object.values(await job.getChildrenValues<BatchJobResult>()).sort((a, b) => a.index - b.index);
      let t = performance.now();
      await verifyBatches(data, paths);
      const verifyMs = performance.now() - t;
      t = performance.now();
      const { temp, warnings } = await joinBatches({
        paths,
        batchFiles: data.batches.map((b) => b.file),
        input: data.input.file,
        audioCodecs: data.audioCodecs,
        output: data.output,
        workDir: data.workDir,
      });
      let out;
      try {
        out = await probe(temp, paths);
        if (out.frames !== data.frames) throw new Error(`the joined output has ${out.frames} frames, the input ${data.frames}; nothing was written to ${data.output}`);
        signal?.throwIfAborted();
      } catch (err) {
        await storage.remove(temp);
        throw err;
      }
      await commitOutput(temp, data.output, data.overwrite);
      const joinMs = performance.now() - t;
      await storage.remove(data.workDir);
      await dropAtlas(redis, storage, data.atlas).catch(() => undefined);
      log(`${what}: wrote ${data.output} (${out.frames} frames)`);
      return {
        output: { file: data.output, width: out.width, height: out.height, frames: out.frames, fps: out.fps },
        batches: children,
        worker: name,
        verifyMs,
        joinMs,
        warnings,
      };
    } catch (err) {
      if (signal?.aborted) throw err;
      const message = `${what} failed on worker ${name}: ${(err as Error).message ?? String(err)}`;
      log(message);
      if (isDeterministic(err) || err instanceof UnrecoverableError) throw new UnrecoverableError(message);
      throw new Error(message, { cause: err });
    }
  }

  void worker.run();
  await worker.waitUntilReady();
  log(`worker ${name} waiting for jobs on ${address.url} (concurrency ${concurrency})`);

  let closing: Promise<void> | undefined;
  return {
    name,
    async close({ force = false } = {}) {
      if (force) worker.cancelAllJobs(HANDED_BACK);
      closing ??= (async () => {
        await worker.close();
        await subscriber.quit().catch(() => undefined);
        await redis.quit().catch(() => undefined);
      })();
      await closing;
    },
  };
}

export type { Redis };
