// End-to-end renders with real ffmpeg, real workers and the real addon:
// exact frame counts across batch edges, audio kept, no clobbering, the
// atlas shared (not copied) with workers.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '../src/render/render.js';
import { probe } from '../src/media/probe.js';
import { parsePlan } from '../src/plan/parse.js';
import { spawnSync } from 'node:child_process';
import { ffmpeg, grayFrames, inspect, paths } from './helpers/media.js';

// Every frame's luma is 16 + (N * 7) mod 219 (inside the video range): a
// dropped or doubled frame shows as a jump in the sequence. grayscale-background only touches chroma, so the luma
// survives the render.
function countingClip(file: string, rate: string, frames: number, audio: boolean): void {
  const args = ['-f', 'lavfi', '-i', `color=c=black:s=96x64:r=${rate},format=yuv420p,geq=lum='16+mod(N*7\\,219)':cb=128:cr=128`];
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000');
  args.push('-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv420p');
  if (audio) args.push('-c:a', 'aac', '-shortest');
  args.push(file);
  ffmpeg(args);
}

function frameIndices(file: string): number[] {
  return grayFrames(file, 8, 8).map((f) => {
    let sum = 0;
    for (const v of f) sum += v;
    return Math.round(sum / f.length);
  });
}

const grayPlan = (segments: [number, number][]) =>
  parsePlan({ version: 1, segments: segments.map(([start, end]) => ({ start, end, effects: [{ type: 'grayscale-background' }] })) });

for (const [rate, frames] of [
  ['25', 107],
  ['30000/1001', 101],
] as const) {
  t.test(`no frame is dropped or doubled at batch edges (${rate} fps, ${frames} frames, audio)`, async (t) => {
    const dir = t.testdir({});
    const input = join(dir, 'count.mp4');
    countingClip(input, rate, frames, true);
    const output = join(dir, 'out.mp4');
    // Segments cross the ~1 s batch size; the tail after the last segment is a gap.
    const report = await render({ input, output, plan: grayPlan([[0, 0.7], [0.7, 2.3], [2.6, 3.1]]), workers: 2, batchSeconds: 1, cacheDir: false });
    t.ok(report.batches.length >= 3, `rendered in ${report.batches.length} batches`);
    const facts = inspect(output);
    t.equal(facts.frames, frames, 'output frame count equals the input frame count');
    t.equal(facts.rate, rate === '25' ? '25/1' : '30000/1001', 'same frame rate');
    t.equal(facts.audioStreams, 1, 'audio kept');
    t.ok(Math.abs(facts.audioDuration - inspect(input).audioDuration) < 0.05, 'audio duration unchanged');
    const got = frameIndices(output);
    const want = frameIndices(input);
    t.equal(want.length, frames);
    const wrong = got.map((v, i) => (Math.abs(v - want[i]) > 3 ? i : -1)).filter((i) => i >= 0);
    t.same(wrong, [], 'every output frame is the input frame with the same index');
    t.same(
      report.batches.map((b) => b.range),
      [...report.batches].sort((a, b) => a.range[0] - b.range[0]).map((b) => b.range),
    );
  });
}

t.test('the atlas is shared with every worker, not copied', async (t) => {
  const dir = t.testdir({});
  const input = join(dir, 'count.mp4');
  countingClip(input, '25', 60, false);
  const report = await render({ input, output: join(dir, 'out.mp4'), plan: grayPlan([[0, 2.4]]), workers: 2, batchSeconds: 1, cacheDir: false });
  t.equal(report.workers, 2);
  t.ok(report.masks.bytesShared > 0, `atlas of ${report.masks.bytesShared} bytes shared`);
  t.equal(report.masks.bytesCopied, 0, 'workers read the main thread memory itself');
  t.equal(inspect(join(dir, 'out.mp4')).audioStreams, 0, 'no audio in, no audio out');
});

