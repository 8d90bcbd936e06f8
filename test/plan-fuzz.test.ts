// Seeded fuzzing of the plan validator: thousands of mutated plans (wrong
// types, deep nesting, huge values, null-prototype objects, cycles, mangled
// JSON text) must each either parse or fail with a PlanError whose message is
// short; never another exception, never a stack overflow, never seconds.
import t, { type Test } from 'tap';
import { EFFECT_NAMES } from '../src/effects/catalog.js';
import { MAX_LISTED_PROBLEMS, PlanError } from '../src/plan/errors.js';
import { MAX_PLAN_DEPTH } from '../src/plan/json-limits.js';
import { parsePlan, parsePlanText } from '../src/plan/parse.js';
import { rng } from './helpers/random.js';

const base = {
  version: 1,
  subject: { prompt: 'a person', keyframeInterval: 0.5 },
  output: { codec: 'libx264', crf: 20, preset: 'veryfast', aspect: '9:16' },
  segments: [
    { start: 0, end: 4.2, effects: [{ type: 'blur-background', radius: 24, feather: 6 }] },
    { start: 4.2, end: 9, effects: [{ type: 'grayscale-background' }, { type: 'vignette', strength: 0.35 }] },
    { start: 9, effects: [{ type: 'replace-background', color: '#102030' }, { type: 'zoom', factor: 1.5, follow: false }] },
  ],
};

/** Longest message a failed plan may print: 20 listed problems of a few hundred characters each. */
const MAX_MESSAGE = (MAX_LISTED_PROBLEMS + 2) * 400;

type Next = () => number;
const pick = <T>(next: Next, items: readonly T[]): T => items[Math.floor(next() * items.length)];

function nested(depth: number, leaf: unknown, asObject: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

function nullProto(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, entries);
}

/** A value of a random kind, sometimes huge or pathological. */
function randomValue(next: Next): unknown {
  const kinds: (() => unknown)[] = [
    () => null,
    () => next() < 0.5,
    () => Math.floor(next() * 200) - 50,
    () => next() * 10,
    () => pick(next, [NaN, Infinity, -Infinity, -0, 1e308, -1e-308, Number.MAX_SAFE_INTEGER + 2]),
    () => '',
    () => pick(next, [...EFFECT_NAMES, 'blur-backgroud', 'zoom ', 'ZOOM', '#fff', '#gg0000', '9:16', '0:0', 'source', 'x'.repeat(400)]),
    () => 'q'.repeat(Math.floor(next() * 5000)),
    () => [],
    () => ({}),
    () => nested(Math.floor(next() * 3 * MAX_PLAN_DEPTH), pick(next, [1, 'x', null]), next() < 0.5),
    () => nullProto({ type: pick(next, EFFECT_NAMES), radius: 3 }),
    () => nullProto({ start: 0, effects: [] }),
    () => Array.from({ length: Math.floor(next() * 300) }, () => ({ type: 'blur-background', bogus: 1 })),
    () => ({ __proto__: { type: 'zoom' } }),
    () => JSON.parse('{"__proto__": {"polluted": true}, "type": "zoom"}') as unknown,
    () => 10n,
    () => Symbol('s'),
    () => () => 1,
    () => new Date(0),
    () => new Map([[1, 2]]),
    () => new Uint8Array(4),
  ];
  return pick(next, kinds)();
}

/** Every container path of `root`, to pick a mutation site from. */
function containers(root: unknown): (Record<string, unknown> | unknown[])[] {
  const out: (Record<string, unknown> | unknown[])[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 8) return;
    // Plain arrays and objects only: a typed array cannot hold arbitrary values.
    const proto = Object.getPrototypeOf(v) as unknown;
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return;
    out.push(v as Record<string, unknown>);
    for (const child of Object.values(v)) walk(child, depth + 1);
  };
  walk(root, 0);
  return out;
}

const KEYS = ['version', 'subject', 'output', 'segments', 'start', 'end', 'effects', 'type', 'radius', 'feather', 'amount', 'color', 'image', 'factor', 'follow', 'strength', 'prompt', 'keyframeInterval', 'codec', 'crf', 'preset', 'aspect', 'raduis', 'efects', '$schema'];

