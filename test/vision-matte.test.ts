// `maskflow analyse --matte`: the per-frame mask as a lossless gray video. Decoded
// back, it must have one frame per frame of the input's grid, and each frame must be
// the mask the render applies: the atlas's sampling rule (sampleMask) exactly, and
// what the real native EffectChain does with the same atlas.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { analyseCommand } from '../src/cli/analyse.js';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { frameBytes, EffectChain } from '../src/native/effects.js';
import type { EffectSpec } from '../src/effects/catalog.js';
import { analyseVideo } from '../src/vision/analyse.js';
import { readAtlas, sampleMask } from '../src/vision/atlas.js';
import { writeMatte } from '../src/vision/matte.js';
import { makeClip } from './helpers/vision-clips.js';

const paths = ffmpegPaths();

function quietIo(): { stdout: PassThrough; stderr: PassThrough; out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.resume();
  return { stdout, stderr, out: () => o };
}

function decodeGray(file: string): Buffer {
  const r = spawnSync(paths.ffmpeg, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`could not decode ${file}: ${r.stderr.toString()}`);
  return r.stdout;
}

// The render's probe: a flat luma-235 frame under replace-background in black with no
// feather; each output luma is then the blend the render's mask gives at that pixel.
const PROBE_Y = 235;
const probeY = (m: number): number => {
  const w = m + (m >> 7);
  return (PROBE_Y * w + 16 * (256 - w) + 128) >> 8;
};
const PROBE: EffectSpec[] = [{ type: 'replace-background', color: '#000000', fit: 'cover', feather: 0 }];

t.test('analyse --matte writes one lossless gray frame per input frame, equal to the masks the render applies', async (t) => {
  const dir = t.testdir();
  // 15 fps, 3 s, keyframes every 0.5 s: most frames are interpolated between keyframes.
  const clip = makeClip({ dir, background: 'still-cellauto', width: 192, height: 144, seconds: 3, disc: true, vx: 30, vy: 10 });
  const matte = join(dir, 'matte.mkv');
  const cache = join(dir, 'cache');
  const io = quietIo();
  t.equal(await analyseCommand.run([clip.file, '--matte', matte, '--cache-dir', cache], io), 0);
  t.match(io.out(), new RegExp(`wrote .*matte\\.mkv \\(${clip.frames} frames, matte 192x144\\)`));

  const info = await probe(matte, paths);
  t.equal(info.codec, 'ffv1', 'FFV1 (lossless)');
  t.equal(info.frames, clip.frames, 'one matte frame per input frame');
  t.same([info.width, info.height], [192, 144], 'the input size');
  const pixFmt = spawnSync(paths.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=pix_fmt', '-of', 'csv=p=0', matte], { encoding: 'utf8' }).stdout.trim();
  t.equal(pixFmt, 'gray', 'stored as gray8');

  // The same analysis (a cache hit) gives the atlas the render would use.
  const input = await probe(clip.file, paths);
  const analysis = await analyseVideo(input, { paths, cacheDir: cache });
  t.ok(analysis.cached, 'same analysis as the command (from its cache)');
  const atlas = readAtlas(analysis.atlas);
  const gray = decodeGray(matte);
  const plane = 192 * 144;
  t.equal(gray.length, clip.frames * plane, 'decoded size is frames × plane');
  let exact = true;
  let worstNative = 0;
  let subjectFrames = 0;
  const chain = new EffectChain({ width: 192, height: 144, effects: PROBE, atlas: analysis.atlas });
  for (let f = 0; f < clip.frames; f++) {
    const got = gray.subarray(f * plane, (f + 1) * plane);
    const want = sampleMask(atlas, f, 192, 144);
    if (exact && !want.every((v, i) => v === got[i])) {
      exact = false;
      t.fail(`frame ${f}: the matte differs from the atlas's mask`);
    }
    const frame = new Uint8Array(frameBytes(192, 144)).fill(128);
    frame.fill(PROBE_Y, 0, plane);
    chain.apply(frame, f);
    for (let i = 0; i < plane; i++) worstNative = Math.max(worstNative, Math.abs(frame[i] - probeY(got[i])));
    if (got.some((v) => v >= 128)) subjectFrames++;
  }
  t.ok(exact, 'every matte frame equals the atlas sampling rule byte for byte');
  t.ok(worstNative <= 2, `the native render's mask gives the same pixels (worst luma difference ${worstNative})`);
  t.equal(subjectFrames, clip.frames, 'every frame holds subject pixels');
  // Interpolated frames are real in-betweens: the mask moves with the subject from frame to frame.
  const moved = [1, 2, 3].map((f) => gray.subarray(f * plane, (f + 1) * plane).some((v, i) => v !== gray[(f - 1) * plane + i]));
  t.same(moved, [true, true, true], 'interpolated frames differ from their neighbours');
});

t.test('writeMatte: a size mismatch and an interrupt fail clearly and leave no file', async (t) => {
  const dir = t.testdir();
  const clip = makeClip({ dir, background: 'still-cellauto', width: 160, height: 120, seconds: 1 });
  const input = await probe(clip.file, paths);
  const analysis = await analyseVideo(input, { paths, cacheDir: false });
  const out = join(dir, 'm.mkv');
  await t.rejects(writeMatte({ ...input, width: 320 }, analysis.atlas, out, { paths }), /analysis is for 160x120 frames, the input is 320x120/);
  const controller = new AbortController();
  controller.abort(new Error('interrupted by the test'));
  await t.rejects(writeMatte(input, analysis.atlas, out, { paths, signal: controller.signal }), /interrupted by the test/);
  t.notOk(existsSync(out), 'no matte written');
  t.same(readdirSync(dir).filter((f) => f.includes('partial')), [], 'no temp file left');
  await t.rejects(analyseCommand.run([clip.file, '--matte', join(dir, 'm.mp4')], quietIo()), /--matte must be an \.mkv file/);
  await t.rejects(analyseCommand.run([clip.file, '--matte', out, '--preview', out], quietIo()), /must name different files/);
});
