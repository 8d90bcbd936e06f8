// The queue's checks that need no Redis server: URL parsing, usage errors,
// an unreachable Redis named clearly, storage checks from a worker's view,
// render ids. (The flows themselves: queue-render/queue-failure tests, run
// by `npm run test:queue` against a real redis-server.)
import t from 'tap';
import { writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQueueUrl, QueueError } from '../src/queue/address.js';
import { renderIdFor, batchJobId, finishJobId } from '../src/queue/flow.js';
import { inputIdentity, SharedPathStorage } from '../src/queue/storage.js';
import type { BatchJob } from '../src/render/job.js';
import { runCli } from './helpers/cli.js';
import { freePort } from './helpers/redis.js';

t.test('queue URLs: redis://HOST:PORT[/DB], everything else refused with the expected form', async (t) => {
  t.match(parseQueueUrl('redis://127.0.0.1:6380/2'), { host: '127.0.0.1', port: 6380, db: 2 });
  t.match(parseQueueUrl('redis://queue.local'), { host: 'queue.local', port: 6379, db: 0 });
  t.match(parseQueueUrl('redis://:secret@10.0.0.5:7000'), { host: '10.0.0.5', port: 7000, password: 'secret' });
  for (const [url, why] of [
    ['127.0.0.1:6379', /not a URL|only redis:\/\//],
    ['http://127.0.0.1:6379', /only redis:\/\//],
    ['redis://127.0.0.1:6379/x', /database must be a number/],
    ['redis://127.0.0.1:6379/99', /out of range/],
    ['redis://127.0.0.1:6379/0?tls=1', /query strings/],
  ] as const) {
    t.throws(() => parseQueueUrl(url), why, url);
    t.throws(() => parseQueueUrl(url), QueueError);
  }
});

t.test('usage errors exit 2 and say what is missing', async (t) => {
  const noQueue = await runCli(['worker']);
  t.equal(noQueue.code, 2);
  t.match(noQueue.stderr, /--queue redis:\/\/HOST:PORT\[\/DB\] is required/);
  const badConcurrency = await runCli(['worker', '--queue', 'redis://127.0.0.1:1', '--concurrency', '0']);
  t.equal(badConcurrency.code, 2);
  t.match(badConcurrency.stderr, /--concurrency must be a whole number from 1 to 64, got 0/);
  const detach = await runCli(['render', 'in.mp4', '-o', 'out.mp4', '--detach']);
  t.equal(detach.code, 2);
  t.match(detach.stderr, /--detach needs --queue/);
  const status = await runCli(['status', 'abc', '--queue', 'redis://127.0.0.1:1']);
  t.equal(status.code, 1);
  t.match(status.stderr, /"abc" is not a render id/);
  const help = await runCli(['worker', '--help']);
  t.match(help.stdout, /--stalled-seconds S/);
  t.match((await runCli(['--help'])).stdout, /worker .*\n.*status/s);
});

t.test('a Redis nobody listens on is one clear error, not endless retries', async (t) => {
  const port = await freePort();
  const started = Date.now();
  const r = await runCli(['worker', '--queue', `redis://127.0.0.1:${port}`]);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  t.ok(Date.now() - started < 10_000, 'fails within the connect timeout');
});

t.test('a worker checks it sees the input the submitter planned', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'in.mp4');
  writeFileSync(file, 'video bytes');
  const storage = new SharedPathStorage();
  const seen = await inputIdentity(file);
  await storage.checkInput(seen, 'w1');
  await t.rejects(storage.checkInput({ ...seen, file: join(dir, 'elsewhere.mp4') }, 'w1'), /worker w1 cannot read the input .*elsewhere\.mp4 \(ENOENT\): every worker must see the input at the same path/);
  appendFileSync(file, 'more');
  await t.rejects(storage.checkInput(seen, 'w2'), /worker w2 sees a different .*in\.mp4 than the submitter planned/);
  await t.rejects(storage.checkOutputFolder(join(dir, 'no', 'such', 'out.mp4'), 'w3'), /worker w3 cannot write into the output folder/);
  t.equal(storage.batchFile(storage.workDir(join(dir, 'out.mp4'), 'abcd'), 3), join(dir, '.out.mp4.maskflow-queue-abcd', 'batch-00003.mp4'));
});

t.test('render ids: the same render gives the same id, any change another', async (t) => {
  const job: BatchJob = {
    batch: 0, input: '/in.mp4', ffmpeg: '/a/ffmpeg', ffprobe: '/a/ffprobe', width: 64, height: 48, fpsNum: 25, fpsDen: 1,
    startFrame: 0, endFrame: 10, runs: [{ startFrame: 0, endFrame: 10, effects: [{ type: 'dim-background' }] }], encoder: { codec: 'libx264', crf: 20, preset: 'veryfast' }, outFile: '/tmp/x',
  } as BatchJob;
  const base = { input: { file: '/in.mp4', bytes: 10, mtimeMs: 1 }, output: '/out.mp4', jobs: [job], atlasSha256: 'aa', audioCodecs: ['aac'] };
  const id = renderIdFor(base);
  t.match(id, /^[0-9a-f]{16}$/);
  t.equal(renderIdFor({ ...base, jobs: [{ ...job, ffmpeg: '/other/ffmpeg', outFile: '/elsewhere' }] }), id, 'machine-local paths do not change the id');
  t.not(renderIdFor({ ...base, output: '/out2.mp4' }), id);
  t.not(renderIdFor({ ...base, atlasSha256: 'ab' }), id);
  t.not(renderIdFor({ ...base, jobs: [{ ...job, encoder: { ...job.encoder, crf: 21 } }] }), id);
  t.not(renderIdFor({ ...base, input: { ...base.input, mtimeMs: 2 } }), id);
  t.equal(batchJobId(id, 7), `${id}-batch-00007`);
  t.equal(finishJobId(id), `${id}-finish`);
});