t.test('an existing output is never replaced without overwrite, and nothing half-written is left', async (t) => {
  const dir = t.testdir({ 'out.mp4': 'precious' });
  const input = join(dir, 'count.mp4');
  countingClip(input, '25', 30, false);
  const output = join(dir, 'out.mp4');
  await t.rejects(render({ input, output, plan: grayPlan([[0, 1]]), cacheDir: false }), /already exists.*-y/);
  t.equal(readFileSync(output, 'utf8'), 'precious');
  // A plan that fails validation after work started leaves no temp files.
  await t.rejects(render({ input, output: join(dir, 'new.mp4'), plan: grayPlan([[0, 30]]), cacheDir: false }), /segments\[0\]/);
  t.same(readdirSync(dir).sort(), ['count.mp4', 'out.mp4']);
  const report = await render({ input, output, plan: grayPlan([[0, 1]]), overwrite: true, cacheDir: false, workers: 1 });
  t.equal(report.frames, 30);
  t.ok(statSync(output).size > 100, 'replaced with a video');
  t.same(readdirSync(dir).sort(), ['count.mp4', 'out.mp4'], 'no batch or temp files left');
});

t.test('an unreadable input is a clear error naming the file', async (t) => {
  const dir = t.testdir({ 'notes.mp4': 'not a video' });
  await t.rejects(render({ input: join(dir, 'notes.mp4'), output: join(dir, 'o.mp4'), cacheDir: false }), /notes\.mp4: not a readable media file/);
  await t.rejects(render({ input: join(dir, 'missing.mp4'), output: join(dir, 'o.mp4'), cacheDir: false }), /missing\.mp4: no such file/);
  t.notOk(existsSync(join(dir, 'o.mp4')));
  writeFileSync(join(dir, 'x'), '');
});

t.test('a rotated input renders upright at its display size', async (t) => {
  const dir = t.testdir({});
  const plain = join(dir, 'plain.mp4');
  countingClip(plain, '25', 40, false);
  const rotated = join(dir, 'rotated.mp4');
  ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
  const report = await render({ input: rotated, output: join(dir, 'out.mp4'), plan: grayPlan([[0, 1.6]]), workers: 2, batchSeconds: 1, cacheDir: false });
  t.same([report.input.width, report.input.height], [64, 96], 'display size of a 96x64 clip rotated by 90°');
  const facts = inspect(join(dir, 'out.mp4'));
  t.same([facts.width, facts.height, facts.frames], [64, 96, 40]);
});

t.test('an odd-sized input renders with its last column and row dropped', async (t) => {
  const dir = t.testdir({});
  const odd = join(dir, 'odd.mkv');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=97x55:rate=25', '-frames:v', '30', '-c:v', 'ffv1', '-pix_fmt', 'yuv444p', odd]);
  const report = await render({ input: odd, output: join(dir, 'out.mp4'), effect: 'grayscale-background', workers: 1, cacheDir: false });
  t.same([report.output.width, report.output.height], [96, 54]);
  t.equal(inspect(join(dir, 'out.mp4')).frames, 30);
});

t.test('aborting a render stops the workers and leaves no output or temp files', async (t) => {
  const dir = t.testdir({});
  const input = join(dir, 'count.mp4');
  countingClip(input, '25', 150, false);
  const controller = new AbortController();
  const run = render({
    input,
    output: join(dir, 'out.mp4'),
    plan: grayPlan([[0, 6]]),
    workers: 2,
    batchSeconds: 1,
    cacheDir: false,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.stage === 'render' && e.done > 0) controller.abort(new Error('stopped by the test'));
    },
  });
  await t.rejects(run, /stopped by the test/);
  t.same(readdirSync(dir), ['count.mp4'], 'no output, no batch folder, no temp file');
});

t.test('B-frames in the input do not shift frames at batch edges', async (t) => {
  const dir = t.testdir({});
  const plain = join(dir, 'plain.mkv');
  countingClip(plain, '25', 90, false);
  // Re-encode with B-frames and a short GOP, as cameras and streaming encoders do.
  const input = join(dir, 'bframes.mp4');
  ffmpeg(['-i', plain, '-c:v', 'libx264', '-preset', 'medium', '-bf', '3', '-g', '30', '-qp', '0', input]);
  const report = await render({ input, output: join(dir, 'out.mp4'), plan: grayPlan([[0, 3.6]]), workers: 2, batchSeconds: 0.7, cacheDir: false });
  t.ok(report.batches.length >= 4, `${report.batches.length} batches`);
  const want = frameIndices(input);
  const got = frameIndices(join(dir, 'out.mp4'));
  t.equal(got.length, 90);
  t.same(got.map((v, i) => (Math.abs(v - want[i]) > 3 ? i : -1)).filter((i) => i >= 0), [], 'every frame in place');
});

