// The effect catalogue: the one declaration of every effect — its name, its
// parameters (kind, range, default), whether it reads the subject mask, takes
// an image or reframes the picture. Everything else derives from it: the TS
// types below, the plan schema (src/plan), the native wrapper's checks
// (src/native), the Ollama planner's prompt, `render --help`, and the C++
// header native/src/effect_catalog.h (scripts/make-effect-catalog.mjs).
// Adding an effect: docs/adding-an-effect.md.

export interface NumberParam {
  kind: 'number';
  min: number;
  max: number;
  default: number;
  integer?: boolean;
  description: string;
}
export interface BooleanParam {
  kind: 'boolean';
  default: boolean;
  description: string;
}
export interface ColorParam {
  kind: 'color';
  default: string;
  description: string;
}
/** A still image file, optional; decoded to one yuv420p frame of the video's size before the addon sees it. */
export interface ImageParam {
  kind: 'image';
  description: string;
}
export interface ChoiceParam {
  kind: 'choice';
  values: readonly string[];
  default: string;
  description: string;
}
export type ParamSpec = NumberParam | BooleanParam | ColorParam | ImageParam | ChoiceParam;

export interface EffectInfo {
  description: string;
  /** Reads the subject mask (then it must come before any effect that reframes). */
  usesMask: boolean;
  /** Moves pixels (a crop and resample): after it the mask no longer describes the frame. */
  reframes: boolean;
  params: Record<string, ParamSpec>;
}

/** `#rrggbb` or `#rgb`: what the plan schema and the addon's colour conversion both accept. */
export const COLOR_PATTERN = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

const feather = {
  kind: 'number',
  min: 0,
  max: 64,
  default: 6,
  integer: true,
  description: 'soft edge width of the subject mask, in output pixels (inside the subject, so no original background shows around it)',
} as const satisfies NumberParam;

export const EFFECTS = {
  'blur-background': {
    description: 'blur everything but the subject',
    usesMask: true,
    reframes: false,
    params: {
      radius: { kind: 'number', min: 1, max: 200, default: 24, description: 'blur radius in pixels at full resolution' },
      feather,
    },
  },
  'grayscale-background': {
    description: 'colour splash: the background loses its colour, the subject keeps it',
    usesMask: true,
    reframes: false,
    params: {
      amount: { kind: 'number', min: 0, max: 1, default: 1, description: '1 = fully grey background' },
      feather,
    },
  },
  'dim-background': {
    description: 'spotlight: the background is darkened',
    usesMask: true,
    reframes: false,
    params: {
      amount: { kind: 'number', min: 0, max: 1, default: 0.6, description: 'fraction of brightness removed' },
      feather,
    },
  },
  'replace-background': {
    description: 'replace the background by a solid colour or a still image',
    usesMask: true,
    reframes: false,
    params: {
      color: { kind: 'color', default: '#00b140', description: 'background colour, #rrggbb or #rgb (with an image: the bars around a contained image)' },
      image: { kind: 'image', description: 'still image used as the background (overrides color)' },
      fit: {
        kind: 'choice',
        values: ['cover', 'contain', 'stretch'],
        default: 'cover',
        description: 'how the image fills the frame: cover (crop, keep aspect), contain (bars of color), stretch',
      },
      feather,
    },
  },
  'pixelate-background': {
    description: 'mosaic: the background becomes blocks of flat colour, the subject stays sharp',
    usesMask: true,
    reframes: false,
    params: {
      size: { kind: 'number', min: 2, max: 256, default: 16, integer: true, description: 'mosaic block size in output pixels' },
      feather,
    },
  },
  vignette: {
    description: 'darken the frame edges',
    usesMask: false,
    reframes: false,
    params: {
      strength: { kind: 'number', min: 0, max: 1, default: 0.35, description: 'darkening at the corners' },
      radius: { kind: 'number', min: 0.1, max: 2, default: 0.75, description: 'where darkening starts, as a fraction of the half-diagonal' },
    },
  },
  zoom: {
    description: 'punch-in: crop around the subject and scale back to the frame',
    usesMask: false,
    reframes: true,
    params: {
      factor: { kind: 'number', min: 1, max: 4, default: 1.25, description: 'zoom factor' },
      follow: { kind: 'boolean', default: true, description: 'centre on the subject (false: frame centre)' },
    },
  },
} as const satisfies Record<string, EffectInfo>;

export type EffectName = keyof typeof EFFECTS;
export const EFFECT_NAMES = Object.keys(EFFECTS) as EffectName[];

type Params<N extends EffectName> = (typeof EFFECTS)[N]['params'];
type ValueOf<P> = P extends { kind: 'number' } ? number
  : P extends { kind: 'boolean' } ? boolean
  : P extends { kind: 'choice'; values: readonly (infer V)[] } ? V
  : string;
type OptionalKeys<P> = { [K in keyof P]: P[K] extends { kind: 'image' } ? K : never }[keyof P];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type SpecOf<N extends EffectName> = Simplify<
  { type: N } & { [K in Exclude<keyof Params<N>, OptionalKeys<Params<N>>>]: ValueOf<Params<N>[K]> } & {
    [K in OptionalKeys<Params<N>>]?: ValueOf<Params<N>[K]>;
  }
>;

/** A fully resolved effect: every parameter present and in range (images optional). Derived from EFFECTS. */
export type EffectSpec = { [N in EffectName]: SpecOf<N> }[EffectName];

const info = (type: string): EffectInfo | undefined => (Object.hasOwn(EFFECTS, type) ? (EFFECTS as Record<string, EffectInfo>)[type] : undefined);

/** The image parameters of an effect type (empty for unknown types). */
export function imageParams(type: string): string[] {
  const i = info(type);
  return i ? Object.entries(i.params).flatMap(([k, p]) => (p.kind === 'image' ? [k] : [])) : [];
}

/** The image file an effect uses, if any (at most one image parameter per effect). */
export function imageOf(effect: EffectSpec): string | undefined {
  const [key] = imageParams(effect.type);
  const value = key === undefined ? undefined : (effect as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/** The same effect with its image path (if any) passed through `map`. */
export function mapImagePath<E extends EffectSpec>(effect: E, map: (path: string) => string): E {
  const [key] = imageParams(effect.type);
  const value = key === undefined ? undefined : (effect as Record<string, unknown>)[key];
  return typeof value === 'string' ? { ...effect, [key]: map(value) } : effect;
}

/**
 * The order rule, stated once: an effect that reads the subject mask cannot
 * come after one that reframes (zoom), because the mask describes the
 * un-reframed frame. Returns each offending index with the reframing effect's.
 */
export function maskEffectsAfterZoom(types: readonly string[]): { index: number; zoomAt: number }[] {
  const zoomAt = types.findIndex((type) => info(type)?.reframes === true);
  if (zoomAt < 0) return [];
  return types.flatMap((type, index) => (index > zoomAt && info(type)?.usesMask === true ? [{ index, zoomAt }] : []));
}

/** One line per parameter kind, for help texts and error hints. */
export function describeParam(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'number':
      return `${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max} (default ${spec.default})`;
    case 'boolean':
      return `true or false (default ${spec.default})`;
    case 'color':
      return `a colour "#rrggbb" or "#rgb" (default "${spec.default}")`;
    case 'image':
      return 'an image file path (optional)';
    case 'choice':
      return `one of ${spec.values.join(', ')} (default ${spec.default})`;
  }
}
