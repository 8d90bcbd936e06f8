import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { generateClip } from '../src/media/demo-clip.js';
import { paths, inspect } from './helpers/media.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

t.test('--help lists every command and --version prints the package version', async (t) => {
  const help = await runCli(['--help']);
  t.equal(help.code, 0);
  for (const name of ['render', 'plan', 'analyse', 'demo', 'doctor']) t.match(help.stdout, new RegExp(`^  ${name}\\s`, 'm'), `lists ${name}`);
  const v = await runCli(['--version']);
  t.equal(v.stdout.trim(), version);
  const none = await runCli([]);
  t.equal(none.code, 2, 'no command is a usage error');
  const bad = await runCli(['rendr']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /unknown command "rendr"/);
  const renderHelp = await runCli(['render', '--help']);
  t.match(renderHelp.stdout, /--batch-seconds/);
});

t.test('doctor --json prints exactly one JSON object with the native binding loaded', async (t) => {
  const r = spawnSync(process.execPath, [new URL('../bin/maskflow.js', import.meta.url).pathname, 'doctor', '--json'], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Record<string, { ok: boolean; source?: string; path?: string }>;
  t.equal(report.native.ok, true);
  t.match(report.native.source, /^(env|prebuild|platform-package|local-build)$/);
  t.equal(report.ffmpeg.ok, true);
  t.equal(report.ffprobe.ok, true);
  t.match(report.platformTriple, /^linux-x64-(gnu|musl)$/);
});

t.test('render: usage mistakes exit 2, runtime failures exit 1 and name the problem', async (t) => {
  const dir = t.testdir({ 'out.mp4': 'keep me' });
  const noOut = await runCli(['render', 'in.mp4']);
  t.equal(noOut.code, 2);
  t.match(noOut.stderr, /-o FILE/);
  const both = await runCli(['render', 'in.mp4', '-o', 'x.mp4', '--plan', 'p.json', '--effect', 'zoom']);
  t.equal(both.code, 2);
  const badWorkers = await runCli(['render', 'in.mp4', '-o', 'x.mp4', '--workers', 'lots']);
  t.equal(badWorkers.code, 2);
  t.match(badWorkers.stderr, /--workers must be a number/);
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25' });
  const clobber = await runCli(['render', clip, '-o', join(dir, 'out.mp4'), '--quiet']);
  t.equal(clobber.code, 1);
  t.match(clobber.stderr, /already exists; pass -y/);
  t.equal(readFileSync(join(dir, 'out.mp4'), 'utf8'), 'keep me');
  const badEffect = await runCli(['render', clip, '-o', join(dir, 'b.mp4'), '--effect', 'blur-backgroud', '--quiet']);
  t.equal(badEffect.code, 1);
  t.match(badEffect.stderr, /did you mean "blur-background"/);
  writeFileSync(join(dir, 'plan.json'), '{"version": 1, "segments": [{"start": 0, "effects": [{"type": "dim-background", "amount": 2}]}]}');
  const badPlan = await runCli(['render', clip, '-o', join(dir, 'c.mp4'), '--plan', join(dir, 'plan.json'), '--quiet']);
  t.equal(badPlan.code, 1);
  t.match(badPlan.stderr, /segments\[0\]\.effects\[0\]\.amount/);
});

t.test('render with -y replaces the output, writes the report and a repeatable plan', async (t) => {
  const dir = t.testdir({ 'out.mp4': 'old' });
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25', audio: true });
  const r = await runCli(['render', clip, '-o', join(dir, 'out.mp4'), '-y', '--effect', 'vignette', '--report', join(dir, 'r', 'report.json'), '--no-cache', '--verbose']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /wrote .*out\.mp4/);
  t.match(r.stdout, /masks: \d+ bytes shared, 0 copied/);
  const report = JSON.parse(readFileSync(join(dir, 'r', 'report.json'), 'utf8')) as Record<string, unknown>;
  for (const key of ['input', 'output', 'frames', 'workers', 'batches', 'stages', 'fps', 'models', 'masks', 'peakRssBytes', 'ffmpeg']) t.ok(key in report, `report has ${key}`);
  t.equal(inspect(join(dir, 'out.mp4')).frames, 25);
  // The resolved plan renders the same thing again.
  const again = await runCli(['render', clip, '-o', join(dir, 'again.mp4'), '--plan', join(dir, 'r', 'report.plan.resolved.json'), '--no-cache', '--quiet']);
  t.equal(again.code, 0, again.stderr);
  const resolved = JSON.parse(readFileSync(join(dir, 'r', 'report.plan.resolved.json'), 'utf8')) as { segments: { effects: { type: string }[] }[] };
  t.equal(resolved.segments[0].effects[0].type, 'vignette');
});

t.test('render --planner auto plans from the clip and renders in one go', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 2, fps: '25' });
  const r = await runCli(['render', clip, '-o', join(dir, 'out.mp4'), '--planner', 'auto', '--report', join(dir, 'report.json'), '--no-cache', '--quiet']);
  t.equal(r.code, 0, r.stderr);
  const resolved = JSON.parse(readFileSync(join(dir, 'report.plan.resolved.json'), 'utf8')) as { segments: { effects: { type: string }[] }[] };
  t.ok(resolved.segments.length >= 1);
  t.equal(resolved.segments[0].effects[0].type, 'blur-background', 'the first shot takes the first look');
  const usage = await runCli(['render', clip, '-o', join(dir, 'x.mp4'), '--ollama-model', 'llama3.2']);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--ollama-model only applies with --planner ollama/);
});

t.test('render --aspect / --crf / --preset override the plan and are validated like plan fields', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25' });
  const ok = await runCli(['render', clip, '-o', join(dir, 'square.mp4'), '--aspect', '1:1', '--crf', '28', '--preset', 'ultrafast', '--effect', 'dim-background', '--no-cache', '--quiet']);
  t.equal(ok.code, 0, ok.stderr);
  const facts = inspect(join(dir, 'square.mp4'));
  t.same([facts.width, facts.height, facts.frames], [90, 90, 25]);
  const bad = await runCli(['render', clip, '-o', join(dir, 'x.mp4'), '--crf', '99', '--no-cache', '--quiet']);
  t.equal(bad.code, 2, 'a flag out of range is a usage mistake');
  t.match(bad.stderr, /--crf must be a whole number from 0 to 51, got 99/);
});
