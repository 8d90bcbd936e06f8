// Output formats (issue 16 item 9): HEVC tagged hvc1 in mp4/mov, the
// options each encoder family gets, 10-bit requests, and the pixel-format
// check that keeps ffmpeg from silently writing 8-bit instead.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { generateClip } from '../src/media/demo-clip.js';
import { batchExtension, encodePixelFormat, encoderFamily, encoderOutputOptions, isHighBitDepth } from '../src/media/encoder.js';
import { paths } from './helpers/media.js';

interface VideoFacts {
  codec: string;
  tag: string;
  pixFmt: string;
  frames: number;
}

function videoFacts(file: string): VideoFacts {
  const r = spawnSync(paths.ffprobe, ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,codec_tag_string,pix_fmt,nb_read_frames', '-of', 'json', file], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  const s = (JSON.parse(r.stdout) as { streams: Record<string, string>[] }).streams[0];
  return { codec: s.codec_name, tag: s.codec_tag_string, pixFmt: s.pix_fmt, frames: Number(s.nb_read_frames) };
}

t.test('each encoder family gets its own quality options; HEVC is tagged hvc1 only in mp4/mov', async (t) => {
  t.equal(encoderFamily('libx264'), 'x264');
  t.equal(encoderFamily('hevc_nvenc'), 'nvenc');
  t.equal(encoderFamily('prores_ks'), 'prores');
  t.equal(encoderFamily('mpeg4'), 'other');
  const x265 = { codec: 'libx265', crf: 24, preset: 'fast' };
  t.match(encoderOutputOptions(x265, '.mp4').join(' '), /-c:v libx265 -pix_fmt yuv420p -crf 24 -preset fast .*-tag:v hvc1/);
  t.match(encoderOutputOptions(x265, '.MOV').join(' '), /-tag:v hvc1/);
  t.notMatch(encoderOutputOptions(x265, '.mkv').join(' '), /hvc1/, 'matroska has no codec tags');
  t.match(encoderOutputOptions({ codec: 'hevc_vaapi', crf: 20, preset: 'veryfast' }, '.mp4').join(' '), /-vf format=nv12,hwupload .*-qp 20 -tag:v hvc1/);
  t.notMatch(encoderOutputOptions({ codec: 'libx264', crf: 20, preset: 'veryfast' }, '.mp4').join(' '), /hvc1/);
  t.match(encoderOutputOptions({ codec: 'libvpx-vp9', crf: 31, preset: 'veryfast' }).join(' '), /-crf 31 -b:v 0 .*-cpu-used 5/);
  t.match(encoderOutputOptions({ codec: 'libaom-av1', crf: 31, preset: 'ultrafast' }).join(' '), /-crf 31 -b:v 0 -cpu-used 8 -strict experimental/);
  t.equal(encodePixelFormat({ codec: 'libx265', crf: 20, preset: 'fast', bitDepth: 10 }), 'yuv420p10le');
  t.equal(encodePixelFormat({ codec: 'prores_ks', crf: 20, preset: 'fast' }), 'yuv422p10le', 'ProRes 422 is 10-bit 4:2:2');
  t.equal(batchExtension('prores_ks'), '.mov', 'mp4 cannot hold ProRes');
  t.equal(batchExtension('libvpx-vp9'), '.mp4');
  for (const f of ['yuv420p10le', 'p010le', 'yuv422p12le', 'gray10le', 'gbrp10le', 'v210']) t.ok(isHighBitDepth(f), f);
  for (const f of ['yuv420p', 'yuvj420p', 'nv12', 'rgb565le', 'bgr555le', 'rgb24']) t.notOk(isHighBitDepth(f), f);
});

t.test('render --codec libx265 writes HEVC tagged hvc1 into .mp4 and .mov, every frame kept', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 96, seconds: 1, fps: '20' });
  for (const ext of ['.mp4', '.mov']) {
    const out = join(dir, `hevc${ext}`);
    const r = await runCli(['render', clip, '-o', out, '--codec', 'libx265', '--quiet', '--no-cache']);
    t.equal(r.code, 0, r.stderr);
    const facts = videoFacts(out);
    t.equal(facts.codec, 'hevc', ext);
    t.equal(facts.tag, 'hvc1', `${ext}: tagged hvc1 (Apple players refuse hev1)`);
    t.equal(facts.frames, 20, `${ext}: all frames`);
  }
});
