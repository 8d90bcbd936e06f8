// Steering the subject from the command line (issue 16 item 4): render's
// --keyframe-interval, the --subject warning without a ranker, and subject
// seeds (--subject-box / --subject-point and the plan's subject.seed).
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { generateFixtures } from './helpers/fixture-models.js';
import { iou, makeClip } from './helpers/vision-clips.js';

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

t.test('subject seeds: the model-free finder follows the seeded one of two moving objects; render takes the plan subject.seed', async (t) => {
  const dir = t.testdir({});
  // A pink square moving right along the top, a blue one moving left along the bottom.
  const clip = makeClip({ dir, background: 'still-cellauto', width: 320, height: 240, fps: 15, seconds: 3, x0: 20, y0: 40, vx: 60, vy: 0, second: { colour: '0x20c0ff', x0: 260, y0: 170, vx: -50, vy: 0, size: 40 } });
  const boxes = async (args: string[]): Promise<{ frame: number; box: number[] }[]> => {
    const r = await runCli(['analyse', clip.file, '--json', '-', ...args]);
    t.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { keyframes: { frame: number; box: number[] }[] }).keyframes;
  };
  const meanIou = (kf: { frame: number; box: number[] }[], truth: (f: number) => number[]): number => kf.reduce((s, k) => s + iou(k.box, truth(k.frame)), 0) / kf.length;
  const plain = await boxes(['--no-cache']);
  t.ok(meanIou(plain, (f) => clip.truth(f)) > 0.7, `unseeded, the finder follows the pink square (mean IoU ${meanIou(plain, (f) => clip.truth(f)).toFixed(3)})`);
  t.ok(meanIou(plain, (f) => clip.truthSecond(f)) < 0.1, 'and not the blue one');

  for (const seed of [['--subject-point', '280,190'], ['--subject-box', '176,166,48,48@2'], ['--subject-point', '205,195@1.2']]) {
    const kf = await boxes(['--no-cache', ...seed]);
    const m = meanIou(kf, (f) => clip.truthSecond(f));
    t.ok(m > 0.7, `${seed.join(' ')}: the boxes follow the blue square (mean IoU ${m.toFixed(3)})`);
    t.ok(kf.every((k) => iou(k.box, clip.truthSecond(k.frame)) > 0.3), `${seed.join(' ')}: every keyframe box overlaps the blue square's path`);
  }

  // render with the seed in the plan: its analysis is the seeded one (analyse with the same seed finds
  // it in the cache, so the seed reached the analysis and its cache key), and follows the blue square.
  const cache = join(dir, 'cache');
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, subject: { seed: { point: [280, 190] } }, segments: [{ start: 0, effects: [{ type: 'blur-background' }] }] }));
  const r = await runCli(['render', clip.file, '-o', join(dir, 'out.mp4'), '--plan', plan, '--workers', '1', '--cache-dir', cache, '--quiet']);
  t.equal(r.code, 0, r.stderr);
  const again = await runCli(['analyse', clip.file, '--subject-point', '280,190', '--cache-dir', cache, '--json', '-']);
  t.equal(again.code, 0, again.stderr);
  const result = JSON.parse(again.stdout) as { cached: boolean; keyframes: { frame: number; box: number[] }[] };
  t.equal(result.cached, true, "the render's analysis used the plan's seed");
  t.ok(meanIou(result.keyframes, (f) => clip.truthSecond(f)) > 0.7, 'and follows the blue square');
});

