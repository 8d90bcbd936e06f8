// The plan format: defaults, and errors that name path, value and expectation.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EFFECTS, EFFECT_NAMES, type ParamSpec } from '../src/effects/catalog.js';
import { PlanError } from '../src/plan/errors.js';
import { parsePlan, readPlanFile, singleEffectPlan } from '../src/plan/parse.js';
import { planJsonSchema } from '../src/plan/schema.js';

const seg = (start: number, end: number | undefined, effects: unknown[] = [{ type: 'blur-background' }]) =>
  end === undefined ? { start, effects } : { start, end, effects };

/** The issues of a plan that must fail. */
function issuesOf(t: Test, json: unknown): { path: string; message: string }[] {
  try {
    parsePlan(json, 'test.json');
  } catch (err) {
    t.type(err, PlanError);
    t.match((err as Error).message, /^test\.json: invalid plan/);
    return (err as PlanError).issues;
  }
  t.fail('the plan was accepted');
  return [];
}

t.test('a minimal plan gets every default, including catalogue parameter defaults', async (t) => {
  const plan = parsePlan({ version: 1, segments: [seg(0, 2, [{ type: 'blur-background' }, { type: 'vignette', strength: 0.5 }])] });
  t.same(plan.subject, { prompt: 'the main subject', keyframeInterval: 0.25 });
  t.same(plan.output, { codec: 'libx264', crf: 20, preset: 'veryfast', aspect: 'source' });
  const [blur, vignette] = plan.segments[0].effects;
  t.same(blur, { type: 'blur-background', radius: EFFECTS['blur-background'].params.radius.default, feather: EFFECTS['blur-background'].params.feather.default });
  t.same(vignette, { type: 'vignette', strength: 0.5, radius: EFFECTS.vignette.params.radius.default });
});

t.test('the DESIGN example plan parses as written', async (t) => {
  const plan = parsePlan({
    version: 1,
    subject: { prompt: 'a person', keyframeInterval: 0.5 },
    output: { codec: 'libx264', crf: 20, preset: 'veryfast', aspect: '9:16' },
    segments: [
      { start: 0, end: 4.2, effects: [{ type: 'blur-background', radius: 24 }] },
      { start: 4.2, end: 9.0, effects: [{ type: 'grayscale-background' }, { type: 'vignette', strength: 0.35 }] },
    ],
  });
  t.equal(plan.segments.length, 2);
  t.equal(plan.output.aspect, '9:16');
  t.equal(plan.subject.prompt, 'a person');
});

t.test('every catalogue effect is accepted with its defaults and rejects a value past its range', async (t) => {
  for (const name of EFFECT_NAMES) {
    const plan = parsePlan({ version: 1, segments: [seg(0, 1, [{ type: name }])] });
    t.equal(plan.segments[0].effects[0].type, name);
    for (const [param, spec] of Object.entries(EFFECTS[name].params) as [string, ParamSpec][]) {
      if (spec.kind !== 'number') continue;
      const issues = issuesOf(t, { version: 1, segments: [seg(0, 1, [{ type: name, [param]: spec.max + 1 }])] });
      t.equal(issues.length, 1);
      t.equal(issues[0].path, `segments[0].effects[0].${param}`);
      t.match(issues[0].message, `${spec.max + 1} is out of range; expected`);
      t.match(issues[0].message, `from ${spec.min} to ${spec.max}`);
    }
  }
});

t.test('a misspelt effect name is named with its path, value and a did-you-mean hint', async (t) => {
  const issues = issuesOf(t, {
    version: 1,
    segments: [seg(0, 1), seg(1, 2, [{ type: 'blurr-background' }])],
  });
  t.same(issues, [{ path: 'segments[1].effects[0].type', message: '"blurr-background" is not an effect; did you mean "blur-background"?' }]);
  const far = issuesOf(t, { version: 1, segments: [seg(0, 1, [{ type: 'sparkles' }])] });
  t.match(far[0].message, /"sparkles" is not an effect; effects: blur-background, grayscale-background/);
  const missing = issuesOf(t, { version: 1, segments: [seg(0, 1, [{ radius: 3 }])] });
  t.equal(missing[0].path, 'segments[0].effects[0].type');
  t.match(missing[0].message, /missing; expected an effect name/);
});

