// The analysis cache is optional, so no cache problem may end a render: each
// fault below becomes a warning (in the analysis result and the render
// report) and the work goes on; a bad entry is replaced by a good one.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probe } from '../src/media/probe.js';
import { render } from '../src/render/render.js';
import { analyseVideo, type AnalyseOptions } from '../src/vision/analyse.js';
import { encodeEntry } from '../src/vision/cache.js';
import { runCli } from './helpers/cli.js';
import { inspect, paths } from './helpers/media.js';
import { makeClip } from './helpers/vision-clips.js';

function clipIn(dir: string): string {
  return makeClip({ dir, name: 'clip.mp4', background: 'still-cellauto', width: 128, height: 96, seconds: 1, x0: 10, vx: 30, y0: 30, vy: 10, subjectWidth: 24, subjectHeight: 24 }).file;
}

t.test('a cache path that is a file: analysis and render go on with a warning', async (t) => {
  const dir = t.testdir({ 'cache-file': 'I am a file, not a folder' });
  const info = await probe(clipIn(dir), paths);
  const cacheDir = join(dir, 'cache-file');
  const result = await analyseVideo(info, { paths, cacheDir });
  t.equal(result.cached, false);
  // 15 frames at 15 fps, every round(0.25 × 15) = 4 frames and the last: 0, 4, 8, 12, 14.
  t.equal(result.keyframes.length, 5);
  t.match(result.warnings, [/could not write the analysis cache entry .*cache-file\/analysis-[0-9a-f]{64}\.mfcache \(.*cache-file is not a folder, (EEXIST|ENOTDIR)\); the result was used without caching it/]);
  t.equal(readFileSync(cacheDir, 'utf8'), 'I am a file, not a folder', 'the file is untouched');

  const cli = await runCli(['render', info.file, '-o', join(dir, 'out.mp4'), '--cache-dir', cacheDir, '--quiet']);
  t.equal(cli.code, 0, cli.stderr);
  t.match(cli.stderr, /maskflow render: warning: could not write the analysis cache entry/);
  t.equal(inspect(join(dir, 'out.mp4')).frames, info.frames);
});

t.test('an entry replaced by a folder is reported, recomputed and replaced', async (t) => {
  const dir = t.testdir({});
  const info = await probe(clipIn(dir), paths);
  const opts: AnalyseOptions = { paths, cacheDir: join(dir, 'cache') };
  const first = await analyseVideo(info, opts);
  const file = first.cacheFile as string;
  await rm(file);
  mkdirSync(join(file, 'inside'), { recursive: true });
  const second = await analyseVideo(info, opts);
  t.equal(second.cached, false);
  t.match(second.warnings, [/ignored cache entry: .*\.mfcache: unreadable \(it is a folder\); recomputed/]);
  t.ok(statSync(file).isFile(), 'the folder was replaced by a valid entry');
  t.same(second.keyframes, first.keyframes);
  const third = await analyseVideo(info, opts);
  t.equal(third.cached, true, 'and the next run hits it');
  t.same(third.warnings, []);
});

t.test('checksum-valid entries with bad metadata are refused, never crash, and are replaced', async (t) => {
  const dir = t.testdir({});
  const info = await probe(clipIn(dir), paths);
  const opts: AnalyseOptions = { paths, cacheDir: join(dir, 'cache') };
  const first = await analyseVideo(info, opts);
  const file = first.cacheFile as string;
  const good = readFileSync(file);
  const header = JSON.parse(good.subarray(16, 16 + good.readUInt32LE(12)).toString()) as { key: string; parts: never; meta: Record<string, unknown> };
  const atlas = good.subarray(good.length - 32 - first.atlas.byteLength, good.length - 32);
  const kf = (header.meta.keyframes as Record<string, unknown>[])[0];
  const bad: [string, unknown, RegExp][] = [
    ['null metadata', null, /expected an object, got null/],
    ['keyframes null', { ...header.meta, keyframes: null }, /keyframes is not a non-empty list/],
    ['no finder', { ...header.meta, finder: 7 }, /finder is not a text/],
    ['mask size', { ...header.meta, maskWidth: 3 }, /mask size 3x\d+ differs from the atlas's/],
    ['keyframe count', { ...header.meta, keyframes: [kf] }, /1 keyframes listed, the atlas has 5/],
    ['bad box', { ...header.meta, keyframes: [{ ...kf, box: [1, 2] }, ...(header.meta.keyframes as unknown[]).slice(1)] }, /keyframes\[0\]\.box is not 4 numbers/],
    ['bad frame', { ...header.meta, keyframes: [{ ...kf, frame: 'x' }, ...(header.meta.keyframes as unknown[]).slice(1)] }, /keyframes\[0\]\.frame/],
    ['null keyframe', { ...header.meta, keyframes: [null, ...(header.meta.keyframes as unknown[]).slice(1)] }, /keyframes\[0\] is not an object/],
  ];
  for (const [what, meta, problem] of bad) {
    writeFileSync(file, encodeEntry(header.key, header.parts, { meta, atlas }));
    const r = await analyseVideo(info, opts);
    t.equal(r.cached, false, what);
    t.match(r.warnings[0], /^ignored cache entry: .*: bad metadata \(/, what);
    t.match(r.warnings[0], problem, what);
    t.same(r.keyframes, first.keyframes, `${what}: recomputed`);
    t.equal((await analyseVideo(info, opts)).cached, true, `${what}: the bad entry was replaced`);
  }
  // The same through a whole render: a warning in the report, and the video is written.
  writeFileSync(file, encodeEntry(header.key, header.parts, { meta: { ...header.meta, keyframes: null }, atlas }));
  const report = await render({ input: info.file, output: join(dir, 'out.mp4'), cacheDir: opts.cacheDir, workers: 1 });
  t.match(report.warnings, [/ignored cache entry: .*bad metadata \(keyframes is not a non-empty list\); recomputed/]);
  t.equal(report.analysis.cached, false);
  t.equal(inspect(join(dir, 'out.mp4')).frames, info.frames);
});

t.test('a full disk under the cache is a warning; the render writes its output elsewhere', async (t) => {
  const dir = t.testdir({});
  const info = await probe(clipIn(dir), paths);
  // Outside the test folder, so it is unmounted before anything removes it.
  const small = mkdtempSync(join(tmpdir(), 'maskflow-full-'));
  // A real full file system: a tiny tmpfs (needs mount rights; skipped without them).
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', small]);
  if (mounted.status !== 0) {
    rmSync(small, { recursive: true, force: true });
    t.pass(`skipped: cannot mount a small tmpfs here (${String(mounted.stderr).trim()}); the full-disk case needs it`);
    return;
  }
  t.teardown(() => {
    spawnSync('umount', [small]);
    rmSync(small, { recursive: true, force: true });
  });
  writeFileSync(join(small, 'filler'), Buffer.alloc(4096));
  const cacheDir = join(small, 'cache');
  const report = await render({ input: info.file, output: join(dir, 'out.mp4'), cacheDir, workers: 1 });
  t.match(report.warnings, [/could not write the analysis cache entry .* \(disk full, ENOSPC\); the result was used without caching it/]);
  t.equal(inspect(join(dir, 'out.mp4')).frames, info.frames);
  t.same(readdirSync(cacheDir).filter((n) => n.includes('.tmp-')), [], 'no half-written temp entry left in the cache');
});
