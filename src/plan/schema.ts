// The plan format (version 1) as zod schemas, built from the effect
// catalogue so effect names, parameter ranges and defaults live in one place.
// The same definition validates plan files, generates schema/plan.schema.json
// for editors, and is the `format` the Ollama planner asks for.
import { z } from 'zod';
import { COLOR_PATTERN, EFFECTS, EFFECT_NAMES, type EffectName, type EffectSpec, type ParamSpec } from '../effects/catalog.js';
import { DEFAULT_KEYFRAME_INTERVAL, KEYFRAME_INTERVAL_RANGE } from '../media/keyframes.js';
import { FPS_RANGE, SIZE_PATTERN } from './output-format.js';

export const PLAN_VERSION = 1;

export const DEFAULT_SUBJECT_PROMPT = 'the main subject';
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow', 'placebo'] as const;
export const DEFAULT_OUTPUT = { codec: 'libx264', crf: 20, preset: 'veryfast', aspect: 'source' } as const;
/** Reframing to something narrower than 1:4 or wider than 4:1 is almost surely a typo. */
export const ASPECT_RATIO_RANGE = { min: 1 / 4, max: 4 } as const;

export const ASPECT_PATTERN = /^(source|[1-9][0-9]{0,4}:[1-9][0-9]{0,4})$/;
/** ffmpeg encoder names: letters, digits, `_` and `-` (keeps the value safe as one argv word). */
export const CODEC_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

function paramSchema(spec: ParamSpec): z.ZodType {
  switch (spec.kind) {
    case 'number': {
      let n = z.number().min(spec.min).max(spec.max);
      if (spec.integer) n = n.int();
      return n.default(spec.default).describe(spec.description);
    }
    case 'boolean':
      return z.boolean().default(spec.default).describe(spec.description);
    case 'color':
      return z.string().regex(COLOR_PATTERN).default(spec.default).describe(spec.description);
    case 'image':
      return z.string().min(1).optional().describe(spec.description);
    case 'choice':
      return z.enum(spec.values as [string, ...string[]]).default(spec.default).describe(spec.description);
  }
}

function effectSchema(name: EffectName) {
  const info = EFFECTS[name];
  const shape: Record<string, z.ZodType> = { type: z.literal(name) };
  for (const [param, spec] of Object.entries(info.params) as [string, ParamSpec][]) shape[param] = paramSchema(spec);
  return z.strictObject(shape).describe(info.description);
}

const effectSchemas = EFFECT_NAMES.map(effectSchema);

// Built from the catalogue at run time, so zod cannot infer the union's type: it is stated from the
// same catalogue (EffectSpec out, EffectInput in, both mapped from EFFECTS), and every plan type
// below is inferred from the schemas.
export const effectSpecSchema = z.discriminatedUnion(
  'type',
  effectSchemas as unknown as [ReturnType<typeof effectSchema>, ...ReturnType<typeof effectSchema>[]],
) as unknown as z.ZodType<EffectSpec, EffectInput>;

const seconds = z.number().min(0);

export const segmentSchema = z
  .strictObject({
    start: seconds.describe('start time in seconds'),
    end: seconds.optional().describe('end time in seconds (exclusive); omitted: the end of the video'),
    effects: z.array(effectSpecSchema).describe('effects applied in order; empty: the segment renders unchanged'),
  })
  .describe('a time range of the input and the effects applied to it');

export const subjectSchema = z
  .strictObject({
    prompt: z.string().trim().min(1).max(300).default(DEFAULT_SUBJECT_PROMPT).describe('what the subject is, in words (ranks detected objects)'),
    keyframeInterval: z
      .number()
      .min(KEYFRAME_INTERVAL_RANGE.min)
      .max(KEYFRAME_INTERVAL_RANGE.max)
      .default(DEFAULT_KEYFRAME_INTERVAL)
      .describe('seconds between analysed keyframes'),
    seed: z
      .union([
        z.strictObject({ box: z.tuple([z.number().min(0), z.number().min(0), z.number().positive(), z.number().positive()]).describe('[x, y, w, h] in input pixels'), time: seconds.optional().describe('seconds of the input (default 0)') }),
        z.strictObject({ point: z.tuple([z.number().min(0), z.number().min(0)]).describe('[x, y] in input pixels'), time: seconds.optional().describe('seconds of the input (default 0)') }),
      ])
      .optional()
      .describe('which salient thing is the subject, for the model-free finder: a box or point on it at a time; the track through it is kept'),
  })
  .describe('which subject the effects keep in focus');

