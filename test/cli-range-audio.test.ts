// Trimming and audio (issue 16 item 5): --from/--to render only a range with
// the audio cut to match and in sync; --no-audio; --audio-bitrate. A white
// flash frame and a tone burst at 3.0 s of the input mark the sync; quiet
// noise around it gives the audio encoder something to spend bits on.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { timeOption } from '../src/cli/time-arg.js';
import { measure } from './helpers/corpus.js';
import { runCli } from './helpers/cli.js';
import { ffmpeg, paths } from './helpers/media.js';

const FRAME = 1 / 25;

function audioFacts(file: string): { codec: string; bitRate: number; duration: number }[] {
  const r = spawnSync(paths.ffprobe, ['-v', 'error', '-select_streams', 'a', '-show_entries', 'stream=codec_name,bit_rate,duration', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as { streams: Record<string, string>[] }).streams.map((s) => ({ codec: s.codec_name, bitRate: Number(s.bit_rate), duration: Number(s.duration) }));
}

t.test('times parse as seconds or clock time', async (t) => {
  t.equal(timeOption('from', '12.5'), 12.5);
  t.equal(timeOption('from', '1:02.5'), 62.5);
  t.equal(timeOption('from', '01:00:02'), 3602);
  t.throws(() => timeOption('from', '1:75'), /has 75 seconds/);
  t.throws(() => timeOption('to', 'soon'), /--to must be a time in seconds/);
});

t.test('--from/--to renders the range with its audio in sync; --fps on a range; --no-audio; --audio-bitrate', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'sync.mp4');
  ffmpeg([
    ...['-f', 'lavfi', '-i', "color=c=gray:size=160x96:rate=25:duration=5,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(n,75)'"],
    ...['-f', 'lavfi', '-i', 'aevalsrc=if(between(t\\,3\\,3.1)\\,0.8*sin(2*PI*1000*t)\\,0.05*(2*random(0)-1)):s=48000:d=5'],
    ...['-c:v', 'libx264', '-g', '50', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip],
  ]);
  const base = ['--effect', 'vignette', '--workers', '2', '--batch-seconds', '0.5', '--no-cache', '--quiet'];

  const cut = join(dir, 'cut.mp4');
  let r = await runCli(['render', clip, '-o', cut, '--from', '2', '--to', '0:04.5', ...base]);
  t.equal(r.code, 0, r.stderr);
  let m = measure(cut);
  // 2 s → frame 50, 4.5 s → frame 112.5 → 113 (halves go to the later frame): 63 frames.
  t.equal(m.frames, 63, 'frames 50-112');
  t.equal(m.flashFrame, 25, 'the flash (input frame 75) is output frame 25');
  t.ok(m.toneAt !== undefined && Math.abs(m.toneAt - 1) <= FRAME, `the tone (3.0 s in) is at 1.0 s ±1 frame: ${m.toneAt}`);
  const [audio] = audioFacts(cut);
  t.ok(Math.abs(audio.duration - 63 * FRAME) <= 0.05, `audio cut to the range: ${audio.duration} s`);

  const retimed = join(dir, 'retimed.mp4');
  r = await runCli(['render', clip, '-o', retimed, '--from', '2.5', '--fps', '30', ...base]);
  t.equal(r.code, 0, r.stderr);
  m = measure(retimed);
  // From frame 63 (2.52 s): 62 source frames at 30 fps are 74.4 → 74 output frames.
  t.ok(Math.abs(m.frames - 74) <= 1, `${m.frames} frames at 30 fps`);
  t.equal(m.fps, '30/1');
  t.ok(m.toneAt !== undefined && Math.abs(m.toneAt - m.flashFrame / 30) <= 1 / 30 + 0.005, `tone ${m.toneAt} s and flash ${(m.flashFrame / 30).toFixed(3)} s together`);

  const silent = join(dir, 'silent.mp4');
  r = await runCli(['render', clip, '-o', silent, '--to', '1', '--no-audio', ...base]);
  t.equal(r.code, 0, r.stderr);
  t.same([measure(silent).frames, measure(silent).audioStreams], [25, 0], '--no-audio: 1 s of video and no audio stream');

  const low = join(dir, 'low.mov');
  r = await runCli(['render', clip, '-o', low, '--audio-bitrate', '48k', ...base]);
  t.equal(r.code, 0, r.stderr);
  const [lowAudio] = audioFacts(low);
  t.equal(lowAudio.codec, 'aac');
  const lowM = measure(low);
  t.ok(lowM.toneAt !== undefined && Math.abs(lowM.toneAt - 3) <= FRAME, `re-encoded audio still in sync: ${lowM.toneAt}`);
  t.ok(lowAudio.bitRate > 30000 && lowAudio.bitRate < 64000, `the audio is about 48 kb/s: ${(lowAudio.bitRate / 1000).toFixed(1)} kb/s`);

  r = await runCli(['render', clip, '-o', join(dir, 'late.mp4'), '--from', '10', ...base]);
  t.equal(r.code, 1);
  t.match(r.stderr, /--from 10 s is at or after the end of the video; the video is 5 s long \(125 frames\)/);
});