t.test('subject seeds with a detector: the detection nearest the seed, then nearest where it was last found', async (t) => {
  const dir = t.testdir({});
  // The fixture detector finds coloured blobs: both squares. They pass each other, so by the end the pink
  // one is nearer the blue one's starting point than the blue one is: following the seed means tracking.
  const models = generateFixtures(t);
  const clip = makeClip({ dir, background: 'still-cellauto', width: 320, height: 240, fps: 15, seconds: 3, x0: 20, y0: 40, vx: 60, vy: 0, second: { colour: '0x20c0ff', x0: 260, y0: 170, vx: -50, vy: 0, size: 40 } });
  const keyframes = async (args: string[]): Promise<{ finder: string; keyframes: { frame: number; box: number[] }[] }> => {
    const r = await runCli(['analyse', clip.file, '--json', '-', '--no-cache', '--detector', models.yoloDetect, ...args]);
    t.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { finder: string; keyframes: { frame: number; box: number[] }[] };
  };
  const plain = await keyframes([]);
  t.equal(plain.finder, 'detector');
  t.ok(plain.keyframes.every((k) => iou(k.box, clip.truth(k.frame)) > 0.8), 'unseeded, the detector takes the pink square');
  for (const seed of [['--subject-point', '280,190'], ['--subject-point', '205,195@1.2'], ['--subject-box', '176,166,48,48@2', '--keyframes', 'fixed']]) {
    const r = await keyframes(seed);
    t.equal(r.finder, 'detector');
    const ious = r.keyframes.map((k) => iou(k.box, clip.truthSecond(k.frame)));
    t.ok(ious.every((v) => v > 0.8), `${seed.join(' ')}: every keyframe box is the blue square (IoU ${ious.map((v) => v.toFixed(2)).join(' ')})`);
  }
  t.ok((await keyframes(['--subject-point', '110,60@1.2'])).keyframes.every((k) => iou(k.box, clip.truth(k.frame)) > 0.8), 'a seed on the pink square keeps it');
});

t.test('bad subject seeds: usage errors (exit 2) naming the flag; a plan seed off the frame names subject.seed', async (t) => {
  const dir = t.testdir({});
  const clip = makeClip({ dir, background: 'still-cellauto', width: 160, height: 96, fps: 25, seconds: 1, subjectWidth: 24, subjectHeight: 24, x0: 10, y0: 30, vx: 40, vy: 0 });
  const out = join(dir, 'out.mp4');
  for (const [command, args, message] of [
    ['render', ['--subject-box', '10,10,20'], /--subject-box: expected x,y,w,h\[@seconds\].*got "10,10,20"/],
    ['render', ['--subject-point', 'left'], /--subject-point: expected x,y\[@seconds\]/],
    ['render', ['--subject-point', '10,10@soon'], /--subject-point: expected/],
    ['render', ['--subject-box', '1,1,2,2', '--subject-point', '1,1'], /give one of --subject-box and --subject-point/],
    ['render', ['--subject-point', '200,10'], /--subject-point: the point 200,10 is outside the 160x96 frame/],
    ['render', ['--subject-box', '150,10,20,20'], /--subject-box: the box 150,10,20,20 \(x,y,w,h\) is outside the 160x96 frame/],
    ['render', ['--subject-box', '10,10,0,20'], /has no area/],
    ['render', ['--subject-point', '10,10@5'], /--subject-point: time 5 s is outside the video \(0 to 1 s\)/],
    ['render', ['--subject-point', '10,10@5', '--dry-run'], /--subject-point: time 5 s is outside the video/],
    ['analyse', ['--subject-point', '10,200'], /--subject-point: the point 10,200 is outside the 160x96 frame/],
  ] as const) {
    const r = await runCli(command === 'render' ? ['render', clip.file, '-o', out, '--no-cache', ...args] : ['analyse', clip.file, '--no-cache', ...args]);
    t.equal(r.code, 2, `${command} ${args.join(' ')}: exit 2 (${r.stderr.trim()})`);
    t.match(r.stderr, message);
  }
  t.notOk(existsSync(out), 'nothing written');
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, subject: { seed: { box: [100, 50, 100, 20], time: 0.5 } }, segments: [{ start: 0, effects: [] }] }));
  const r = await runCli(['render', clip.file, '-o', out, '--plan', plan, '--no-cache']);
  t.equal(r.code, 1);
  t.match(r.stderr, /plan\.json: subject\.seed: the box 100,50,100,20 \(x,y,w,h\) is outside the 160x96 frame/);
  writeFileSync(plan, JSON.stringify({ version: 1, subject: { seed: { point: [1, 2, 3] } }, segments: [{ start: 0, effects: [] }] }));
  const shape = await runCli(['render', clip.file, '-o', out, '--plan', plan, '--no-cache']);
  t.not(shape.code, 0);
  t.match(shape.stderr, /subject\.seed/);
});
