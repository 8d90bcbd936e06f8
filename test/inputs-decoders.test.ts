// Decoders (issue #12 item 4): an input the ffmpeg in use cannot decode is refused up front,
// naming the codec and how to use another ffmpeg; `maskflow doctor` compares the decoders of
// the ffmpeg in use with an ffmpeg found on PATH.
//
// What this covers honestly: every ffmpeg run here is a real one. This machine has no second
// ffmpeg, so "the ffmpeg on PATH" is a copy of the bundled binary (a different file, the same
// decoders): the test shows the search, the comparison and the report run end to end and find
// no gap. A real gap is only checked when another ffmpeg is on PATH already (e.g. after
// `apt-get install ffmpeg`); otherwise that subtest is skipped and says so.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ffmpegCodecs, ffmpegOnPath, parseCodecs } from '../src/media/decoders.js';
import { probe } from '../src/media/probe.js';
import { collectDecoderGap } from '../src/report/doctor.js';
import { render } from '../src/render/render.js';
import { ffmpeg, paths } from './helpers/media.js';

const maskflow = new URL('../bin/maskflow.js', import.meta.url).pathname;

t.test('the codec list of the real ffmpeg', async (t) => {
  const codecs = await ffmpegCodecs(paths.ffmpeg);
  t.ok(codecs.get('h264')?.decode, 'h264 decodes');
  t.equal(codecs.get('h264')?.kind, 'V');
  t.equal(codecs.get('aac')?.kind, 'A');
  // Encoders without a decoder in ffmpeg: the Commodore 64 charset codec.
  t.equal(codecs.get('a64_multi')?.decode, false, 'a64_multi has no decoder');
  t.equal(parseCodecs('Codecs:\n D..... = Decoding supported\n ..V... = Video codec\n -------\n').size, 0, 'the legend lists no codec');
});

t.test('an input in a codec this ffmpeg cannot decode is refused, naming it and how to use another ffmpeg', async (t) => {
  const dir = t.testdir({});
  // ffmpeg 4.1 encodes a64multi but cannot decode it (nor does ffprobe know its tag).
  const input = join(dir, 'c64.mkv');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x200:rate=25:duration=1', '-c:v', 'a64multi', input]);
  await t.rejects(probe(input, paths), /c64\.mkv: video stream 0 is in a codec ffprobe does not know \(.*tag a64m\), which .*ffmpeg .*cannot decode; .*--ffmpeg DIR.*MASKFLOW_FFMPEG=PATH/);
  const output = join(dir, 'out.mp4');
  const cli = spawnSync(process.execPath, [maskflow, 'render', input, '-o', output, '--effect', 'vignette'], { encoding: 'utf8' });
  t.not(cli.status, 0, 'non-zero exit');
  t.match(cli.stderr, /tag a64m.*cannot decode.*--ffmpeg DIR/s, `the CLI says so: ${cli.stderr.trim().split('\n')[0]}`);
  await t.rejects(render({ input, output, effect: 'vignette', cacheDir: false }), /cannot decode/);
});

t.test('doctor compares with an ffmpeg on PATH (here a copy of the bundled one: no gap)', async (t) => {
  const dir = t.testdir({});
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  copyFileSync(realpathSync(paths.ffmpeg), join(bin, 'ffmpeg'));
  chmodSync(join(bin, 'ffmpeg'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  t.equal(ffmpegOnPath(paths.ffmpeg, env), join(bin, 'ffmpeg'), 'the copy on PATH is found');
  t.equal(ffmpegOnPath(paths.ffmpeg, { PATH: '' }), undefined, 'nothing on an empty PATH');
  t.equal(ffmpegOnPath(join(bin, 'ffmpeg'), { PATH: bin }), undefined, 'the ffmpeg in use itself does not count');

  const gap = await collectDecoderGap(paths.ffmpeg, env);
  t.equal(gap.other, join(bin, 'ffmpeg'));
  t.same(gap.missing, [], 'the same build decodes the same codecs');
  t.match(gap.otherVersion, /^ffmpeg version /);

  const json = spawnSync(process.execPath, [maskflow, 'doctor', '--json'], { encoding: 'utf8', env });
  const report = JSON.parse(json.stdout) as { decoders?: { other?: string; missing?: unknown[] } };
  t.equal(report.decoders?.other, join(bin, 'ffmpeg'), 'doctor --json names the ffmpeg on PATH');
  t.same(report.decoders?.missing, []);
  const text = spawnSync(process.execPath, [maskflow, 'doctor'], { encoding: 'utf8', env });
  t.match(text.stdout, /^ok {2}decoders .*bin\/ffmpeg .*decodes nothing this ffmpeg cannot/m, 'the text line');
  const none = spawnSync(process.execPath, [maskflow, 'doctor'], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
  t.match(none.stdout, /^-- {2}decoders +no other ffmpeg on PATH/m, 'no ffmpeg on PATH: said so');
});

const system = ffmpegOnPath(paths.ffmpeg);
t.test('a real second ffmpeg on PATH', { skip: system ? false : 'no ffmpeg on PATH besides the bundled one (apt-get install ffmpeg to run this)' }, async (t) => {
  const gap = await collectDecoderGap(paths.ffmpeg);
  const theirs = await ffmpegCodecs(system!);
  const ours = await ffmpegCodecs(paths.ffmpeg);
  t.ok(gap.missing, `compared with ${system} (${gap.otherVersion})`);
  for (const c of gap.missing ?? []) t.ok(theirs.get(c.name)?.decode && !ours.get(c.name)?.decode, `${c.name}: decoded there, not here`);
  t.comment(`missing here: ${(gap.missing ?? []).map((c) => c.name).join(', ') || 'nothing'}`);
  const text = spawnSync(process.execPath, [maskflow, 'doctor'], { encoding: 'utf8' });
  t.match(text.stdout, /decoders/);
});
