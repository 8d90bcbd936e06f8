// `--effect NAME:KEY=VALUE,...` goes through the plan schema (same names,
// limits and messages as a plan file), `render --help` lists the catalogue,
// and replace-background's `fit` decodes the image as asked (real ffmpeg).
import t from 'tap';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { EFFECTS, EFFECT_NAMES, type ParamSpec } from '../src/effects/catalog.js';
import { parseEffectArg } from '../src/effects/effect-arg.js';
import { fitFilter } from '../src/effects/images.js';
import { readFrames } from '../src/media/ffmpeg.js';
import { generateClip } from '../src/media/demo-clip.js';
import { PlanError } from '../src/plan/errors.js';
import { parsePlan, singleEffectPlan } from '../src/plan/parse.js';
import { runCli } from './helpers/cli.js';
import { ffmpeg, inspect, paths } from './helpers/media.js';

function planErrorOf(fn: () => unknown): PlanError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PlanError) return err;
    throw err;
  }
  throw new Error('expected a PlanError');
}

t.test('NAME:KEY=VALUE values are typed by the catalogue', async (t) => {
  t.same(parseEffectArg('blur-background'), { name: 'blur-background', params: {} });
  t.same(parseEffectArg('blur-background:radius=40,feather=8'), { name: 'blur-background', params: { radius: 40, feather: 8 } });
  t.same(parseEffectArg('zoom:follow=false,factor=1.5').params, { follow: false, factor: 1.5 });
  t.same(parseEffectArg('replace-background:color=#0a0,fit=contain').params, { color: '#0a0', fit: 'contain' });
  t.same(parseEffectArg('blur-background:radius=big').params, { radius: 'big' }, 'not a number: left for the schema to refuse');
  t.throws(() => parseEffectArg('blur-background:radius'), { message: /"radius" is not KEY=VALUE/ });
  t.throws(() => parseEffectArg('blur-background:radius=1,radius=2'), { message: /radius is given twice/ });
});

t.test('--effect with parameters makes the plan a plan file with the same effect makes', async (t) => {
  const plan = singleEffectPlan('blur-background:radius=40,feather=8');
  t.same(plan.segments[0].effects, [{ type: 'blur-background', radius: 40, feather: 8 }]);
  t.same(singleEffectPlan('pixelate-background:size=8').segments[0].effects, [{ type: 'pixelate-background', size: 8, feather: 6 }]);
});

t.test('--effect errors are the plan schema\'s, for every parameter of every effect', async (t) => {
  for (const name of EFFECT_NAMES) {
    for (const [key, spec] of Object.entries(EFFECTS[name].params) as [string, ParamSpec][]) {
      const bad = spec.kind === 'number' ? spec.max + 1 : spec.kind === 'boolean' ? 'maybe' : spec.kind === 'image' ? '' : 'not-a-value';
      const fromArg = planErrorOf(() => singleEffectPlan(`${name}:${key}=${String(bad)}`));
      const fromPlan = planErrorOf(() => parsePlan({ version: 1, segments: [{ start: 0, effects: [{ type: name, [key]: bad }] }] }));
      t.same(fromArg.issues, fromPlan.issues, `${name}.${key}=${String(bad)}: ${fromArg.issues[0]?.message}`);
    }
  }
  const typo = planErrorOf(() => singleEffectPlan('blur-background:radus=3'));
  t.match(typo.message, /did you mean "radius"/);
  t.match(planErrorOf(() => singleEffectPlan('blurr-background:radius=3')).message, /did you mean "blur-background"/);
  t.match(planErrorOf(() => singleEffectPlan('blur-background:radius')).message, /--effect.*not KEY=VALUE/);
});

t.test('render --help lists every effect with each parameter and its default', async (t) => {
  const r = await runCli(['render', '--help']);
  t.equal(r.code, 0);
  const help = r.stdout + r.stderr;
  for (const name of EFFECT_NAMES) {
    t.match(help, `${name}: ${EFFECTS[name].description}`);
    for (const [key, spec] of Object.entries(EFFECTS[name].params) as [string, ParamSpec][]) {
      if ('default' in spec) t.match(help, new RegExp(`\\n\\s+${key}\\s+.*default ${String(spec.default).replace(/[.#]/g, '\\$&')}`), `${name}.${key} with its default`);
    }
  }
});

t.test('render --effect NAME:K=V renders; a bad value fails before anything is written', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'in.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25' });
  const out = join(dir, 'out.mp4');
  const ok = await runCli(['render', clip, '-o', out, '--effect', 'pixelate-background:size=8,feather=2', '--quiet']);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(inspect(out).frames, 25);
  const bad = join(dir, 'bad.mp4');
  const r = await runCli(['render', clip, '-o', bad, '--effect', 'blur-background:radius=500', '--quiet']);
  t.not(r.code, 0);
  t.match(r.stderr, /radius/);
  t.notOk(existsSync(bad), 'no output');
});

t.test('replace-background fit: cover crops, contain adds bars of the colour, stretch fills', async (t) => {
  const dir = t.testdir({});
  const image = join(dir, 'wide.png');
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=128x32', '-frames:v', '1', image]); // 4:1 into a square
  const decode = async (fit: 'cover' | 'contain' | 'stretch'): Promise<Uint8Array> => {
    let frame: Uint8Array | undefined;
    const filter = fitFilter({ path: image, fit, pad: '#0000ff' }, 64, 64);
    await readFrames({ input: image, paths, width: 64, height: 64, pixFmt: 'yuv420p', filter, outputOptions: ['-frames:v', '1'] }, (f) => {
      frame = Uint8Array.from(f);
    });
    return frame!;
  };
  const U = 64 * 64; // U plane offset; V follows at U + 32*32
  const vAt = (f: Uint8Array, row: number): number => f[U + 32 * 32 + row * 32 + 16];
  const uAt = (f: Uint8Array, row: number): number => f[U + row * 32 + 16];
  for (const fit of ['cover', 'stretch'] as const) {
    const f = await decode(fit);
    t.ok(vAt(f, 0) > 200 && vAt(f, 31) > 200, `${fit}: red from top to bottom (V ${vAt(f, 0)}, ${vAt(f, 31)})`);
  }
  const c = await decode('contain');
  t.ok(uAt(c, 0) > 200 && uAt(c, 31) > 200, `contain: blue bars at the top and bottom (U ${uAt(c, 0)}, ${uAt(c, 31)})`);
  t.ok(vAt(c, 16) > 200, `contain: the red image in the middle (V ${vAt(c, 16)})`);
});
