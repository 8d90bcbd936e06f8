// Keyframe interval of the model-free finder: box accuracy against cost, on
// clips whose true subject box is known for every frame. Run after
// `node scripts/build-ts.mjs`:
//   node bench/keyframe-interval.mjs [interval ...]      (default 0.5 0.3 0.25 0.2)
// Per clip and interval: mean and minimum per-frame IoU of the box the render
// follows (keyframe boxes, linear in between) with the true box, keyframes,
// and the analysis's CPU seconds (this process and its ffmpeg, best of 2).
// Not part of `npm run bench`: it answers a design question, it guards no target.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, scratchDir } from './lib.mjs';

const { ffmpegPaths } = await load('media/ffmpeg.js');
const { probe } = await load('media/probe.js');
const { analyseVideo } = await load('vision/analyse.js');
const { generateClip, subjectPosition } = await load('media/demo-clip.js');
const paths = ffmpegPaths();
const dir = scratchDir('keyframe-interval');
const intervals = process.argv.slice(2).map(Number);
if (intervals.length === 0) intervals.push(0.5, 0.3, 0.25, 0.2);

const TICK = 100; // clock ticks per second of /proc/self/stat (USER_HZ on Linux)
/** CPU seconds of this process plus its waited-for children (ffmpeg). */
function cpuSeconds() {
  const u = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (u.user + u.system) / 1e6 + (Number(fields[13]) + Number(fields[14])) / TICK;
}

function iou(a, b) {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/** A 48 px square over a still black/white texture, its top-left at pos(t); truth as the overlay places it (even pixels). */
function squareClip(name, pos, { seconds = 6, fps = 25 } = {}) {
  const file = join(dir, `${name}.mp4`);
  const p = pos('t');
  const graph = `cellauto=s=320x240:rule=30:r=${fps},trim=end_frame=1,loop=-1:1:0,setpts=N/${fps}/TB[bg];color=c=0xff2080:s=48x48:r=${fps}[fg];[bg][fg]overlay=x='${p.x}':y='${p.y}':shortest=1,format=yuv420p`;
  execFileSync(paths.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', graph, '-frames:v', String(seconds * fps), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', file]);
  const even = (v) => Math.trunc(v) & ~1;
  return {
    name,
    file,
    truth: (frame) => {
      const q = pos(frame / fps);
      return [even(q.x), even(q.y), 48, 48];
    },
  };
}

function demoTruth(spec) {
  return (frame) => {
    const p = subjectPosition(spec, frame / Number(spec.fps));
    return [p.x, p.y, p.size, p.size];
  };
}

const clips = [
  squareClip('bob', (t) => (t === 't' ? { x: '136', y: '96+50*sin(PI*t)' } : { x: 136, y: 96 + 50 * Math.sin(Math.PI * t) })),
  squareClip('static', (t) => (t === 't' ? { x: '136', y: '96' } : { x: 136, y: 96 })),
  squareClip('walk', (t) => (t === 't' ? { x: '20+40*t', y: '60+15*t' } : { x: 20 + 40 * t, y: 60 + 15 * t })),
];
const demo = { width: 640, height: 360, seconds: 6, fps: '30' };
await generateClip(paths, { ...demo, output: join(dir, 'demo.mp4') });
clips.push({ name: 'demo 640x360 30 fps 6 s', file: join(dir, 'demo.mp4'), truth: demoTruth(demo) });
// The bench's long low-resolution case (bench/e2e.mjs): the demo scene at 768x576, 10 fps, 60 s, msmpeg4v3 .avi.
const long = { width: 768, height: 576, seconds: 60, fps: '10' };
await generateClip(paths, { ...long, crf: 16, gopSeconds: 1, output: join(dir, 'long-source.mp4') });
execFileSync(paths.ffmpeg, ['-v', 'error', '-y', '-i', join(dir, 'long-source.mp4'), '-an', '-c:v', 'msmpeg4', '-q:v', '4', '-g', '250', '-pix_fmt', 'yuv420p', join(dir, 'long.avi')]);
clips.push({ name: '576p 10 fps 60 s msmpeg4v3', file: join(dir, 'long.avi'), truth: demoTruth(long) });

const rows = [];
for (const clip of clips) {
  const info = await probe(clip.file, paths);
  for (const interval of intervals) {
    let best = Infinity;
    let result;
    for (let r = 0; r < 2; r++) {
      const before = cpuSeconds();
      result = await analyseVideo(info, { paths, cacheDir: false, keyframeInterval: interval });
      best = Math.min(best, cpuSeconds() - before);
    }
    const k = result.keyframes;
    const ious = [];
    for (let f = 0, j = 0; f < info.frames; f++) {
      while (j + 1 < k.length && k[j + 1].frame <= f) j++;
      const a = k[j];
      const b = k[Math.min(j + 1, k.length - 1)];
      const t = b.frame > a.frame ? Math.min(1, Math.max(0, (f - a.frame) / (b.frame - a.frame))) : 0;
      ious.push(iou(a.box.map((v, i) => v + (b.box[i] - v) * t), clip.truth(f)));
    }
    const mean = ious.reduce((s, v) => s + v, 0) / ious.length;
    const row = { clip: clip.name, interval, keyframes: k.length, meanIoU: +mean.toFixed(3), minIoU: +Math.min(...ious).toFixed(3), cpuSeconds: +best.toFixed(2) };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
}
console.table(rows);
