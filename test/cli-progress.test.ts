// render --progress json / --progress-file (NDJSON events, parsed here), the
// ETA rules, and the up-front encoder check (before any analysis).
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { generateClip } from '../src/media/demo-clip.js';
import { ProgressEstimator, ETA_MIN_FRACTION, ETA_MIN_SECONDS } from '../src/cli/progress-eta.js';
import { parseEncoderList } from '../src/media/encoder-check.js';
import { paths } from './helpers/media.js';

interface Event {
  event: string;
  stage?: string;
  done?: number;
  total?: number;
  unit?: string;
  fps?: number;
  stageEta?: number | null;
  eta?: number | null;
  stageElapsed?: number;
  elapsed?: number;
  message?: string;
  exitCode?: number;
  report?: { frames: number; output: { file: string } };
}

const parseLines = (text: string): Event[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Event);

t.test('the estimator measures from the first report and gives no ETA before 2 s and 3 %', async (t) => {
  let now = 0;
  const est = new ProgressEstimator(() => now);
  // Analysis: no overall ETA (the render speed is unknown yet).
  let e = est.update({ stage: 'analyse', done: 0, total: 10, rate: 0 });
  t.equal(e.stageChanged, true);
  now = 3000;
  e = est.update({ stage: 'analyse', done: 5, total: 10, rate: 0 });
  t.equal(e.stageEta, null, 'no rate yet: measured from the first report, which is this one');
  now = 4000;
  e = est.update({ stage: 'analyse', done: 7, total: 10, rate: 0 });
  t.equal(e.rate, 2);
  t.equal(e.stageEta, 1.5);
  t.equal(e.eta, null, 'no overall ETA before the render can be measured');
  // Render: a slow start (workers starting) does not inflate the ETA.
  now = 5000;
  e = est.update({ stage: 'render', done: 0, total: 1000, rate: 0 });
  t.equal(e.stageChanged, true);
  now = 9000;
  e = est.update({ stage: 'render', done: 10, total: 1000, rate: 0 });
  now = 10000;
  e = est.update({ stage: 'render', done: 20, total: 1000, rate: 0 });
  t.equal(e.stageEta, null, `${20 / 1000} of the stage is below ${ETA_MIN_FRACTION}`);
  now = 11000;
  e = est.update({ stage: 'render', done: 100, total: 1000, rate: 0 });
  t.equal(e.rate, 45, 'frames per second since the first report (90 frames in 2 s), not since the stage began');
  t.equal(e.stageEta, 20);
  t.ok(e.eta !== null && e.eta > 20 && e.eta < 22, `overall ETA adds the join after the render (${e.eta})`);
  // Too early in a stage: no ETA even at a high fraction.
  const quick = new ProgressEstimator(() => now);
  quick.update({ stage: 'render', done: 0, total: 10, rate: 0 });
  now += 500;
  quick.update({ stage: 'render', done: 4, total: 10, rate: 0 });
  now += 500;
  t.equal(quick.update({ stage: 'render', done: 8, total: 10, rate: 0 }).stageEta, null, `not before ${ETA_MIN_SECONDS} s`);
  t.equal(quick.update({ stage: 'render', done: 10, total: 10, rate: 0 }).stageEta, 0, 'done: nothing left');
});

