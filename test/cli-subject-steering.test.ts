// Steering the subject from the command line (issue 16 item 4): render's
// --keyframe-interval, the --subject warning without a ranker, and subject
// seeds (--subject-box / --subject-point and the plan's subject.seed).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { makeClip } from './helpers/vision-clips.js';

t.test('render --keyframe-interval sets the analysed keyframes (real render), alone picks the fixed schedule, is range-checked', async (t) => {
  const dir = t.testdir({});
  // 2 s at 25 fps: frames 0..49.
  const clip = makeClip({ dir, background: 'still-cellauto', width: 160, height: 96, fps: 25, seconds: 2, subjectWidth: 24, subjectHeight: 24, x0: 10, y0: 30, vx: 40, vy: 0 });
  const out = join(dir, 'out.mp4');
  const r = await runCli(['render', clip.file, '-o', out, '--keyframe-interval', '0.2', '--workers', '1', '--no-cache', '--report', '-', '--quiet']);
  t.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { analysis: { keyframes: number; keyframeSchedule: string } };
  // Every 5 frames from 0, plus the last: 0, 5, ..., 45, 49.
  t.equal(report.analysis.keyframes, 11, 'keyframes every 0.2 s plus the last frame');
  t.equal(report.analysis.keyframeSchedule, 'fixed');

  const dry = await runCli(['render', clip.file, '-o', join(dir, 'dry.mp4'), '--keyframe-interval', '1', '--dry-run']);
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, /analysis: 3 keyframes \(every 1 s/);

  for (const [args, message] of [
    [['--keyframe-interval', '0.01'], /--keyframe-interval/],
    [['--keyframe-interval', 'often'], /--keyframe-interval/],
    [['--keyframe-interval', '0.2', '--keyframes', 'adaptive'], /does not go with --keyframes adaptive/],
  ] as const) {
    const bad = await runCli(['render', clip.file, '-o', join(dir, 'bad.mp4'), ...args]);
    t.equal(bad.code, 2, `${args.join(' ')}: usage error`);
    t.match(bad.stderr, message);
  }
});

t.test('--subject without a model that reads words: a warning in the report and on stderr naming --ranker/--detector', async (t) => {
  const dir = t.testdir({});
  const clip = makeClip({ dir, background: 'still-cellauto', width: 160, height: 96, fps: 25, seconds: 1, subjectWidth: 24, subjectHeight: 24, x0: 10, y0: 30, vx: 40, vy: 0 });
  const report = join(dir, 'r.json');
  const r = await runCli(['render', clip.file, '-o', join(dir, 'out.mp4'), '--subject', 'a dog', '--workers', '1', '--no-cache', '--report', report, '--quiet']);
  t.equal(r.code, 0, r.stderr);
  const warnings = (JSON.parse(readFileSync(report, 'utf8')) as { warnings: string[] }).warnings;
  const warning = warnings.find((w) => w.includes('"a dog" is not used'));
  t.ok(warning, `report warnings: ${JSON.stringify(warnings)}`);
  t.match(warning, /--ranker DIR\|NAME.*--detector FILE\|NAME/);
  t.match(r.stderr, /maskflow render: warning: the subject "a dog" is not used/);

  const plain = await runCli(['render', clip.file, '-o', join(dir, 'plain.mp4'), '--workers', '1', '--no-cache', '--quiet']);
  t.equal(plain.code, 0, plain.stderr);
  t.notMatch(plain.stderr, /is not used/, 'no warning when no subject text was given');

  const a = await runCli(['analyse', clip.file, '--subject', 'a dog', '--no-cache', '--quiet']);
  t.equal(a.code, 0, a.stderr);
  t.match(a.stderr, /maskflow analyse: warning: the subject "a dog" is not used.*--ranker/);
});
