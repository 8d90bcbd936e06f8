// Queue failure behaviour on a real redis-server with real `maskflow worker`
// processes: Ctrl-C cancels the flow, an input that changed fails at once
// without retries (batch and worker named), a failed render's verified batch
// files are reused when it is submitted again.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { render, type RenderOptions } from '../src/render/render.js';
import { renderStatus, submitRender } from '../src/queue/index.js';
import { batchJobId, QUEUE_NAME } from '../src/queue/flow.js';
import { startRedis } from './helpers/redis.js';
import { clip, ffmpegUnder, frameHashes, lineWatcher, spawnCli, startWorkerProcess, until, type WorkerProcess } from './helpers/redis-workers.js';

const dir = t.testdir({});
const input = join(dir, 'in.mp4');
clip(input, 4);
const long = join(dir, 'long.mp4');
clip(long, 12);
// Lossless, so frame hashes compare pictures: the bundled ffmpeg's threaded x264 is not always
// bit-reproducible at a lossy crf (stop-19 closing note).
const same: Partial<RenderOptions> = { workers: 1, batchSeconds: 1, cacheDir: false, effect: 'blur-background', encoder: { crf: 0 } };

const redis = await startRedis();
const workers: WorkerProcess[] = [];
t.teardown(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis.stop();
});
for (const name of ['f1', 'f2']) workers.push(await startWorkerProcess(redis.url, name));

const reference = join(dir, 'local.mp4');
await render({ input, output: reference, ...same });
const referenceHashes = frameHashes(reference);

t.test('Ctrl-C on `maskflow render --queue` cancels the flow', async (t) => {
  const output = join(dir, 'cancelled.mp4');
  const child = spawnCli(['render', long, '-o', output, '--queue', redis.url, '--batch-seconds', '1', '--workers', '1', '--no-cache']);
  const log: string[] = [];
  const waitFor = lineWatcher([child.stderr!, child.stdout!], log);
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const line = await waitFor(/queued render [0-9a-f]{16}/, 120_000);
  const renderId = /queued render ([0-9a-f]{16})/.exec(line)![1];
  // Interrupt while batches run.
  await Promise.race(workers.map((w) => w.waitFor(new RegExp(`render ${renderId}: started`), 60_000)));
  child.kill('SIGINT');
  const code = await exit;
  t.not(code, 0, `exit code ${code}`);
  t.notOk(existsSync(output), 'no output written');
  const status = await renderStatus(redis.url, renderId);
  t.equal(status.state, 'cancelled');
  const qConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const q = new Queue(QUEUE_NAME, { connection: qConnection });
  const left = [];
  for (let i = 0; i < 12; i++) if (await q.getJob(batchJobId(renderId, i))) left.push(i);
  t.same(left, [], 'no batch job of the render left on the queue');
  await q.close();
  qConnection.disconnect();
  await until('workers to stop the cancelled batches', () => ffmpegUnder(dir).length === 0, 15_000);
  t.same(readdirSync(dir).filter((f) => f.includes('cancelled')), [], 'no batch folder left');
  // The workers are still alive and take the next render.
  const after = join(dir, 'after-cancel.mp4');
  await render({ input, output: after, ...same, queue: redis.url });
  t.same(frameHashes(after), referenceHashes);
});

t.test('an input that changed after submission fails the render at once, naming batch and worker, without retries', async (t) => {
  // Database 1 has no workers until the input is broken.
  const url = `${redis.url}/1`;
  const bad = join(dir, 'bad.mp4');
  copyFileSync(input, bad);
  let lone: WorkerProcess | undefined;
  const failed = render({
    input: bad,
    output: join(dir, 'bad-out.mp4'),
    ...same,
    queue: {
      url,
      onSubmitted: () => {
        appendFileSync(bad, Buffer.alloc(1000));
        void startWorkerProcess(url, 'lone').then(
          (w) => (lone = w),
          (e: unknown) => t.fail(`the lone worker did not start: ${(e as Error).message}`),
        );
      },
    },
  });
  const err = await failed.then(() => undefined, (e: unknown) => e as Error);
  t.ok(err, 'the render failed');
  t.match(err!.message, /batch \d+ \(frames \d+-\d+\) of render [0-9a-f]{16} failed on worker lone/, 'names the batch and the worker');
  t.match(err!.message, /bad\.mp4/, 'names the input');
  t.match(err!.message, /changed after submission/);
  const renderId = /render ([0-9a-f]{16})/.exec(err!.message)![1];
  const status = await renderStatus(url, renderId);
  t.equal(status.state, 'failed');
  const failedBatches = status.batches.filter((b) => b.state === 'failed');
  t.ok(failedBatches.length >= 1);
  t.ok(failedBatches.every((b) => b.attempts === 1), 'one attempt: no retries');
  t.notOk(existsSync(join(dir, 'bad-out.mp4')));
  await until('the lone worker to start', () => lone !== undefined, 180_000);
  await lone!.stop();
});

t.test('a resubmitted render reuses its verified batch files', async (t) => {
  const output = join(dir, 'resubmit.mp4');
  // The output appears after submission: the finish job refuses to replace it and the render fails after every batch is done.
  const first = await render({ input, output, ...same, queue: { url: redis.url, onSubmitted: () => writeFileSync(output, 'someone else') } }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  t.match(first?.message, /already exists/);
  t.match(first?.message, /kept in/);
  const { renderId } = await submitRender({ input, output, ...same, overwrite: true, queue: redis.url });
  t.match(renderId, /^[0-9a-f]{16}$/);
  const status = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'maskflow.js'), 'status', renderId, '--queue', redis.url, '--follow'], { encoding: 'utf8' });
  t.equal(status.status, 0, status.stderr);
  t.match(status.stdout, new RegExp(`render ${renderId}: completed, 100/100 frames`));
  t.match(status.stdout, /\(reused\)/, 'status shows reused batches');
  t.same(frameHashes(output), referenceHashes);
});
