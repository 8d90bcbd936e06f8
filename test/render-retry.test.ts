// Retry: a batch that fails for a reason that can pass (its ffmpeg killed, a
// hung ffmpeg stopped by the watchdog, its worker thread crashed) is rerun once
// on a fresh worker and the render succeeds with the same frames; a
// deterministic failure (FrameCountError) is not retried; a batch failing twice
// fails the render. Faults come from the test hook MASKFLOW_FAULT in real
// renders; no ffmpeg child may keep running afterwards.
import t from 'tap';
import { join } from 'node:path';
import { generateClip } from '../src/media/demo-clip.js';
import type { PlanInput } from '../src/plan/schema.js';
import { FrameCountError } from '../src/render/errors.js';
import { render } from '../src/render/render.js';
import { ffmpegChildren, settleChildren } from './helpers/children.js';
import { frameHashes, paths } from './helpers/media.js';

const dir = t.testdir({});
const input = join(dir, 'in.mp4');
const plan: PlanInput = { version: 1, subject: { keyframeInterval: 1 }, segments: [{ start: 0, effects: [{ type: 'blur-background', radius: 20 }] }] };
// Lossless, so frame hashes compare pictures: the bundled ffmpeg's threaded x264 is not always
// bit-reproducible at a lossy crf (stop-19 closing note).
const options = { input, plan, cacheDir: false as const, workers: 2, batchSeconds: 1, encoder: { crf: 0 } };
let clean: string[] = [];

t.before(async () => {
  await generateClip(paths, { output: input, width: 192, height: 108, seconds: 4, fps: '25' });
  await render({ ...options, output: join(dir, 'clean.mp4') });
  clean = frameHashes(join(dir, 'clean.mp4'));
});
t.afterEach(() => {
  delete process.env.MASKFLOW_FAULT;
  delete process.env.MASKFLOW_WATCHDOG_SECONDS;
});

/** ffmpeg children still running (a zombie no longer runs; see README "Failure behaviour"). */
const running = (): Promise<unknown[]> => settleChildren(() => ffmpegChildren().filter((c) => c.state !== 'Z'), 3000);

t.test('an ffmpeg killed from outside: the batch is rerun once, the output has the same frames', async (t) => {
  process.env.MASKFLOW_FAULT = 'batch:1:kill:once';
  const out = join(dir, 'killed.mp4');
  const report = await render({ ...options, output: out });
  t.same(
    report.batches.map((b) => b.attempts),
    report.batches.map((b) => (b.index === 1 ? 2 : 1)),
    'batch 1 took two attempts, the others one',
  );
  t.ok(report.warnings.some((w) => /^batch 1 failed on attempt 1 and was rerun on a fresh worker: .*ffmpeg was killed by SIGKILL/.test(w)), 'the report says why');
  t.same(frameHashes(out), clean, 'every decoded frame equals an undisturbed render');
  t.same(await running(), [], 'no ffmpeg left running');
});

t.test('a worker thread that crashes: its batch is rerun on a fresh worker', async (t) => {
  process.env.MASKFLOW_FAULT = 'batch:0:crash:once';
  const out = join(dir, 'crashed.mp4');
  const report = await render({ ...options, output: out });
  t.equal(report.batches.find((b) => b.index === 0)?.attempts, 2);
  t.ok(report.warnings.some((w) => /^batch 0 failed on attempt 1 .*render worker \d crashed: MASKFLOW_FAULT: batch 0 crashed its worker/.test(w)), 'the crash is named');
  t.same(frameHashes(out), clean, 'same frames');
  t.same(await running(), [], 'no ffmpeg of the crashed worker left running');
});

t.test('a hung (stopped) ffmpeg: the watchdog kills it and the batch is rerun', async (t) => {
  process.env.MASKFLOW_WATCHDOG_SECONDS = '1';
  let stoppedPid = 0;
  const out = join(dir, 'stopped.mp4');
  const report = await render({
    ...options,
    output: out,
    onProgress: (e) => {
      if (e.stage === 'render' && e.done > 0 && stoppedPid === 0) {
        const ff = ffmpegChildren().find((c) => c.state !== 'Z');
        if (ff) {
          stoppedPid = ff.pid;
          process.kill(ff.pid, 'SIGSTOP');
        }
      }
    },
  });
  t.ok(stoppedPid > 0, 'an ffmpeg was stopped');
  t.equal(report.batches.filter((b) => b.attempts === 2).length, 1, 'one batch was rerun');
  t.ok(report.warnings.some((w) => /made no progress for \d+ s \(it was stopped\) and was killed/.test(w)), 'the watchdog is named');
  t.same(frameHashes(out), clean, 'same frames');
  t.same(await running(), [], 'nothing left running');
});

t.test('a batch whose ffmpeg is killed on both attempts fails the render, saying so', async (t) => {
  process.env.MASKFLOW_FAULT = 'batch:1:kill';
  const err = (await render({ ...options, output: join(dir, 'twice.mp4') }).then(
    () => undefined,
    (e: unknown) => e,
  )) as Error & { attempts?: number; batch?: number };
  t.match(err?.message, /ffmpeg was killed by SIGKILL[\s\S]*\(batch 1 failed on each of its 2 attempts\)/);
  t.equal(err.attempts, 2);
  t.equal(err.batch, 1);
  t.same(await running(), [], 'nothing left running');
});

t.test('a deterministic failure (bad input: a frame short) is not retried', async (t) => {
  process.env.MASKFLOW_FAULT = 'batch:0:fail:once';
  const err = (await render({ ...options, output: join(dir, 'short.mp4') }).then(
    () => undefined,
    (e: unknown) => e,
  )) as Error & { attempts?: number };
  t.ok(err instanceof FrameCountError, `a FrameCountError (${err?.name})`);
  t.equal(err.attempts, 1, 'one attempt only, although a second would have succeeded');
  t.same(await running(), [], 'nothing left running');
});

t.test('a worker stuck in a native call is terminated; the pool kills its ffmpeg children by pid', async (t) => {
  process.env.MASKFLOW_FAULT = 'batch:0:hang';
  const controller = new AbortController();
  let stopped: number[] = [];
  // The hung worker answers nothing. Its ffmpegs are stopped too (SIGSTOP), so they cannot end
  // by themselves when the thread's pipes close: only a kill from the main thread ends them.
  const poll = setInterval(() => {
    const live = ffmpegChildren().filter((c) => c.state !== 'Z');
    if (live.length < 2 || controller.signal.aborted) return;
    stopped = live.map((c) => c.pid);
    for (const pid of stopped) process.kill(pid, 'SIGSTOP');
    controller.abort(new Error('stopped by the test'));
  }, 100);
  t.teardown(() => clearInterval(poll));
  const run = render({ ...options, workers: 1, output: join(dir, 'hung.mp4'), signal: controller.signal });
  await t.rejects(run, /stopped by the test/);
  clearInterval(poll);
  t.equal(stopped.length, 2, 'its decoder and encoder were running, then stopped');
  t.same(await running(), [], 'none left running after the stuck worker was terminated');
});
