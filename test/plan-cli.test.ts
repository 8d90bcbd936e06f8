// `maskflow plan`: argument checks, atomic writing, overwrite protection, and
// both planners end to end on a generated clip (Ollama via the stand-in server
// in test/helpers/ollama-standin.ts, since real Ollama cannot run here).
import t from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { planCommand } from '../src/cli/plan.js';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { readPlanFile } from '../src/plan/parse.js';
import { planFor } from '../src/plan/planner.js';
import { resolvePlan } from '../src/plan/resolve.js';
import { closedPort, startOllamaStandin } from './helpers/ollama-standin.js';
import { makeClip } from './helpers/plan-clips.js';

function capture() {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        append(String(chunk));
        cb();
      },
    });
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

const paths = ffmpegPaths();
const dir = t.testdir({});
const clip = join(dir, 'clip.mp4');

t.before(async () => {
  // 25 fps: 40 frames, 35 frames, 30 frames → cuts at frames 40 and 75 (1.6 s, 3 s).
  await makeClip(paths, clip, [{ source: 'testsrc2', frames: 40 }, { source: 'smptebars', frames: 35 }, { source: 'mandelbrot', frames: 30 }], '25');
});

t.test('auto planner: writes a valid plan that follows the cuts, then refuses to overwrite without -y', async (t) => {
  const out = join(dir, 'auto.json');
  const c = capture();
  t.equal(await planCommand.run([clip, '-o', out, '--subject', 'a test card'], c.io), 0);
  t.match(c.out, /^wrote .*auto\.json: 3 segments \(auto planner; 2 cuts at 1\.6, 3 s\)\n$/);
  t.equal(c.err, '');
  const plan = await readPlanFile(out);
  t.equal(plan.subject.prompt, 'a test card');
  const resolved = resolvePlan(plan, await probe(clip, paths));
  t.same(resolved.segments.map((s) => [s.startFrame, s.endFrame]), [[0, 40], [40, 75], [75, 105]]);
  t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');

  const before = readFileSync(out, 'utf8');
  await t.rejects(planCommand.run([clip, '-o', out], capture().io), { message: /auto\.json already exists; pass -y to overwrite it/ });
  writeFileSync(out, 'old');
  t.equal(await planCommand.run([clip, '-o', out, '-y', '--subject', 'a test card'], capture().io), 0);
  t.equal(readFileSync(out, 'utf8'), before, 'overwritten with -y (same clip, same plan)');
});

t.test('ollama planner through the CLI, with the stand-in server', async (t) => {
  const answer = { version: 1, segments: [{ start: 0, end: 3, effects: [{ type: 'zoom', factor: 1.5 }] }] };
  const server = await startOllamaStandin(() => ({ kind: 'chat', content: JSON.stringify(answer) }));
  t.teardown(() => server.close());
  const out = join(dir, 'ollama.json');
  const c = capture();
  t.equal(await planCommand.run([clip, '-o', out, '--planner', 'ollama', '--ollama-host', server.url, '--ollama-model', 'tiny'], c.io), 0);
  t.match(c.out, /: 1 segment \(ollama planner; 2 cuts at 1\.6, 3 s\)/);
  const plan = await readPlanFile(out);
  t.same(plan.segments, [{ start: 0, end: 3, effects: [{ type: 'zoom', factor: 1.5, follow: true }] }]);
  t.equal(server.requests[0].body.model, 'tiny');
  t.match(server.requests[0].body.messages![1].content, 'Detected hard cuts (seconds): 1.6, 3.');
});

t.test('ollama unreachable: a clear failure and no file; with --fallback auto the auto plan and a warning', async (t) => {
  const port = await closedPort();
  const out = join(dir, 'fallback.json');
  await t.rejects(planCommand.run([clip, '-o', out, '--planner', 'ollama', '--ollama-host', `http://127.0.0.1:${port}`], capture().io), {
    message: /is `ollama serve` running at http:\/\/127\.0\.0\.1:\d+\?/,
  });
  t.notOk(existsSync(out));
  const c = capture();
  t.equal(await planCommand.run([clip, '-o', out, '--planner', 'ollama', '--ollama-host', `http://127.0.0.1:${port}`, '--fallback', 'auto'], c.io), 0);
  t.match(c.err, /^maskflow plan: warning: the Ollama planner failed, so the automatic plan is used instead: cannot reach Ollama/);
  t.match(c.out, /3 segments \(auto planner/);
});

t.test('planFor (used by render) returns the plan and reports warnings through onWarning', async (t) => {
  const warnings: string[] = [];
  const port = await closedPort();
  const info = await probe(clip, paths);
  const plan = await planFor(clip, info, paths, { planner: 'ollama', ollamaHost: `http://127.0.0.1:${port}`, fallback: 'auto', onWarning: (m) => warnings.push(m) });
  t.equal(plan.segments.length, 3);
  t.equal(warnings.length, 1);
  const auto = await planFor(clip, info, paths, { planner: 'auto', onWarning: (m) => warnings.push(m) });
  t.same(auto, plan);
  t.equal(warnings.length, 1, 'no warning from the auto planner');
});

t.test('argument mistakes are usage errors naming the option', async (t) => {
  const cases: [string[], RegExp][] = [
    [[], /an input video is required/],
    [[clip], /an output file is required \(-o plan\.json\)/],
    [[clip, '-o', join(dir, 'x.json'), '--planner', 'gpt'], /--planner must be "auto" or "ollama", got "gpt"/],
    [[clip, '-o', join(dir, 'x.json'), '--ollama-model', 'm'], /--ollama-model only applies with --planner ollama/],
    [[clip, '-o', join(dir, 'x.json'), '--planner', 'ollama', '--fallback', 'none'], /--fallback must be "auto"/],
    [[clip, '-o', join(dir, 'x.json'), '--planner', 'ollama', '--ollama-timeout', '0'], /--ollama-timeout must be seconds/],
    [[clip, '-o', join(dir, 'missing-folder', 'x.json')], /the folder of .* does not exist/],
    [[clip, '-o', dir], /is a folder/],
  ];
  for (const [args, message] of cases) await t.rejects(planCommand.run(args, capture().io), { name: 'UsageError', message }, args.join(' '));
  await t.rejects(planCommand.run([join(dir, 'nope.mp4'), '-o', join(dir, 'x.json')], capture().io), { name: 'ProbeError', message: /nope\.mp4: no such file/ });
  t.notOk(existsSync(join(dir, 'x.json')));
});
