// The CLI behaves the same across commands: usage mistakes exit 2, "-" is
// stdout, -y/--quiet/--verbose are accepted everywhere, batch runs keep their
// own resolved plans, and the README synopsis lists exactly each --help's flags.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '../src/cli/main.js';
import { generateClip } from '../src/media/demo-clip.js';
import { runCli } from './helpers/cli.js';
import { inspect, paths } from './helpers/media.js';

const bin = fileURLToPath(new URL('../bin/maskflow.js', import.meta.url));

t.test('range and contradiction mistakes exit 2 and name the flag, in every command', async (t) => {
  const cases: [string[], RegExp][] = [
    [['render', 'in.mp4', '-o', 'x.mp4', '--workers', '0'], /--workers must be a whole number from 1 to 64, got 0/],
    [['render', 'in.mp4', '-o', 'x.mp4', '--workers', '2.5'], /--workers must be a whole number from 1 to 64, got 2\.5/],
    [['render', 'in.mp4', '-o', 'x.mp4', '--crf', '60'], /--crf must be a whole number from 0 to 51, got 60/],
    [['render', 'in.mp4', '-o', 'x.mp4', '--batch-seconds', '0.1'], /--batch-seconds must be a number from 0\.5 to 3600 seconds, got 0\.1/],
    [['render', 'in.mp4', '-o', 'x.mp4', '--aspect', '1:9'], /--aspect: "1:9" is too extreme/],
    [['render', 'in.mp4', '-o', 'x.mp4', '--preset', 'fastest'], /--preset: "fastest" is not allowed; expected one of: "ultrafast"/],
    [['render', 'in.mp4', '-o', 'x.mp4', '--codec', 'lib x264'], /--codec: "lib x264" is not valid/],
    [['render', 'in.mp4', '-o', '-', '--report', '-'], /-o - and --report - both want stdout/],
    [['render', 'in.mp4', '-o', 'x.mp4', '--quiet', '--verbose'], /--quiet and --verbose contradict each other/],
    [['demo', '--workers', '0'], /--workers must be a whole number from 1 to 64/],
    [['analyse', 'in.mp4', '--keyframe-interval', '0'], /--keyframe-interval must be a number from 0\.04 to 10 seconds, got 0/],
    [['analyse', 'in.mp4', '--keyframe-interval', 'soon'], /--keyframe-interval must be a number, got "soon"/],
    [['plan', 'in.mp4', '-o', 'p.json', '--ollama-timeout', '0', '--planner', 'ollama'], /--ollama-timeout must be/],
    [['doctor', '--quiet', '--verbose'], /contradict/],
    [['doctor', '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.match(r.stderr, new RegExp(`Run \`maskflow ${args[0]} --help\` for usage`));
  }
});

t.test('-y, --yes, --quiet and --verbose are accepted by every command', async (t) => {
  for (const command of commands) {
    for (const flags of [['-y', '--quiet'], ['--yes', '--verbose']]) {
      // No input given: the commands that need one stop there (exit 2), after option parsing.
      const r = await runCli([command.name, ...flags, ...(command.name === 'demo' ? ['--workers', 'x'] : [])]);
      t.notMatch(r.stderr, /Unknown option/, `${command.name} ${flags.join(' ')}`);
    }
    t.match(command.usage, /--quiet/, `${command.name} --help lists --quiet`);
    t.match(command.usage, /--verbose/, `${command.name} --help lists --verbose`);
    t.match(command.usage, /-y\b/, `${command.name} --help lists -y`);
  }
  const quiet = await runCli(['doctor', '--quiet']);
  t.equal(quiet.code, 0, quiet.stderr);
  t.equal(quiet.stdout, '', 'doctor --quiet prints nothing when all is well');
  const verbose = await runCli(['doctor', '--verbose']);
  t.match(verbose.stdout, new RegExp(`node +${process.execPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
});

t.test('"-" means stdout: plan -o -, analyse --json -, render -o - and --report - (no file named "-")', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25', audio: true });
  const run = (args: string[], stdout?: number) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', stdout ?? 'pipe', 'pipe'], maxBuffer: 64 << 20 });

  const plan = run(['plan', 'clip.mp4', '-o', '-']);
  t.equal(plan.status, 0, plan.stderr);
  t.equal((JSON.parse(plan.stdout) as { version: number }).version, 1, 'stdout is exactly the plan JSON');
  t.match(plan.stderr, /wrote the plan to stdout: 1 segment/);

  const analyse = run(['analyse', 'clip.mp4', '--json', '-', '--no-cache']);
  t.equal(analyse.status, 0, analyse.stderr);
  t.equal((JSON.parse(analyse.stdout) as { frames: number }).frames, 25, 'stdout is exactly the analysis JSON');
  t.match(analyse.stderr, /finder: model-free; 5 keyframes/, 'the table went to stderr');

  const fd = openSync(join(dir, 'piped.mp4'), 'w');
  const render = run(['render', 'clip.mp4', '-o', '-', '--effect', 'vignette', '--no-cache', '--quiet'], fd);
  closeSync(fd);
  t.equal(render.status, 0, render.stderr);
  const facts = inspect(join(dir, 'piped.mp4'));
  t.same([facts.frames, facts.width, facts.audioStreams], [25, 160, 1], 'stdout carried the whole video');

  const report = run(['render', 'clip.mp4', '-o', 'out.mp4', '--report', '-', '--no-cache', '--quiet']);
  t.equal(report.status, 0, report.stderr);
  t.equal((JSON.parse(report.stdout) as { frames: number }).frames, 25, 'stdout is exactly the report JSON');

  t.notOk(existsSync(join(dir, '-')), 'no file named "-"');
  t.same(readdirSync(dir).filter((n) => n.startsWith('.')), [], 'no temp files left');
});

t.test('--report names the resolved plan after the report, so runs sharing a folder keep theirs', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25' });
  for (const [name, effect] of [['a', 'vignette'], ['b', 'zoom']]) {
    const r = await runCli(['render', clip, '-o', join(dir, `${name}.mp4`), '--effect', effect, '--report', join(dir, `${name}.json`), '--no-cache', '--quiet']);
    t.equal(r.code, 0, r.stderr);
  }
  for (const [name, effect] of [['a', 'vignette'], ['b', 'zoom']]) {
    const plan = JSON.parse(readFileSync(join(dir, `${name}.plan.resolved.json`), 'utf8')) as { segments: { effects: { type: string }[] }[] };
    t.equal(plan.segments[0].effects[0].type, effect, `${name}.plan.resolved.json is ${name}'s plan`);
    const report = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { plan: { resolvedFile: string } };
    t.equal(report.plan.resolvedFile, join(dir, `${name}.plan.resolved.json`));
  }
  t.notOk(existsSync(join(dir, 'plan.resolved.json')));
});

/** The flags a --help lists (long names, and short ones where given). */
function helpFlags(usage: string): { long: string; short?: string }[] {
  return [...usage.matchAll(/^ {2}(?:(-[a-z]), )?(--[a-z][a-z-]*)/gm)].map((m) => ({ long: m[2], short: m[1] }));
}

t.test('the README synopsis of each command lists exactly the flags of its --help', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const cli = /## CLI\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  t.ok(cli, 'the README has a CLI synopsis block');
  const blocks = new Map<string, string>();
  let current = '';
  for (const line of cli.split('\n')) {
    const m = /^maskflow (\S+)/.exec(line);
    if (m) current = m[1];
    if (current) blocks.set(current, `${blocks.get(current) ?? ''}${line}\n`);
  }
  t.same([...blocks.keys()].sort(), commands.map((c) => c.name).sort(), 'one synopsis per command');
  for (const command of commands) {
    const synopsis = blocks.get(command.name) ?? '';
    const first = command.usage.split('\n')[0].replace(/ \[options\]$/, '');
    t.ok(synopsis.startsWith(first.replace(/ \[.*$/, '')), `${command.name}: the README synopsis starts like --help ("${first}")`);
    const inReadme = new Set(synopsis.match(/(?<![\w-])--?[a-z][a-z-]*/g) ?? []);
    const flags = helpFlags(command.usage);
    for (const f of flags) {
      t.ok(inReadme.has(f.long) || (f.short !== undefined && inReadme.has(f.short)), `${command.name}: README synopsis lists ${f.long} (add it to the CLI block of README.md)`);
    }
    for (const word of inReadme) {
      t.ok(flags.some((f) => f.long === word || f.short === word), `${command.name}: README's ${word} is in --help`);
    }
  }
});
