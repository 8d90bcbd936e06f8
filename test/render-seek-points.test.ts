// Batches cut where seeking is free, end to end: codec keyframes read from
// packet flags of real files (real ffprobe), the render's batches starting on
// them, seekFrames and the worker choice in the report.
import t from 'tap';
import { join } from 'node:path';
import { probe } from '../src/media/probe.js';
import { render } from '../src/render/render.js';
import { chooseWorkers, processTreeCpuMs, threadsFor } from '../src/render/worker-choice.js';
import { ffmpeg, grayFrames, inspect, paths } from './helpers/media.js';

function clip(file: string, extra: string[], rate = '25', frames = 120): void {
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=160x96:rate=${rate}`, '-frames:v', String(frames), '-pix_fmt', 'yuv420p', ...extra, file]);
}

t.test('codec keyframes come from packet flags, as frame indices', async (t) => {
  const dir = t.testdir({});
  const x264 = join(dir, 'g40.mp4');
  clip(x264, ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '40', '-sc_threshold', '0', '-bf', '3']);
  t.same((await probe(x264, paths)).grid.keyframes, [0, 40, 80]);
  // An old codec in AVI (no B-frames, packet times = frame numbers).
  const avi = join(dir, 'msmpeg4.avi');
  clip(avi, ['-c:v', 'msmpeg4', '-q:v', '5', '-g', '50'], '10', 130);
  t.same((await probe(avi, paths)).grid.keyframes, [0, 50, 100]);
  // Mpeg-TS starts its clock late (1.4 s): frame 0 is still the first picture.
  const ts = join(dir, 'late.ts');
  clip(ts, ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-sc_threshold', '0', '-f', 'mpegts']);
  const tsInfo = await probe(ts, paths).catch(() => undefined);
  if (tsInfo) t.same(tsInfo.grid.keyframes, [0, 30, 60, 90]);
  else t.pass('this ffprobe cannot probe MPEG-TS (inputs issue 16 item 2); skipped');
});

t.test('a render cuts its batches on codec keyframes and reports seekFrames', async (t) => {
  const dir = t.testdir({});
  const input = join(dir, 'in.mp4');
  // 8 s at 25 fps, a keyframe every 50 frames; 1.5 s batches with 2 workers.
  clip(input, ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-sc_threshold', '0'], '25', 200);
  const report = await render({ input, output: join(dir, 'out.mp4'), effect: 'dim-background', workers: 2, batchSeconds: 1.5, cacheDir: false });
  t.ok(report.batches.length >= 3, `${report.batches.length} batches`);
  for (const b of report.batches) {
    t.equal(b.seekFrames, b.range[0] % 50, `batch ${b.index} at ${b.range[0]}: ${b.seekFrames} frames decoded and thrown away`);
  }
  t.ok(report.batches.filter((b) => b.seekFrames === 0).length >= report.batches.length - 1, 'cuts land on keyframes');
  t.equal(inspect(join(dir, 'out.mp4')).frames, 200);
  t.equal(report.workerChoice!.source, 'option');
  t.equal(report.workerChoice!.workers, 2);
  t.ok(report.stagesCpu!.render > 0 && report.stagesCpu!.total >= report.stagesCpu!.render, 'CPU seconds per stage');
  t.ok(report.workerChoice!.renderCoresUsed > 0, `render kept ${report.workerChoice!.renderCoresUsed} cores busy`);
});

t.test('MPEG-TS and MPEG-PS (seeks land on the next keyframe): batches cut inside a GOP show the same pictures as one batch', async (t) => {
  // Their demuxers search timestamps and land on the first keyframe at or after the seek target,
  // unlike MP4/MKV/AVI's index seek: a target inside a GOP skipped to the next GOP (wrong pictures)
  // or, in the last GOP, past the end (0 frames).
  const dir = t.testdir({});
  const inputs = {
    'gop50.ts': ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-sc_threshold', '0', '-f', 'mpegts'],
    'gop50.mpg': ['-c:v', 'mpeg2video', '-q:v', '4', '-g', '50', '-f', 'mpeg'],
  };
  for (const [name, args] of Object.entries(inputs)) {
    const input = join(dir, name);
    clip(input, args, '25', 100);
    const whole = join(dir, `${name}.whole.mp4`);
    const cut = join(dir, `${name}.cut.mp4`);
    await render({ input, output: whole, effect: 'vignette', workers: 1, batchSeconds: 100, cacheDir: false });
    const report = await render({ input, output: cut, effect: 'vignette', workers: 2, batchSeconds: 0.5, cacheDir: false });
    t.ok(report.batches.some((b) => (b.seekFrames ?? 0) > 0), `${name}: batches start inside GOPs (${report.batches.map((b) => b.range[0]).join(', ')})`);
    const a = grayFrames(whole, 80, 48);
    const b = grayFrames(cut, 80, 48);
    t.equal(b.length, a.length, `${name}: ${a.length} frames`);
    const wrong = a.filter((f, i) => {
      let sum = 0;
      for (let p = 0; p < f.length; p++) sum += Math.abs(f[p] - b[i][p]);
      return sum / f.length > 3;
    }).length;
    t.equal(wrong, 0, `${name}: every frame shows the picture a single batch shows`);
  }
});

t.test('one batch seeks nothing', async (t) => {
  const dir = t.testdir({});
  const input = join(dir, 'in.mp4');
  clip(input, ['-c:v', 'libx264', '-preset', 'ultrafast'], '25', 50);
  const report = await render({ input, output: join(dir, 'out.mp4'), effect: 'vignette', cacheDir: false });
  t.same(report.batches.map((b) => b.seekFrames), [0]);
  t.equal(report.workerChoice!.source, 'table');
  t.match(report.workerChoice!.reason, /pipeline at 160x96/);
});

t.test('workers come from what one pipeline uses, not the core count', async (t) => {
  t.equal(chooseWorkers({ width: 1920, height: 1080, cores: 2 }).workers, 1, '2 cores: never two competing pipelines');
  t.equal(chooseWorkers({ width: 768, height: 576, cores: 2 }).workers, 1);
  t.equal(chooseWorkers({ width: 3840, height: 2160, cores: 4 }).workers, 1);
  t.equal(chooseWorkers({ width: 1920, height: 1080, cores: 16 }).workers, 2);
  t.equal(chooseWorkers({ width: 768, height: 576, cores: 16 }).workers, 5);
  t.equal(chooseWorkers({ width: 3840, height: 2160, cores: 64 }).workers, 6);
  const forced = chooseWorkers({ width: 1920, height: 1080, cores: 2, requested: 3 });
  t.same([forced.workers, forced.source], [3, 'option'], '--workers N wins');
  t.equal(threadsFor(1, 8), undefined, 'one pipeline: ffmpeg chooses its threads');
  t.equal(threadsFor(2, 8), 4);
  t.equal(threadsFor(4, 2), 1);
  const cpu = processTreeCpuMs();
  t.ok(cpu.ms > 0, `this process used ${cpu.ms} ms of CPU`);
});