export const outputSchema = z
  .strictObject({
    codec: z.string().regex(CODEC_PATTERN).default(DEFAULT_OUTPUT.codec).describe('ffmpeg video encoder'),
    crf: z.number().int().min(0).max(51).default(DEFAULT_OUTPUT.crf).describe('constant rate factor: lower is better quality'),
    preset: z.enum(X264_PRESETS).default(DEFAULT_OUTPUT.preset).describe('encoder speed preset'),
    aspect: z
      .string()
      .regex(ASPECT_PATTERN)
      .default(DEFAULT_OUTPUT.aspect)
      .describe('"source", or W:H such as "9:16" to reframe around the subject'),
    size: z
      .string()
      .regex(SIZE_PATTERN)
      .optional()
      .describe('output frame size: "source" (default), WxH such as "1080x1920", or reels, shorts, tiktok, square, 1080p, 720p, 4k; a different shape reframes around the subject'),
    fps: z
      .number()
      .min(FPS_RANGE.min)
      .max(FPS_RANGE.max)
      .optional()
      .describe('output frame rate; omitted: the input\'s. Source frames are dropped or repeated, the audio is untouched'),
    bitDepth: z
      .union([z.literal(8), z.literal(10)])
      .optional()
      .describe('bits per sample of the encoded video (default 8); 10 needs an encoder that writes 10-bit (x264 high10, x265 main10, VP9, AV1)'),
  })
  .describe('encoder settings');

export const planSchema = z
  .strictObject({
    $schema: z.string().optional().describe('editor hint: where this JSON schema lives'),
    version: z.literal(PLAN_VERSION).describe('plan format version'),
    // prefault: the default object is itself parsed, so its fields get their defaults.
    subject: subjectSchema.prefault({}),
    output: outputSchema.prefault({}),
    segments: z.array(segmentSchema).min(1).describe('time ranges with effects; gaps render unchanged'),
  })
  .describe('a maskflow render plan');

/** A parsed plan with every default applied (what parsePlan returns): the schema's output type. */
export type Plan = Omit<z.output<typeof planSchema>, '$schema'>;
export type PlanSegment = Plan['segments'][number];
export type PlanOutput = Plan['output'];

/** One effect as written in a plan: its `type` and any of its parameters (the rest take their defaults). */
export type EffectInput = Loosened<EffectSpec>;
type Loosened<E> = E extends { type: string } ? { type: E['type'] } & Partial<Omit<E, 'type'>> : never;

/**
 * A plan as a user writes it (a plan file, or an object given to render()): the schema's input
 * type, where everything with a default may be left out. parsePlan turns it into a Plan.
 */
export type PlanInput = z.input<typeof planSchema>;
export type PlanSegmentInput = PlanInput['segments'][number];

/** Keys allowed in each kind of object, for did-you-mean hints on unknown keys. */
export const KNOWN_KEYS = {
  plan: Object.keys(planSchema.shape),
  subject: Object.keys(subjectSchema.shape),
  output: Object.keys(outputSchema.shape),
  segment: Object.keys(segmentSchema.shape),
  effect: (name: EffectName): string[] => ['type', ...Object.keys(EFFECTS[name].params)],
};

/** The JSON Schema (draft 2020-12) of a plan file as users write it (defaulted fields optional). */
export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(planSchema, { io: 'input' }) as Record<string, unknown>;
  return { $schema: schema.$schema, title: 'maskflow plan', ...schema };
}
