// A library user's file, compiled by test/types-public.test.ts against the
// published .d.ts files only (skipLibCheck: false, no devDependencies), as a
// consumer project would see them after `npm install maskflow`.
// Every `@ts-expect-error` line must fail to compile, so mistakes stay caught.
import {
  EFFECT_NAMES,
  parsePlan,
  probe,
  render,
  type EffectInput,
  type EffectName,
  type Plan,
  type PlanInput,
  type ProbeInfo,
  type ProgressEvent,
  type RenderOptions,
  type Report,
} from 'maskflow';

// The plan shape the README documents, written without the fields that have defaults.
export const written: PlanInput = {
  version: 1,
  subject: { prompt: 'a person' },
  output: { aspect: '9:16' },
  segments: [
    { start: 0, end: 4.2, effects: [{ type: 'blur-background', radius: 24 }] },
    { start: 4.2, end: 9.0, effects: [{ type: 'grayscale-background' }, { type: 'vignette', strength: 0.35 }] },
  ],
};

// parsePlan gives the resolved shape: every default present.
export const parsed: Plan = parsePlan(written);
export const prompt: string = parsed.subject.prompt;
export const interval: number = parsed.subject.keyframeInterval;
export const crf: number = parsed.output.crf;

export const names: readonly EffectName[] = EFFECT_NAMES;
export const one: EffectInput = { type: 'replace-background', color: '#112233' };

export const options: RenderOptions = {
  input: 'in.mp4',
  output: 'out.mp4',
  plan: written,
  subject: 'a person',
  workers: 2,
  overwrite: true,
  onProgress: (e: ProgressEvent) => {
    console.error(e.stage, e.done, e.total, e.rate, e.etaSeconds);
  },
};

export async function run(): Promise<Report> {
  const info: ProbeInfo = await probe('in.mp4');
  console.log(info.width, info.height, info.frames);
  return render({ input: 'in.mp4', output: 'out.mp4', effect: 'dim-background' });
}

// @ts-expect-error `effect` is one of the effect names, not any string
export const misspelt: RenderOptions = { input: 'a.mp4', output: 'b.mp4', effect: 'blur-bakground' };

// @ts-expect-error an unknown effect type in a plan
export const unknownType: EffectInput = { type: 'sepia' };

// @ts-expect-error `amount` belongs to other effects, not to vignette
export const foreignParam: EffectInput = { type: 'vignette', amount: 0.5 };

// @ts-expect-error plans are version 1
export const wrongVersion: PlanInput = { version: 2, segments: [] };

// @ts-expect-error a written plan is not a resolved one: its defaults are missing
export const unresolved: Plan = written;

// @ts-expect-error parameters are numbers, not strings
export const stringRadius: EffectInput = { type: 'blur-background', radius: '24' };
