import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { analyseCommand } from '../src/cli/analyse.js';
import { UsageError } from '../src/cli/command.js';
import { ffmpegPaths, readFrames } from '../src/media/ffmpeg.js';
import { KEYFRAME_INTERVAL_RANGE } from '../src/media/keyframes.js';
import { probe } from '../src/media/probe.js';
import { parsePlan, PlanError } from '../src/plan/index.js';
import { analyseVideo } from '../src/vision/analyse.js';
import { makeClip } from './helpers/vision-clips.js';

const paths = ffmpegPaths();

function io(): { io: { stdout: PassThrough; stderr: PassThrough }; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return { io: { stdout, stderr }, out: () => o, err: () => e };
}

async function meanLuma(file: string, frame: number, region: [number, number, number, number]): Promise<number> {
  let sum = 0;
  let n = 0;
  await readFrames({ input: file, paths, width: 320, height: 240, pixFmt: 'gray', outputOptions: ['-vsync', '0'] }, (f, i) => {
    if (i !== frame) return;
    const [x0, y0, w, h] = region;
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) sum += f[y * 320 + x];
      n += w;
    }
  });
  return sum / n;
}

t.test('maskflow analyse prints keyframes, writes JSON and a preview video with one frame per input frame', async (t) => {
  const dir = t.testdir();
  const clip = makeClip({ dir, background: 'still-cellauto', seconds: 3 });
  const json = join(dir, 'out.json');
  const preview = join(dir, 'preview.mp4');
  const c = io();
  const code = await analyseCommand.run([clip.file, '--json', json, '--preview', preview, '--cache-dir', join(dir, 'cache')], c.io);
  t.equal(code, 0);
  const out = c.out();
  // 45 frames at 15 fps, a keyframe every round(0.25 × 15) = 4 frames and the last.
  t.match(out, /finder: model-free; 12 keyframes \(fixed\); masks 320x240/);
  for (const f of [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44]) t.match(out, new RegExp(`^\\s+${f}\\s+\\d+\\.\\d\\d\\s+\\[\\d+, \\d+, \\d+, \\d+\\]\\s+\\d\\.\\d{3}\\s+model-free$`, 'm'), `row for frame ${f}`);
  const data = JSON.parse(readFileSync(json, 'utf8')) as { keyframes: { frame: number; box: number[]; score: number; source: string }[]; finder: string; frames: number };
  t.same(data.keyframes.map((k) => k.frame), [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44]);
  t.equal(data.finder, 'model-free');
  t.ok(data.keyframes.every((k) => k.box.length === 4 && k.score > 0 && k.source === 'model-free'));
  t.comment(`box at frame 16: ${JSON.stringify(data.keyframes[4].box)}, truth ${JSON.stringify(clip.truth(16))}`);

  const info = await probe(preview, paths);
  t.equal(info.frames, clip.frames, 'preview has every input frame');
  t.equal(info.codec, 'h264');
  // The preview darkens what is not the subject: a background patch far from the subject is much darker than in the input.
  const patch: [number, number, number, number] = [250, 190, 60, 40];
  const [inBg, outBg] = [await meanLuma(clip.file, 5, patch), await meanLuma(preview, 5, patch)];
  t.comment(`background patch luma: input ${inBg.toFixed(1)}, preview ${outBg.toFixed(1)}`);
  t.ok(outBg < 0.6 * inBg, 'background darkened in the preview');
  const [sx, sy] = clip.truth(5);
  const subjectPatch: [number, number, number, number] = [sx + 12, sy + 12, 24, 24];
  const [inSub, outSub] = [await meanLuma(clip.file, 5, subjectPatch), await meanLuma(preview, 5, subjectPatch)];
  t.ok(Math.abs(outSub - inSub) < 12, `subject left as is (luma ${inSub.toFixed(1)} → ${outSub.toFixed(1)})`);

  // Second run: refuses to overwrite, then -y overwrites using the cache.
  await t.rejects(analyseCommand.run([clip.file, '--json', json, '--cache-dir', join(dir, 'cache')], io().io), { name: 'UsageError', message: /out\.json exists; pass -y/ });
  const again = io();
  t.equal(await analyseCommand.run([clip.file, '--json', json, '-y', '--cache-dir', join(dir, 'cache')], again.io), 0);
  t.match(again.out(), /from cache/);
});

t.test('one keyframe-interval range for plans, the analyse CLI and the library', async (t) => {
  const { min, max } = KEYFRAME_INTERVAL_RANGE;
  t.same([min, max], [0.04, 10]);
  const plan = (keyframeInterval: number) => ({ version: 1, subject: { keyframeInterval }, segments: [{ start: 0, effects: [] }] });
  const dir = t.testdir();
  const clip = makeClip({ dir, background: 'still-cellauto', width: 160, height: 120, seconds: 1 });
  const info = await probe(clip.file, paths);
  for (const ok of [min, max]) {
    t.equal(parsePlan(plan(ok)).subject.keyframeInterval, ok, `plan accepts ${ok}`);
    const r = await analyseVideo(info, { paths, keyframeInterval: ok, cacheDir: join(dir, 'cache') });
    t.ok(r.keyframes.length >= 1, `library accepts ${ok}`);
  }
  for (const bad of [min / 2, max + 0.5, 60]) {
    t.throws(() => parsePlan(plan(bad)), PlanError, `plan refuses ${bad}`);
    await t.rejects(analyseVideo(info, { paths, keyframeInterval: bad }), new RegExp(`keyframe interval must be a number of seconds from ${min} to ${max}, got ${bad}`), `library refuses ${bad}`);
    await t.rejects(analyseCommand.run([clip.file, '--keyframe-interval', String(bad)], io().io), new RegExp(`--keyframe-interval must be a number from ${min} to ${max} seconds`), `CLI refuses ${bad}`);
  }
});

t.test('maskflow analyse refuses bad arguments before doing any work', async (t) => {
  const dir = t.testdir();
  const missingOut = join(dir, 'never.json');
  await t.rejects(analyseCommand.run([], io().io), UsageError);
  await t.rejects(analyseCommand.run(['a.mp4', 'b.mp4'], io().io), /expected one input file/);
  await t.rejects(analyseCommand.run(['a.mp4', '--keyframe-interval', '0'], io().io), /--keyframe-interval must be/);
  await t.rejects(analyseCommand.run(['a.mp4', '--segmenter-preset', 'foo'], io().io), /--segmenter-preset must be one of u2net, isnet, modnet/);
  await t.rejects(analyseCommand.run(['a.mp4', '--preview', join(dir, 'x.gif')], io().io), /--preview must be an \.mp4/);
  await t.rejects(analyseCommand.run([join(dir, 'missing.mp4'), '--json', missingOut], io().io), /missing\.mp4: no such file/);
  const clip = makeClip({ dir, background: 'still-cellauto', width: 160, height: 120, seconds: 1 });
  await t.rejects(
    analyseCommand.run([clip.file, '--detector', join(dir, 'yolo.onnx'), '--cache-dir', join(dir, 'cache')], io().io),
    /detector model .*yolo\.onnx: no such file/,
  );
  t.notOk(existsSync(missingOut), 'nothing written');
});