t.test('unknown keys are errors with a did-you-mean hint at every level', async (t) => {
  const issues = issuesOf(t, {
    version: 1,
    subjct: { prompt: 'x' },
    output: { crf: 20, presett: 'fast' },
    segments: [{ start: 0, end: 1, efects: [] }, seg(1, 2, [{ type: 'blur-background', raduis: 10 }])],
  });
  const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
  t.equal(byPath.subjct, 'unknown key "subjct"; did you mean "subject"?');
  t.equal(byPath['output.presett'], 'unknown key "presett"; did you mean "preset"?');
  t.equal(byPath['segments[0].efects'], 'unknown key "efects"; did you mean "effects"?');
  t.equal(byPath['segments[1].effects[0].raduis'], 'unknown key "raduis"; did you mean "radius"?');
  // "effects" is missing from segments[0] too.
  t.match(byPath['segments[0].effects'], /^missing; expected/);
  // A key nothing resembles lists the allowed ones.
  const other = issuesOf(t, { version: 1, segments: [seg(0, 1, [{ type: 'zoom', wobble: 1 }])] });
  t.equal(other[0].message, 'unknown key "wobble"; allowed keys: type, factor, follow');
});

t.test('wrong types, NaN, negatives and bad formats name the value and what was expected', async (t) => {
  const issues = issuesOf(t, {
    version: 2,
    subject: { keyframeInterval: 0 },
    output: { crf: 20.5, preset: 'veryfats', aspect: '16x9', codec: 'lib x264' },
    segments: [
      { start: -1, end: 'two', effects: [{ type: 'dim-background', amount: Number.NaN }] },
      seg(5, 6, [{ type: 'replace-background', color: 'green' }, { type: 'zoom', follow: 'yes' }]),
    ],
  });
  const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
  t.equal(byPath.version, '2 is not a supported plan version; this maskflow reads version 1');
  t.equal(byPath['subject.keyframeInterval'], '0 is out of range; expected seconds, from 0.04 to 10');
  t.match(byPath['output.crf'], /^20\.5 .*expected a whole number from 0 to 51/);
  t.equal(byPath['output.preset'].split(';').pop(), ' did you mean "veryfast"?');
  t.match(byPath['output.aspect'], /^"16x9" is not valid; expected "source" or W:H/);
  t.match(byPath['output.codec'], /^"lib x264" is not valid; expected an ffmpeg encoder name/);
  t.equal(byPath['segments[0].start'], '-1 is out of range; expected a time in seconds, 0 or more');
  t.equal(byPath['segments[0].end'], '"two" is a string; expected a time in seconds, 0 or more');
  t.match(byPath['segments[0].effects[0].amount'], /^NaN is NaN; expected a number from 0 to 1/);
  t.match(byPath['segments[1].effects[0].color'], /^"green" is not valid; expected a colour "#rrggbb"/);
  t.match(byPath['segments[1].effects[1].follow'], /^"yes" is a string; expected true or false/);
  t.equal(Object.keys(byPath).length, 11, 'one issue per problem');
});

t.test('a plan must be an object with at least one segment', async (t) => {
  t.match(issuesOf(t, [])[0].message, /is an array; expected object/);
  const empty = issuesOf(t, { version: 1, segments: [] });
  t.same(empty, [{ path: 'segments', message: 'has 0 segments; expected at least 1' }]);
  t.match(issuesOf(t, { segments: [seg(0, 1)] })[0], { path: 'version', message: /^missing; expected the number 1/ });
});

t.test('a seed box with no area names the width or height that must be greater than 0', async (t) => {
  const at = (box: number[]) => issuesOf(t, { version: 1, subject: { seed: { box } }, segments: [seg(0, 1)] });
  t.same(at([0, 0, 0, 10]), [{ path: 'subject.seed.box[2]', message: "0 is out of range; expected the box's width in input pixels, greater than 0" }]);
  t.same(at([0, 0, 5, -1]), [{ path: 'subject.seed.box[3]', message: "-1 is out of range; expected the box's height in input pixels, greater than 0" }]);
  t.same(at([-2, 0, 5, 5]), [{ path: 'subject.seed.box[0]', message: '-2 is out of range; expected x in input pixels, 0 or more' }]);
});

t.test('reversed, empty and overlapping segments are errors naming both segments', async (t) => {
  t.same(issuesOf(t, { version: 1, segments: [seg(3, 2)] }), [
    { path: 'segments[0]', message: 'end 2 is before start 3; expected end > start (a segment is [start, end) in seconds)' },
  ]);
  t.match(issuesOf(t, { version: 1, segments: [seg(2, 2)] })[0].message, /end 2 is equal to start 2/);
  const overlap = issuesOf(t, { version: 1, segments: [seg(4, 6), seg(0, 2), seg(1.5, 3)] });
  t.same(overlap, [{ path: 'segments[2]', message: 'segments[2] (1.5–3 s) overlaps segments[1] (0–2 s); segments must not overlap' }]);
  // A segment with no end runs to the end of the video, so nothing may follow it.
  const open = issuesOf(t, { version: 1, segments: [seg(0, undefined), seg(5, 6)] });
  t.match(open[0].message, /segments\[1\] \(5–6 s\) overlaps segments\[0\] \(0–end s\)/);
  // Touching segments and segments out of order are fine.
  t.equal(parsePlan({ version: 1, segments: [seg(2, 4), seg(0, 2)] }).segments.length, 2);
});