t.test('audio the output container cannot hold is re-encoded to AAC with a warning; .mkv keeps it', async (t) => {
  const dir = t.testdir({});
  const input = join(dir, 'opus.mkv');
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=48000',
    '-frames:v', '40', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'libopus', '-shortest', input,
  ]);
  const mp4 = await render({ input, output: join(dir, 'out.mp4'), effect: 'vignette', workers: 1, cacheDir: false });
  t.match(mp4.warnings.join('\n'), /opus audio cannot be stored in \.mp4.*re-encoded to AAC/);
  t.equal(inspect(join(dir, 'out.mp4')).audioStreams, 1);
  const mkv = await render({ input, output: join(dir, 'out.mkv'), effect: 'vignette', workers: 1, cacheDir: false });
  t.same(mkv.warnings, [], 'copied untouched into .mkv');
  t.equal(inspect(join(dir, 'out.mkv')).frames, 40);
  await t.rejects(render({ input, output: join(dir, 'out.gif'), effect: 'vignette', cacheDir: false }), /out\.gif: the output must end in \.mp4, \.m4v, \.mov, \.mkv/);
});

t.test('the variable-frame-rate note speaks of audio only when the input has some', async (t) => {
  const dir = t.testdir({});
  // 25 fps, then pictures 0.1 s apart: off the 25 fps grid. GIFs carry no audio.
  const pictures = ['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=25'];
  const vfr = ['-frames:v', '30', '-vf', "settb=1/100,setpts='if(lt(N,15),N/25,15/25+(N-15)/10)/TB'", '-enc_time_base', '1/100', '-vsync', '0'];
  const note = async (file: string): Promise<string | undefined> =>
    (await probe(file, paths)).notes.find((n) => n.includes('variable frame rate'))?.slice(file.length);
  const gif = join(dir, 'vfr.gif');
  ffmpeg([...pictures, ...vfr, gif]);
  const silent = await note(gif);
  t.match(silent, /every picture at its own time/);
  t.notMatch(silent, /audio/);
  const mkv = join(dir, 'vfr.mkv');
  ffmpeg([...pictures, '-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=48000', ...vfr, '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'libopus', mkv]);
  t.match(await note(mkv), /every picture at its own time .*in sync with the audio/);
});

t.test('a variable-frame-rate input keeps every picture at its own time on a constant grid, across batch cuts', async (t) => {
  const dir = t.testdir({});
  const plain = join(dir, 'plain.mkv');
  countingClip(plain, '25', 100, false);
  // Frames 0-39 at 25 fps, then 10 fps: frame f no longer starts at f / average fps.
  const input = join(dir, 'vfr.mkv');
  ffmpeg(['-i', plain, '-vf', "setpts='if(lt(N,40),N/25,40/25+(N-40)/10)/TB'", '-vsync', '0', '-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast', input]);
  const report = await render({ input, output: join(dir, 'out.mp4'), plan: grayPlan([[0, 2]]), workers: 2, batchSeconds: 1, cacheDir: false });
  t.ok(report.batches.length >= 3, `${report.batches.length} batches`);
  const pictures = frameIndices(input);
  t.equal(pictures.length, 100);
  // Picture times as stored (ffprobe, no decoding): output frame k shows the last picture at or before k / 25 (to the nearest frame).
  const times = spawnSync(paths.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', input], { encoding: 'utf8' })
    .stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
  const slots = times.map((v) => Math.round((v - times[0]) * 25));
  const want: number[] = [];
  for (let k = 0, p = 0; k <= slots[slots.length - 1]; k++) {
    while (p + 1 < slots.length && slots[p + 1] <= k) p++;
    want.push(pictures[p]);
  }
  const got = frameIndices(join(dir, 'out.mp4'));
  t.equal(got.length, want.length, `${want.length} frames: the input's 7.6 s at 25 fps`);
  t.same(got.map((v, i) => (Math.abs(v - want[i]) > 3 ? i : -1)).filter((i) => i >= 0), [], 'every picture at its own time');
  t.match(report.warnings.join('\n'), /repeat the picture before them/);
});