t.test('render --progress json writes parseable NDJSON: stages in order, progress, the report last', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 2, fps: '25', audio: true });
  const file = join(dir, 'events.ndjson');
  const r = await runCli(['render', clip, '-o', join(dir, 'out.mp4'), '--effect', 'dim-background', '--progress', 'json', '--progress-file', file, '--no-cache', '--batch-seconds', '1', '--workers', '2']);
  t.equal(r.code, 0, r.code === 0 ? 'rendered' : r.stderr);
  const events = parseLines(r.stderr);
  t.same(parseLines(readFileSync(file, 'utf8')).map((e) => e.event), events.map((e) => e.event), 'the file has the same events');
  const stages = events.filter((e) => e.event === 'stage').map((e) => e.stage);
  t.same(stages, ['probe', 'plan', 'analyse', 'render', 'finish'], 'every stage announces itself, in order');
  const progress = events.filter((e) => e.event === 'progress');
  for (const stage of ['analyse', 'render']) {
    const own = progress.filter((e) => e.stage === stage);
    t.ok(own.length >= 2, `${stage}: progress events`);
    t.equal(own[0].done, 0, `${stage}: the first event is at 0, sent when the stage starts`);
    t.equal(own.at(-1)!.done, own.at(-1)!.total, `${stage}: the last event is complete`);
    t.ok(own.every((e, i) => i === 0 || e.done! >= own[i - 1].done!), `${stage}: done never goes backwards`);
  }
  const render = progress.filter((e) => e.stage === 'render');
  t.equal(render[0].total, 50);
  t.ok(render.every((e) => e.unit === 'frames' && typeof e.fps === 'number'), 'render events carry frames and fps');
  for (const e of progress) {
    if (e.stageEta !== null && e.done! < e.total!) {
      t.ok(e.stageElapsed! >= ETA_MIN_SECONDS && e.done! / e.total! >= ETA_MIN_FRACTION, `an ETA only once meaningful (${JSON.stringify(e)})`);
    }
    if (e.eta !== null && e.done! < e.total!) t.ok(e.stage === 'render' || e.stage === 'finish', `an overall ETA only once the render is measured (${e.stage})`);
  }
  const last = events.at(-1)!;
  t.equal(last.event, 'report');
  t.equal(last.report!.frames, 50);
  t.notMatch(r.stderr, /^maskflow render: warning/m, 'no text lines among the JSON');
});

t.test('--progress refuses unknown modes (exit 2); an unwritable --progress-file fails before any work', async (t) => {
  const dir = t.testdir({});
  const bad = await runCli(['render', 'in.mp4', '-o', join(dir, 'x.mp4'), '--progress', 'fancy']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--progress must be one of auto, bar, lines, json, none/);
  const noDir = await runCli(['render', 'in.mp4', '-o', join(dir, 'x.mp4'), '--progress-file', join(dir, 'missing', 'e.ndjson')]);
  t.equal(noDir.code, 1);
  t.match(noDir.stderr, /--progress-file .*e\.ndjson: cannot write it \(ENOENT\)/);
});

t.test('encoders are checked before the analysis: copy, missing, hardware without a device, wrong container', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25' });
  const cases: [string[], RegExp][] = [
    [['--codec', 'copy', '-o', join(dir, 'a.mp4')], /codec "copy" cannot be used: maskflow decodes every frame/],
    [['--codec', 'h264_nvenc', '-o', join(dir, 'b.mp4')], /codec "h264_nvenc" is not a video encoder of this ffmpeg .*encoders of this ffmpeg for the same format: libx264/],
    // Only where no GPU device exists (as in CI); with one, VAAPI may really work.
    ...(existsSync('/dev/dri') ? [] : [[['--codec', 'h264_vaapi', '-o', join(dir, 'c.mp4')], /codec "h264_vaapi" cannot encode here: it is a hardware encoder/] as [string[], RegExp]]),
    [['--codec', 'libvpx-vp9', '-o', join(dir, 'd.mov')], /codec "libvpx-vp9" cannot encode here: ffmpeg refused it for a \.mov output\. ffmpeg said: vp9 only supported in MP4/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(['render', clip, ...args, '--progress', 'json', '--no-cache']);
    t.equal(r.code, 1, args.join(' '));
    const events = parseLines(r.stderr.split('\n').filter((l) => l.startsWith('{')).join('\n'));
    t.notOk(events.some((e) => e.stage === 'analyse'), `${args[1]}: refused before the analysis started`);
    t.match(events.at(-1)?.message, message, `${args[1]}: the error event says why`);
    t.match(r.stderr, message);
    t.notOk(existsSync(args[3]), 'no output');
  }
});

t.test('ffmpeg -encoders lines parse into name, codec and the experimental flag', async (t) => {
  const list = parseEncoderList(
    ['Encoders:', ' V..... = Video', ' ------', ' V..X.. libaom-av1           libaom AV1 (codec av1)', ' V..... libx264              libx264 H.264 / AVC (codec h264)', ' VF.... prores               Apple ProRes', ' A..... aac                  AAC (Advanced Audio Coding)'].join('\n'),
  );
  t.same([...list.keys()], ['libaom-av1', 'libx264', 'prores']);
  t.same(list.get('libaom-av1'), { name: 'libaom-av1', codec: 'av1', description: 'libaom AV1 (codec av1)', experimental: true });
  t.equal(list.get('prores')?.codec, 'prores');
  t.equal(list.get('libx264')?.experimental, false);
});
