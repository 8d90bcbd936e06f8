// Renders through a real queue: Debian's redis-server started here, BullMQ
// flows, real `maskflow worker` processes (the compiled CLI) doing the
// batches with worker threads, the addon and ffmpeg. Every queued output is
// compared frame by frame (decoded per-frame hashes) with a local render of
// the same input and plan.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { render, type RenderOptions } from '../src/render/render.js';
import { batchJobId, QUEUE_NAME } from '../src/queue/flow.js';
import { inspect } from './helpers/media.js';
import { startRedis } from './helpers/redis.js';
import { clip, ffmpegUnder, frameHashes, startWorkerProcess, until, type WorkerProcess } from './helpers/redis-workers.js';

const dir = t.testdir({});
const input = join(dir, 'in.mp4');
clip(input, 4);
// Lossless, so frame hashes compare pictures: the bundled ffmpeg's threaded x264 is not always
// bit-reproducible at a lossy crf (stop-19 closing note).
const same: Partial<RenderOptions> = { workers: 1, batchSeconds: 1, cacheDir: false, effect: 'blur-background', encoder: { crf: 0 } };

const redis = await startRedis();
const workers: WorkerProcess[] = [];
t.teardown(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis.stop();
});

const reference = join(dir, 'local.mp4');
await render({ input, output: reference, ...same });
const referenceHashes = frameHashes(reference);

t.test('3 worker processes render one video; the output has the local render\'s frames', async (t) => {
  for (const name of ['w1', 'w2', 'w3']) workers.push(await startWorkerProcess(redis.url, name));
  const output = join(dir, 'three.mp4');
  const report = await render({ input, output, ...same, queue: redis.url });
  t.equal(report.frames, 100);
  t.equal(report.batches.length, 4, 'four batches');
  t.ok(report.queue && report.queue.workers.length >= 2, `batches ran on ${report.queue?.workers.join(', ')}`);
  t.ok(report.queue!.workers.every((w) => ['w1', 'w2', 'w3'].includes(w)));
  t.ok(report.batches.every((b) => b.worker >= 0), 'every batch names its worker');
  const facts = inspect(output);
  t.equal(facts.frames, 100, 'every frame, none doubled');
  t.equal(facts.audioStreams, 1, 'audio muxed by the finish job');
  t.same(frameHashes(output), referenceHashes, 'decoded frames identical to the local render');
  t.same(readdirSync(dir).filter((f) => f.includes('maskflow')), [], 'no batch folder or temp file left');
  t.ok(report.stages.finish > 0 && report.stages.render > 0);
});

t.test('kill -9 of a worker mid-batch: its batch re-runs elsewhere, the frames are right', async (t) => {
  const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
  const eventsConnection = conn.duplicate();
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection });
  await events.waitUntilReady();
  const stalled: string[] = [];
  events.on('stalled', ({ jobId }) => stalled.push(jobId));
  const victim = workers[0];
  const output = join(dir, 'killed.mp4');
  let killedBatch = -1;
  const watching = victim.waitFor(/batch \d+ .* started/, 120_000, victim.log.length).then((line) => {
    killedBatch = Number(/batch (\d+)/.exec(line)![1]);
    victim.child.kill('SIGKILL');
  });
  const rendering = render({ input, output, ...same, queue: redis.url });
  await watching;
  await victim.exited;
  const report = await rendering;
  t.ok(killedBatch >= 0, `worker ${victim.name} killed during batch ${killedBatch}`);
  const stream = (await conn.xrange(`bull:${QUEUE_NAME}:events`, '-', '+')).map(([, f]) => f.join(' ')).filter((l) => l.includes('stalled'));
  t.ok(stalled.some((id) => id.endsWith(batchJobId('', killedBatch))), `BullMQ detected the stalled batch (${stalled.join(', ')}; stream: ${stream.join(' | ')})`);
  const ran = report.queue!.workers[report.batches.find((b) => b.index === killedBatch)!.worker];
  t.not(ran, victim.name, `batch ${killedBatch} completed on ${ran}`);
  t.same(frameHashes(output), referenceHashes, 'decoded frames identical to the local render');
  await until('the killed worker\'s ffmpeg processes to end', () => ffmpegUnder(dir).length === 0, 15_000);
  await events.close();
  eventsConnection.disconnect();
  conn.disconnect();
  workers[0] = await startWorkerProcess(redis.url, 'w4');
});

t.test('two renders queued at once both complete', async (t) => {
  const a = join(dir, 'twin-a.mp4');
  const b = join(dir, 'twin-b.mp4');
  const [ra, rb] = await Promise.all([render({ input, output: a, ...same, queue: redis.url }), render({ input, output: b, ...same, queue: redis.url })]);
  t.not(ra.queue!.renderId, rb.queue!.renderId, 'two renders, two ids');
  t.same(frameHashes(a), referenceHashes);
  t.same(frameHashes(b), referenceHashes);
});