t.test('range and audio mistakes are usage errors naming the flag', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--from', 'abc'], /--from must be a time in seconds/],
    [['--from', '3', '--to', '2'], /--to 2 must be after --from 3/],
    [['--audio-bitrate', '5'], /--audio-bitrate: expected a bitrate from 8k to 1024k such as 128k, got "5"/],
    [['--audio-bitrate', 'loud'], /--audio-bitrate: expected a bitrate/],
    [['--no-audio', '--audio-bitrate', '128k'], /--no-audio and --audio-bitrate contradict each other/],
  ];
  for (const [flags, message] of cases) {
    const r = await runCli(['render', 'in.mp4', '-o', 'x.mp4', ...flags]);
    t.equal(r.code, 2, flags.join(' '));
    t.match(r.stderr, message, flags.join(' '));
  }
});

t.test('plan segments keep the input times inside a range: the effect switches at the same picture', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'colour.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x96:rate=25:duration=4', '-c:v', 'libx264', '-g', '25', '-pix_fmt', 'yuv420p', clip]);
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, segments: [{ start: 0, end: 3, effects: [] }, { start: 3, effects: [{ type: 'grayscale-background' }] }] }));
  const out = join(dir, 'out.mp4');
  const r = await runCli(['render', clip, '-o', out, '--plan', plan, '--from', '1.6', '--workers', '2', '--batch-seconds', '0.5', '--no-cache', '--quiet']);
  t.equal(r.code, 0, r.stderr);
  // Mean chroma distance from grey per frame: the colourful test pattern until input 3.0 s, grey background after.
  const px = 80 * 48;
  const yuv = spawnSync(paths.ffmpeg, ['-v', 'error', '-i', out, '-vf', 'scale=160:96', '-pix_fmt', 'yuv420p', '-vsync', '0', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 26 }).stdout;
  const frame = 160 * 96 + 2 * px;
  const colour: number[] = [];
  for (let o = 0; o + frame <= yuv.length; o += frame) {
    let sum = 0;
    for (let i = 0; i < 2 * px; i++) sum += Math.abs(yuv[o + 160 * 96 + i] - 128);
    colour.push(sum / (2 * px));
  }
  t.equal(colour.length, 60, '1.6 s to 4 s: 60 frames');
  const switchAt = colour.findIndex((c, i) => i > 0 && c < colour[i - 1] * 0.6);
  t.equal(switchAt, 35, `grey from output frame 35 (input frame 75 = 3.0 s); chroma ${colour[34].toFixed(1)} → ${colour[35].toFixed(1)}`);
});

t.test('--from/--to analyses only the range and one keyframe step either side', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'walk.mp4');
  ffmpeg(['-f', 'lavfi', '-i', "color=c=0x303030:size=160x96:rate=25:duration=10,drawbox=x='10+t*10':y=30:w=24:h=32:color=0xff8040:t=fill", '-c:v', 'libx264', '-g', '25', '-pix_fmt', 'yuv420p', clip]);
  const flags = ['--from', '4', '--to', '5', '--effect', 'blur-background', '--keyframe-interval', '0.5', '--no-cache'];
  const dry = await runCli(['render', clip, '-o', join(dir, 'dry.mp4'), ...flags, '--dry-run']);
  t.equal(dry.code, 0, dry.stderr);
  // Frames 100-124, a step of round(0.5 × 25) = 13 frames either side: 87-137, keyframes 87, 100, 113, 126 and 137.
  t.match(dry.stdout, /analysis: 5 keyframes \(every 0\.5 s over input frames 87-137: the range and one keyframe step either side\)/);
  const report = join(dir, 'r.json');
  const r = await runCli(['render', clip, '-o', join(dir, 'cut.mp4'), ...flags, '--quiet', '--report', report]);
  t.equal(r.code, 0, r.stderr);
  const got = JSON.parse(readFileSync(report, 'utf8')) as { analysis: { keyframes: number }; output: { frames: number } };
  t.equal(got.analysis.keyframes, 5, 'the analysis decoded the 5 keyframes of the span, not the 21 of the whole input');
  t.equal(got.output.frames, 25);
});