t.test('extreme aspect ratios are refused', async (t) => {
  t.match(issuesOf(t, { version: 1, output: { aspect: '1:9' }, segments: [seg(0, 1)] })[0], { path: 'output.aspect', message: /too extreme/ });
  t.equal(parsePlan({ version: 1, output: { aspect: '4:5' }, segments: [seg(0, 1)] }).output.aspect, '4:5');
});

t.test('JSON syntax errors name the file, line and column', async (t) => {
  const dir = t.testdir({});
  const cases: [string, RegExp][] = [
    ['{\n  "version": 1,\n  "segments": [\n    { "start": 0 "end": 1 }\n  ]\n}\n', /bad\.json:4:18: invalid JSON: Expected ',' or '}' after property value\n {6}\{ "start": 0 "end": 1 \}\n {19}\^/],
    ['{\n  "version": 1,\n}\n', /bad\.json:3:1: invalid JSON: Expected double-quoted property name/],
    ['{\n  "version": 1,\n  "segments": [\n', /bad\.json:3:\d+: invalid JSON: the text ends too early/],
    ['   \n', /bad\.json: the plan file is empty/],
  ];
  for (const [text, expected] of cases) {
    const file = join(dir, 'bad.json');
    await writeFile(file, text);
    await t.rejects(readPlanFile(file), expected, JSON.stringify(text));
  }
  await t.rejects(readPlanFile(join(dir, 'nope.json')), /nope\.json: cannot read the plan file \(no such file\)/);
});

t.test('readPlanFile validates, and resolves a relative background image against the plan folder', async (t) => {
  const dir = t.testdir({
    'plan.json': JSON.stringify({ version: 1, segments: [seg(0, 1, [{ type: 'replace-background', image: 'bg.png' }])] }),
    'typo.json': JSON.stringify({ version: 1, segments: [seg(0, 1, [{ type: 'dim-backround' }])] }),
  });
  const plan = await readPlanFile(join(dir, 'plan.json'));
  t.match(plan.segments[0].effects[0], { type: 'replace-background', image: join(dir, 'bg.png'), color: '#00b140' });
  await t.rejects(readPlanFile(join(dir, 'typo.json')), /typo\.json: invalid plan \(1 problem\):\n {2}segments\[0\]\.effects\[0\]\.type: "dim-backround" is not an effect; did you mean "dim-background"\?/);
});

t.test('singleEffectPlan covers the whole video with one validated effect', async (t) => {
  const plan = singleEffectPlan('grayscale-background', { subject: 'a dog', params: { amount: 0.5 } });
  t.same(plan.segments, [{ start: 0, effects: [{ type: 'grayscale-background', amount: 0.5, feather: 6 }] }]);
  t.equal(plan.subject.prompt, 'a dog');
  t.throws(() => singleEffectPlan('grayscale-backgroud'), { name: 'PlanError', message: /did you mean "grayscale-background"\?/ });
  t.throws(() => singleEffectPlan('zoom', { params: { factor: 9 } }), { message: /segments\[0\]\.effects\[0\]\.factor: 9 is out of range; expected a number from 1 to 4/ });
});

t.test('the committed schema/plan.schema.json matches the zod definition', async (t) => {
  const committed = JSON.parse(readFileSync(new URL('../schema/plan.schema.json', import.meta.url), 'utf8')) as unknown;
  t.same(committed, planJsonSchema(), 'out of date: run `node scripts/build-ts.mjs && node scripts/make-schema.mjs`');
  // It really is built from the catalogue: every effect and parameter range appears.
  const text = JSON.stringify(committed);
  for (const name of EFFECT_NAMES) t.match(text, `"const":"${name}"`);
  t.match(text, '"maximum":200');
  t.match(text, '"additionalProperties":false');
});

t.test('an effect that uses the subject mask after zoom is refused, naming both', async (t) => {
  const plan = {
    version: 1,
    segments: [{ start: 0, effects: [{ type: 'zoom' }, { type: 'vignette' }, { type: 'dim-background' }] }],
  };
  t.throws(() => parsePlan(plan), { message: /segments\[0\]\.effects\[2\]: "dim-background" comes after "zoom" \(effects\[0\]\)/ });
  // vignette after zoom is fine, and mask effects before zoom are fine.
  t.doesNotThrow(() => parsePlan({ version: 1, segments: [{ start: 0, effects: [{ type: 'blur-background' }, { type: 'zoom' }, { type: 'vignette' }] }] }));
});
