// The library's boundaries: render() checks a plan object, a plan file and the options that
// override plan fields with the same parser as the CLI, before the input is probed or analysed,
// and lists every problem (schema and semantic ones) in one PlanError; the `subject` option
// overrides the plan's subject prompt. plan() and analyse() check their options (and model
// paths) with the CLI's checks before probing too.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClip } from '../src/media/demo-clip.js';
import { analyse, plan as planVideo } from '../src/api.js';
import { PlanError } from '../src/plan/errors.js';
import { PlannerOptionError } from '../src/plan/planner.js';
import type { PlanInput } from '../src/plan/schema.js';
import type { ProgressEvent } from '../src/render/progress.js';
import { render } from '../src/render/render.js';
import { paths } from './helpers/media.js';

const dir = t.testdir({});
const input = join(dir, 'in.mp4');
t.before(() => generateClip(paths, { output: input, width: 160, height: 96, seconds: 1, fps: '25' }));

// Two problems of different kinds: a parameter out of range (schema) and overlapping segments (semantic).
const bad = {
  version: 1,
  segments: [
    { start: 0, end: 0.6, effects: [{ type: 'blur-background', radius: 999 }] },
    { start: 0.4, effects: [{ type: 'vignette' }] },
  ],
} as PlanInput;

function planErrorOf(err: unknown): PlanError {
  if (!(err instanceof PlanError)) throw new Error(`expected a PlanError, got ${String(err)}`);
  return err;
}

t.test('a plan object with overlapping segments and a bad parameter fails before the probe, in one round', async (t) => {
  const events: ProgressEvent[] = [];
  // The input does not exist: had the probe run first, this would be a ProbeError.
  const err = planErrorOf(await render({ input: join(dir, 'missing.mp4'), output: join(dir, 'a.mp4'), plan: bad, cacheDir: false, onProgress: (e) => events.push(e) }).catch((e: unknown) => e));
  t.equal(err.total, 2, err.message);
  t.same(err.issues.map((i) => i.path).sort(), ['segments[0].effects[0].radius', 'segments[1]']);
  t.match(err.message, /segments\[1\] \(0\.4–end s\) overlaps segments\[0\] \(0–0\.6 s\); segments must not overlap/);
  t.match(err.message, /the plan given to render\(\): invalid plan \(2 problems\)/);
  t.same(events, [], 'no stage started');
});

t.test('on a real input the same plan fails with no probe, analysis or render stage started', async (t) => {
  const events: ProgressEvent[] = [];
  const output = join(dir, 'b.mp4');
  const err = planErrorOf(await render({ input, output, plan: bad, cacheDir: false, onProgress: (e) => events.push(e) }).catch((e: unknown) => e));
  t.equal(err.total, 2);
  t.same(events.map((e) => e.stage), [], 'not even the probe reported a start');
  t.notOk(existsSync(output));
});

t.test('a plan file gets the same check before the probe, with both problems', async (t) => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify(bad));
  const err = planErrorOf(await render({ input: join(dir, 'missing.mp4'), output: join(dir, 'c.mp4'), plan: file, cacheDir: false }).catch((e: unknown) => e));
  t.equal(err.total, 2);
  t.match(err.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: invalid plan \\(2 problems\\)`));
});

t.test('options that override plan fields are checked by the plan schema before the probe', async (t) => {
  const plan: PlanInput = { version: 1, segments: [{ start: 0, effects: [] }] };
  const missing = join(dir, 'missing.mp4');
  const crf = planErrorOf(await render({ input: missing, output: join(dir, 'd.mp4'), plan, encoder: { crf: 99 }, cacheDir: false }).catch((e: unknown) => e));
  t.same(crf.issues.map((i) => i.path), ['output.crf']);
  const subject = planErrorOf(await render({ input: missing, output: join(dir, 'd.mp4'), plan, subject: '   ', cacheDir: false }).catch((e: unknown) => e));
  t.same(subject.issues.map((i) => i.path), ['subject.prompt']);
  const effect = planErrorOf(await render({ input: missing, output: join(dir, 'd.mp4'), effect: 'blur-bakground' as 'blur-background', cacheDir: false }).catch((e: unknown) => e));
  t.match(effect.message, /"blur-bakground" is not an effect; did you mean "blur-background"/);
});

t.test('the subject option overrides the plan prompt (given plan, and the one-effect plan)', async (t) => {
  const plan: PlanInput = { version: 1, subject: { prompt: 'a cat', keyframeInterval: 1 }, segments: [{ start: 0, effects: [{ type: 'vignette' }] }] };
  const resolvedPrompt = async (name: string, options: { plan?: PlanInput; subject?: string }): Promise<string> => {
    const report = join(dir, `${name}.json`);
    await render({ input, output: join(dir, `${name}.mp4`), cacheDir: false, report, effect: 'vignette', ...options });
    return (JSON.parse(readFileSync(join(dir, `${name}.plan.resolved.json`), 'utf8')) as { subject: { prompt: string } }).subject.prompt;
  };
  t.equal(await resolvedPrompt('with-subject', { plan, subject: 'a red ball' }), 'a red ball', 'the option wins over the plan');
  t.equal(await resolvedPrompt('plan-only', { plan }), 'a cat', 'without the option the plan keeps its prompt');
  t.equal(await resolvedPrompt('one-effect', { subject: 'a red ball' }), 'a red ball', 'the one-effect plan takes it too');
});

t.test('plan() and analyse() check their options before probing (the input here does not exist)', async (t) => {
  const missing = join(dir, 'missing.mp4');
  await t.rejects(planVideo(missing, { planner: 'gpt' as 'auto' }), new PlannerOptionError('planner must be "auto" or "ollama", got "gpt"'));
  await t.rejects(planVideo(missing, { planner: 'auto', ollamaModel: 'm' }), { name: 'PlannerOptionError', message: 'ollamaModel only applies with planner ollama' });
  await t.rejects(planVideo(missing, { planner: 'ollama', ollamaTimeout: 0 }), { name: 'PlannerOptionError', message: /^ollamaTimeout must be seconds from 0 to 3600/ });
  await t.rejects(planVideo(missing, { planner: 'auto', subject: '' }), { name: 'PlannerOptionError', message: /^subject must be 1 to 300 characters/ });
  await t.rejects(analyse(missing, { keyframeInterval: 60 }), { name: 'AnalyseError', message: /keyframe interval must be a number of seconds from 0\.04 to 10, got 60/ });
  await t.rejects(analyse(missing, { maskLongSide: 100 }), { name: 'AnalyseError', message: /mask long side/ });
  await t.rejects(analyse(missing, { models: { detector: join(dir, 'nope.onnx') } }), { name: 'AnalyseError', message: /detector model .*nope\.onnx: no such file/ });
  // Good options reach the probe, which names the missing input.
  await t.rejects(planVideo(missing, { planner: 'auto' }), /missing\.mp4/);
  await t.rejects(analyse(missing, {}), /missing\.mp4/);
});
