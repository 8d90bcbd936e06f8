// No ffmpeg child of a render outlives it: after a failed batch, an aborted
// render() and a stopped (SIGSTOP) ffmpeg, /proc lists no child of this test
// process, live or zombie. Worker errors arrive with their own class.
import t from 'tap';
import { join } from 'node:path';
import { generateClip } from '../src/media/demo-clip.js';
import type { PlanInput } from '../src/plan/schema.js';
import { FrameCountError } from '../src/render/errors.js';
import { render } from '../src/render/render.js';
import { childrenOf, ffmpegChildren, settleChildren } from './helpers/children.js';
import { paths } from './helpers/media.js';

const dir = t.testdir({});
const input = join(dir, 'in.mp4');
const plan: PlanInput = { version: 1, subject: { keyframeInterval: 1 }, segments: [{ start: 0, effects: [{ type: 'blur-background', radius: 20 }] }] };
const options = { input, plan, cacheDir: false as const, workers: 2, batchSeconds: 1 };

t.before(() => generateClip(paths, { output: input, width: 192, height: 108, seconds: 4, fps: '25' }));
t.afterEach(() => {
  delete process.env.MASKFLOW_FAULT;
  delete process.env.MASKFLOW_WATCHDOG_SECONDS;
});

/** Children of this process once things settle: none may be left (zombies included). */
const leftChildren = (): Promise<unknown[]> => settleChildren(() => childrenOf(), 3000);

t.test('a failed batch: its FrameCountError arrives as one, and no ffmpeg child is left', async (t) => {
  process.env.MASKFLOW_FAULT = 'batch:0:fail';
  const err = await render({ ...options, output: join(dir, 'failed.mp4') }).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof FrameCountError, `a FrameCountError, not a generic batch error (got ${(err as Error)?.name})`);
  t.equal((err as Error).name, 'FrameCountError');
  t.match((err as Error).message, /^batch 0: ffmpeg decoded \d+ frames/);
  t.same(await leftChildren(), [], 'no child process, no zombie');
});

t.test('an aborted render(): every ffmpeg child killed and reaped', async (t) => {
  const controller = new AbortController();
  let sawChildren = 0;
  const run = render({
    ...options,
    output: join(dir, 'aborted.mp4'),
    signal: controller.signal,
    onProgress: (e) => {
      if (e.stage === 'render' && e.done > 0 && !controller.signal.aborted) {
        sawChildren = ffmpegChildren().length;
        controller.abort(new Error('stopped by the test'));
      }
    },
  });
  await t.rejects(run, /stopped by the test/);
  t.ok(sawChildren > 0, `ffmpeg children were running when it was aborted (${sawChildren})`);
  t.same(await leftChildren(), [], 'no child process, no zombie');
});

t.test('stopped (SIGSTOP) ffmpegs: the watchdog kills them, the rerun too, the render fails naming it, nothing is left', async (t) => {
  process.env.MASKFLOW_WATCHDOG_SECONDS = '1';
  const stopped = new Set<number>();
  let rendering = false;
  // Every ffmpeg of the batches gets stopped, the retry's too (a transient failure is rerun once, src/render/pool.ts).
  const poll = setInterval(() => {
    if (!rendering) return;
    for (const ff of ffmpegChildren()) {
      if (ff.state === 'Z' || stopped.has(ff.pid)) continue;
      stopped.add(ff.pid);
      process.kill(ff.pid, 'SIGSTOP');
    }
  }, 50);
  t.teardown(() => clearInterval(poll));
  const run = render({ ...options, output: join(dir, 'stopped.mp4'), onProgress: (e) => (rendering ||= e.stage === 'render') });
  await t.rejects(run, /made no progress for \d+ s \(it was stopped\) and was killed[\s\S]*failed on each of its 2 attempts/);
  clearInterval(poll);
  t.ok(stopped.size > 0, 'ffmpeg children were stopped');
  t.same(await leftChildren(), [], 'no child process, no zombie');
});