function mutate(plan: unknown, next: Next): unknown {
  const root = structuredClone(plan);
  const rounds = 1 + Math.floor(next() * 4);
  for (let r = 0; r < rounds; r++) {
    const site = pick(next, containers(root));
    const keys = Object.keys(site);
    const op = next();
    if (op < 0.45 && keys.length) {
      (site as Record<string, unknown>)[pick(next, keys)] = randomValue(next);
    } else if (op < 0.6 && keys.length) {
      if (Array.isArray(site)) site.splice(Math.floor(next() * site.length), 1);
      else delete site[pick(next, keys)];
    } else if (op < 0.75) {
      if (Array.isArray(site)) site.push(randomValue(next));
      else site[pick(next, KEYS)] = randomValue(next);
    } else if (op < 0.85 && Array.isArray(site) && site.length) {
      const copies = Math.floor(next() * 50);
      for (let i = 0; i < copies; i++) site.push(structuredClone(site[0]));
    } else if (op < 0.9) {
      // A cycle: only library callers can build one, but they can.
      (site as Record<string, unknown>)[pick(next, KEYS)] = root;
    } else {
      return randomValue(next);
    }
  }
  return root;
}

function checkOutcome(t: Test, run: () => unknown, what: string): 'ok' | 'error' | 'bad' {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (!(err instanceof PlanError)) {
      t.fail(`${what}: threw ${(err as Error)?.name}: ${String((err as Error)?.message).slice(0, 300)}`);
      return 'bad';
    }
    if (err.message.length > MAX_MESSAGE || err.issues.length > MAX_LISTED_PROBLEMS || err.issues.length === 0) {
      t.fail(`${what}: message of ${err.message.length} characters, ${err.issues.length} issues listed`);
      return 'bad';
    }
    return 'error';
  }
}

t.test('3000 seeded mutations of a valid plan: each parses or fails with a short PlanError', async (t) => {
  const next = rng(0x5eed);
  const counts = { ok: 0, error: 0, bad: 0 };
  const started = performance.now();
  for (let i = 0; i < 3000; i++) {
    const plan = mutate(base, next);
    counts[checkOutcome(t, () => parsePlan(plan, 'fuzz.json'), `mutation ${i}`)]++;
  }
  t.equal(counts.bad, 0, 'only PlanErrors');
  // Both outcomes occur, so the mutations are neither all harmless nor all fatal.
  t.ok(counts.ok > 30 && counts.error > 1500, `accepted ${counts.ok}, refused ${counts.error}`);
  t.comment(`3000 plans in ${((performance.now() - started) / 1000).toFixed(2)} s`);
});

t.test('2000 seeded byte-level mutations of plan JSON text: each parses or fails with a short PlanError', async (t) => {
  const next = rng(0xbadc0de);
  const text = JSON.stringify(base, null, 2);
  const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', '0', '-', 'e', 'n', ' ', '\n', '\u0000', '\uFEFF', 'é', '\uD800'];
  const counts = { ok: 0, error: 0, bad: 0 };
  for (let i = 0; i < 2000; i++) {
    let s = text;
    const edits = 1 + Math.floor(next() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * s.length);
      const op = next();
      if (op < 0.4) s = s.slice(0, at) + pick(next, alphabet) + s.slice(at + 1);
      else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(next() * 20));
      else if (op < 0.9) s = s.slice(0, at) + pick(next, alphabet) + s.slice(at);
      else s = s.slice(0, at);
    }
    counts[checkOutcome(t, () => parsePlanText(s, 'fuzz.json'), `text mutation ${i}`)]++;
  }
  t.equal(counts.bad, 0, 'only PlanErrors');
  t.ok(counts.error > 1000, `refused ${counts.error}, accepted ${counts.ok}`);
});

