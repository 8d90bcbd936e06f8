// render --dry-run (issue 16 item 8): the up-front checks and a summary of
// what the render would do, with no frame of the input decoded (the ffmpeg
// used is a logging wrapper around the real one) and nothing written.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { ffmpeg, paths } from './helpers/media.js';

const bin = fileURLToPath(new URL('../bin/maskflow.js', import.meta.url));

/** A folder with ffmpeg and ffprobe scripts that log their arguments, then run the real tools. */
function loggingTools(dir: string): { folder: string; log: string } {
  const folder = join(dir, 'tools');
  const log = join(dir, 'calls.log');
  spawnSync('mkdir', ['-p', folder]);
  for (const [name, real] of [
    ['ffmpeg', paths.ffmpeg],
    ['ffprobe', paths.ffprobe],
  ]) {
    const file = join(folder, name);
    writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(file, 0o755);
  }
  return { folder, log };
}

t.test('--dry-run prints segments, batches, workers, keyframes and the output, decodes nothing, writes nothing', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'in.mp4');
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=4', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4'],
    ...['-c:v', 'libx264', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip],
  ]);
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, segments: [{ start: 0, end: 2, effects: [{ type: 'vignette' }] }, { start: 2, effects: [{ type: 'grayscale-background' }] }] }));
  const tools = loggingTools(dir);
  const before = readdirSync(dir).sort();
  const out = join(dir, 'out.mp4');
  const cache = join(dir, 'cache');
  const args = [bin, 'render', clip, '-o', out, '--plan', plan, '--size', 'reels', '--from', '1', '--workers', '2', '--batch-seconds', '1', '--ffmpeg', tools.folder, '--cache-dir', cache, '--dry-run'];
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /nothing decoded or written/);
  t.match(r.stdout, /plan: +2 segments\n +frames 0-49 .*: vignette\n +frames 50-99 .*: grayscale-background/);
  t.match(r.stdout, /range: +input frames 25-99/);
  // The range (frames 25-99) and one keyframe step (round(0.25 × 25) = 6 frames) before it: frames 19-99,
  // every 6 frames (19..97) and the last.
  t.match(r.stdout, /analysis: 15 keyframes \(every 0.25 s over input frames 19-99/);
  t.match(r.stdout, /render: +3 batches on 2 workers/);
  t.match(r.stdout, /output: .*out\.mp4: 1080x1920, 25\.000 fps, 75 frames \(3\.000 s\), libx264, audio copied \(aac\)/);
  t.same(readdirSync(dir).sort(), [...before, 'calls.log'].sort(), 'no output, run folder, report or cache written');
  t.notOk(existsSync(cache));
  const calls = readFileSync(tools.log, 'utf8').trim().split('\n');
  t.ok(calls.some((c) => c.startsWith('ffprobe ')), 'the input was probed');
  t.same(
    calls.filter((c) => c.startsWith('ffmpeg ') && c.includes(clip)),
    [],
    'no ffmpeg run read the input (the encoder trial encodes generated frames)',
  );

  const json = spawnSync(process.execPath, [...args, '--report', '-'], { cwd: dir, encoding: 'utf8' });
  t.equal(json.status, 0, json.stderr);
  const summary = JSON.parse(json.stdout) as { batches: unknown[]; output: { frames: number; width: number }; analysis: { keyframes: number } };
  t.same([summary.batches.length, summary.output.frames, summary.output.width, summary.analysis.keyframes], [3, 75, 1080, 15]);
});

t.test('--dry-run fails like the render would, before any work: encoder, image, model file, range', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'in.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, segments: [{ start: 0, effects: [{ type: 'replace-background', image: 'missing.png' }] }] }));
  const out = join(dir, 'out.mp4');
  const cases: [string[], number, RegExp][] = [
    [['--codec', 'h264_nvenc'], 1, /"h264_nvenc" is not a video encoder of this ffmpeg/],
    [['--plan', plan], 1, /missing\.png: no such file/],
    [['--detector', join(dir, 'none.onnx')], 1, /none\.onnx: no such file/],
    [['--from', '3'], 1, /--from 3 s is at or after the end of the video/],
    [['-o', '-'], 2, /--dry-run checks the output file name/],
    [['--report', join(dir, 'r.json')], 2, /--dry-run writes nothing/],
  ];
  for (const [flags, code, message] of cases) {
    const r = await runCli(['render', clip, '-o', out, '--no-cache', '--dry-run', ...flags]);
    t.equal(r.code, code, flags.join(' '));
    t.match(r.stderr, message, flags.join(' '));
  }
  t.same(readdirSync(dir).sort(), ['in.mp4', 'plan.json']);
});
