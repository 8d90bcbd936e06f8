// The process module: every ffmpeg/ffprobe maskflow starts is supervised
// (errors name what it was doing, kill escalates and reaps, a watchdog kills a
// process that stops making progress). Real ffmpeg processes throughout.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegPaths, readFrames } from '../src/media/ffmpeg.js';
import { FrameEncoder } from '../src/media/encoder.js';
import { liveProcesses, ProcessError, runFfmpeg, stopAll, takePeakChildRss, watchdogSecondsFromEnv } from '../src/media/process/index.js';
import { ffmpegChildren, settleChildren } from './helpers/children.js';

const paths = ffmpegPaths();
const dir = mkdtempSync(join(tmpdir(), 'maskflow-process-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// A source that never ends: the process only stops when we stop it.
const endless = ['-f', 'lavfi', '-re', '-i', 'testsrc2=size=64x48:rate=25'];

t.test('a failing ffmpeg rejects with what it was doing and its last stderr line', async (t) => {
  const proc = runFfmpeg(paths, ['-i', join(dir, 'missing.mp4'), '-f', 'null', '-'], { what: 'decoding the missing clip' });
  const err = await proc.done.then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof ProcessError, 'a ProcessError');
  const e = err as ProcessError;
  t.match(e.message, /^decoding the missing clip: ffmpeg exited with code 1/);
  t.match(e.lastLine, /missing\.mp4: No such file or directory/);
  t.equal(e.failure, 'exit');
  t.notOk(e.transient, 'a refused input is not worth retrying');
  t.same(liveProcesses(), [], 'unregistered once reaped');
});

t.test('kill() stops a running ffmpeg and resolves once it is reaped (no zombie)', async (t) => {
  const proc = runFfmpeg(paths, [...endless, '-f', 'null', '-'], { what: 'an endless decode' });
  t.equal(liveProcesses().length, 1, 'registered while running');
  await new Promise((r) => setTimeout(r, 300));
  await proc.kill('no longer needed');
  t.same(ffmpegChildren(), [], 'no ffmpeg child left, not even a zombie');
  await t.rejects(proc.done, { failure: 'killed', message: /an endless decode: no longer needed/ });
  t.same(liveProcesses(), []);
});

t.test('kill() also ends a stopped (SIGSTOP) ffmpeg: SIGCONT with SIGTERM, SIGKILL after the grace period', async (t) => {
  const proc = runFfmpeg(paths, [...endless, '-f', 'null', '-'], { what: 'a stopped decode', watchdogSeconds: 0 });
  await new Promise((r) => setTimeout(r, 200));
  process.kill(proc.pid!, 'SIGSTOP');
  await proc.kill();
  t.same(ffmpegChildren(), []);
});

t.test('stopAll() kills and reaps every live child', async (t) => {
  const a = runFfmpeg(paths, [...endless, '-f', 'null', '-'], { what: 'a' });
  const b = runFfmpeg(paths, [...endless, '-f', 'null', '-'], { what: 'b' });
  await new Promise((r) => setTimeout(r, 200));
  t.equal(ffmpegChildren().length, 2);
  await stopAll('the test is done');
  t.same(ffmpegChildren(), []);
  await t.rejects(a.done, { failure: 'killed', message: /^a: the test is done/ });
  await t.rejects(b.done, { failure: 'killed', message: /^b: the test is done/ });
});

t.test('watchdog: a stopped decoder is killed and the error names the process and its job', async (t) => {
  const started = Date.now();
  let pid = 0;
  const reading = readFrames(
    { input: 'testsrc2=size=64x48:rate=25', inputOptions: ['-f', 'lavfi', '-re'], paths, width: 64, height: 48, pixFmt: 'gray', what: 'decoding the test source', watchdogSeconds: 1 },
    () => {
      if (!pid) {
        pid = ffmpegChildren()[0]?.pid ?? 0;
        if (pid) process.kill(pid, 'SIGSTOP');
      }
    },
  );
  await t.rejects(reading, { name: 'ProcessError', failure: 'watchdog', message: /decoding the test source: ffmpeg \(pid \d+\) made no progress for 1 s \(it was stopped\) and was killed/ });
  t.ok(Date.now() - started < 8000, 'within a few seconds of the stall');
  t.same(await settleChildren(() => ffmpegChildren()), [], 'killed and reaped');
});

t.test('watchdog: a stopped encoder is killed while frames wait for it; an idle one (waiting for us) is not', async (t) => {
  const enc = new FrameEncoder({
    paths,
    width: 64,
    height: 48,
    fpsNum: 25,
    fpsDen: 1,
    output: join(dir, 'enc.mp4'),
    encoder: { codec: 'libx264', crf: 30, preset: 'ultrafast' },
    watchdogSeconds: 1,
  });
  const frame = new Uint8Array(64 * 48 * 1.5);
  await enc.write(frame);
  // Waiting for frames from us is not a hang.
  await new Promise((r) => setTimeout(r, 1600));
  await enc.write(frame);
  process.kill(enc.process.pid!, 'SIGSTOP');
  const writing = (async () => {
    for (;;) await enc.write(frame);
  })();
  await t.rejects(writing, { failure: 'watchdog', message: /ffmpeg encoder for .*enc\.mp4 failed: ffmpeg \(pid \d+\) made no progress/ });
  t.same(await settleChildren(() => ffmpegChildren()), []);
});

t.test('peak RSS of the children is sampled from /proc', async (t) => {
  takePeakChildRss();
  await runFfmpeg(paths, ['-f', 'lavfi', '-re', '-i', 'testsrc2=size=320x240:rate=25:duration=1', '-f', 'null', '-'], { what: 'a short decode' }).done;
  const peak = takePeakChildRss();
  t.ok(peak > 1 << 20 && peak < 1 << 30, `an ffmpeg's size (${peak} bytes)`);
});

t.test('MASKFLOW_WATCHDOG_SECONDS: a number of seconds, 0 = off, anything else is a clear error', async (t) => {
  t.equal(watchdogSecondsFromEnv({}), 120);
  t.equal(watchdogSecondsFromEnv({ MASKFLOW_WATCHDOG_SECONDS: '5' }), 5);
  t.equal(watchdogSecondsFromEnv({ MASKFLOW_WATCHDOG_SECONDS: '0' }), 0);
  t.throws(() => watchdogSecondsFromEnv({ MASKFLOW_WATCHDOG_SECONDS: 'soon' }), /MASKFLOW_WATCHDOG_SECONDS must be a number of seconds/);
});

// The compiled package (npm test builds it first): what a library user runs.
t.test('a child left running when the process exits is killed on the way out', async (t) => {
  const script = `
    import { ffmpegPaths } from ${JSON.stringify(new URL('../dist/media/ffmpeg.js', import.meta.url).href)};
    import { runFfmpeg } from ${JSON.stringify(new URL('../dist/media/process/index.js', import.meta.url).href)};
    const p = runFfmpeg(ffmpegPaths(), ${JSON.stringify([...endless, '-f', 'null', '-'])}, { what: 'left running' });
    console.log(p.pid);
    setTimeout(() => process.exit(3), 300);
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
  t.equal(r.status, 3, r.stderr);
  const pid = Number(r.stdout.trim());
  t.ok(pid > 0);
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const until = Date.now() + 5000;
  while (alive() && Date.now() < until) await new Promise((res) => setTimeout(res, 100));
  t.notOk(alive(), 'the ffmpeg died with its parent');
});