t.test('pathological plans get one clear error quickly', async (t) => {
  const deep = nested(100_000, 1, false);
  const e1 = errorOf(() => parsePlan({ version: 1, segments: [{ start: 0, effects: [{ type: 'zoom', factor: deep }] }] }));
  t.type(e1, PlanError);
  t.match(e1?.message, /segments\[0\]\.effects\[0\]\.factor(\[0\])+: nested more than 64 levels deep/);
  // The same from JSON text (JSON.parse itself copes with this depth).
  const e2 = errorOf(() => parsePlanText(`{"version":1,"segments":${'['.repeat(50_000)}${']'.repeat(50_000)}}`, 'deep.json'));
  t.match(e2?.message, /^deep\.json: invalid plan \(1 problem\):\n {2}segments(\[0\])+: nested more than 64 levels deep/);
  t.ok(e2!.message.length < 2000, 'the path is not printed in full... or is short enough');

  // A null-prototype object (Object.create(null), or a parser that makes them) is read like any object.
  const np = nullProto({ version: 1, segments: [nullProto({ start: 0, effects: [nullProto({ type: 'zoom', factor: 2 })] })] });
  t.equal(parsePlan(np).segments[0].effects[0].type, 'zoom');
  const npBad = errorOf(() => parsePlan(nullProto({ version: 1, segments: [nullProto({ start: 'x', effects: nullProto({}) })] })));
  t.match(npBad?.message, /segments\[0\]\.start: "x" is a string/);
  t.match(npBad?.message, /segments\[0\]\.effects: \{\} is an object/);

  // Did-you-mean on a huge bogus string costs nothing.
  let t0 = performance.now();
  const huge = 'blur-background'.repeat(300_000);
  const e3 = errorOf(() => parsePlan({ version: 1, segments: [{ start: 0, effects: [{ type: huge }] }] }));
  t.match(e3?.message, /segments\[0\]\.effects\[0\]\.type: "blur-backgroundblur-background.*\.\.\. is not an effect; effects: /);
  t.ok(e3!.message.length < 1000);
  const e4 = errorOf(() => parsePlan({ version: 1, [huge]: 1, segments: [{ start: 0, effects: [] }] }));
  t.match(e4?.message, /unknown key "blur-backgroundblur/);
  t.ok(e4!.message.length < 1000);
  t.comment(`huge strings: ${(performance.now() - t0).toFixed(0)} ms`);

  // A plan with a million bad segments lists 20 problems and counts the rest.
  t0 = performance.now();
  const many = { version: 1, segments: Array.from({ length: 50_000 }, (_, i) => ({ start: i, end: i + 1, effects: [{ type: 'dim-background', amount: 5 }] })) };
  const e5 = errorOf(() => parsePlan(many, 'many.json'));
  t.match(e5?.message, /^many\.json: invalid plan \(50000 problems\):\n/);
  t.equal(e5!.issues.length, MAX_LISTED_PROBLEMS);
  t.equal(e5!.total, 50_000);
  t.match(e5!.message, /\n {2}\.\.\. and 49980 more problems \(fix these first\)$/);
  t.equal(e5!.message.split('\n').length, 1 + MAX_LISTED_PROBLEMS + 1);
  t.comment(`50000 bad segments: ${(performance.now() - t0).toFixed(0)} ms`);

  // Overlaps found after the schema (checkPlan) are capped the same way.
  const overlapping = { version: 1, segments: Array.from({ length: 50 }, () => ({ start: 0, end: 1, effects: [] })) };
  const e6 = errorOf(() => parsePlan(overlapping));
  t.equal(e6?.total, 49);
  t.match(e6?.message, /\.\.\. and 29 more problems/);

  // A minified one-line plan with a syntax error shows a window around the error, not the whole line.
  const long = `{"version":1,"segments":[${Array.from({ length: 5000 }, (_, i) => `{"start":${i},"effects":[]}`).join(',')},{"start":1 "effects":[]}]}`;
  const e7 = errorOf(() => parsePlanText(long, 'min.json'));
  t.match(e7?.message, /^min\.json:1:\d+: invalid JSON: /);
  t.ok(e7!.message.length < 400, `${e7!.message.length} characters`);
  const [, shown, caret] = e7!.message.split('\n');
  t.equal(shown[caret.indexOf('^')], '"', 'the caret points at the offending character');
});

function errorOf(fn: () => unknown): PlanError | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof PlanError) return err;
    throw err;
  }
  return undefined;
}
