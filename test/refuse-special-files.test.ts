// FIFOs and devices given as plan, background image or model are refused up
// front with "not a regular file", never opened: a FIFO would block forever.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClip } from '../src/media/demo-clip.js';
import { PlanError } from '../src/plan/errors.js';
import { resolvePlan } from '../src/plan/resolve.js';
import { parsePlan, readPlanFile } from '../src/plan/parse.js';
import { hashModelPath } from '../src/vision/cache.js';
import { runCli } from './helpers/cli.js';
import { paths } from './helpers/media.js';

const bin = fileURLToPath(new URL('../bin/maskflow.js', import.meta.url));

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo ${file} failed: ${r.stderr}`);
}

/** Runs the real CLI; kills it (and fails) if it has not exited after `ms`. */
function cli(args: string[], ms = 60_000): Promise<{ code: number | null; signal: string | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, ms: performance.now() - started });
    });
  });
}

t.test('a FIFO plan is refused at once by readPlanFile and by the CLI (no hang)', async (t) => {
  const dir = t.testdir({});
  const fifo = join(dir, 'plan.json');
  mkfifo(fifo);
  await t.rejects(readPlanFile(fifo), { message: `${fifo}: cannot read the plan file (not a regular file: a FIFO)` });
  await t.rejects(readPlanFile('/dev/zero'), { message: '/dev/zero: cannot read the plan file (not a regular file: a character device)' });
  await t.rejects(readPlanFile(dir), /cannot read the plan file \(not a regular file: a folder\)/);

  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25' });
  const r = await cli(['render', clip, '-o', join(dir, 'out.mp4'), '--plan', fifo, '--no-cache', '--quiet'], 30_000);
  t.equal(r.signal, null, 'exited by itself, not killed by the test timeout');
  t.equal(r.code, 1);
  t.match(r.stderr, /plan\.json: cannot read the plan file \(not a regular file: a FIFO\)/);
  t.notOk(existsSync(join(dir, 'out.mp4')));
});

t.test('a FIFO or device as background image is a plan error naming the effect', async (t) => {
  const dir = t.testdir({ 'bg.png': 'not really a png, but a regular file' });
  const fifo = join(dir, 'bg.fifo');
  mkfifo(fifo);
  const grid = { fpsNum: 25, fpsDen: 1, frames: 50 };
  const planWith = (image: string) =>
    parsePlan({ version: 1, segments: [{ start: 0, effects: [{ type: 'blur-background' }, { type: 'replace-background', image }] }] });
  for (const [image, kind] of [[fifo, 'not a regular file: a FIFO'], ['/dev/null', 'not a regular file: a character device'], [dir, 'not a regular file: a folder'], [join(dir, 'nope.png'), 'no such file']]) {
    t.throws(() => resolvePlan(planWith(image), grid, 'p.json'), { constructor: PlanError, message: `p.json: invalid plan (1 problem):\n  segments[0].effects[1].image: ${image}: ${kind}; expected an image file (PNG, JPEG...)` });
  }
  t.doesNotThrow(() => resolvePlan(planWith(join(dir, 'bg.png')), grid));
});

t.test('a FIFO or device as --detector, --segmenter or --ranker says what it is, not a readdir error', async (t) => {
  const dir = t.testdir({});
  const fifo = join(dir, 'model.onnx');
  mkfifo(fifo);
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25' });
  const cases: [string[], RegExp][] = [
    [['--detector', fifo], /detector model .*model\.onnx: not a regular file: a FIFO; expected an \.onnx file/],
    [['--detector', '/dev/zero'], /detector model \/dev\/zero: not a regular file: a character device/],
    [['--segmenter', '/dev/zero'], /segmenter model \/dev\/zero: not a regular file: a character device/],
    [['--detector', dir], /detector model .*: not a regular file: a folder/],
    [['--detector', clip, '--ranker', '/dev/zero'], /ranker model folder \/dev\/zero: not a folder: a character device/],
    [['--detector', clip, '--ranker', fifo], /ranker model folder .*model\.onnx: not a folder: a FIFO/],
  ];
  for (const [flags, message] of cases) {
    const render = await runCli(['render', clip, '-o', join(dir, 'out.mp4'), ...flags, '--quiet']);
    t.equal(render.code, 1, `render ${flags.join(' ')}`);
    t.match(render.stderr, message);
    t.notMatch(render.stderr, /ENOTDIR|scandir/);
    const analyse = await runCli(['analyse', clip, ...flags]);
    t.equal(analyse.code, 1, `analyse ${flags.join(' ')}`);
    t.match(analyse.stderr, message);
  }
  // The real CLI with a FIFO detector and the cache on exits too (the hash never opens it).
  const r = await cli(['render', clip, '-o', join(dir, 'out.mp4'), '--detector', fifo, '--quiet', '--cache-dir', join(dir, 'cache')], 30_000);
  t.equal(r.signal, null);
  t.equal(r.code, 1);
  await t.rejects(hashModelPath('/dev/zero', 'detector model'), { message: 'detector model /dev/zero: not a regular file or folder: a character device' });
});
