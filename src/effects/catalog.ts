// The effect catalogue: every effect's name, parameters, ranges and defaults.
// One source of truth for the plan schema (src/plan), the native wrapper's
// validation (src/native) and the Ollama planner's prompt.

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
  default?: string;
  description: string;
}
export interface PathParam {
  kind: 'path';
  description: string;
}
export type ParamSpec = NumberParam | BooleanParam | ColorParam | PathParam;

export interface EffectInfo {
  description: string;
  params: Record<string, ParamSpec>;
}

const feather: NumberParam = {
  kind: 'number',
  min: 0,
  max: 64,
  default: 6,
  integer: true,
  description: 'soft edge width of the subject mask, in output pixels',
};

export const EFFECTS = {
  'blur-background': {
    description: 'blur everything but the subject',
    params: {
      radius: { kind: 'number', min: 1, max: 200, default: 24, description: 'blur radius in pixels at full resolution' },
      feather,
    },
  },
  'grayscale-background': {
    description: 'colour splash: the background loses its colour, the subject keeps it',
    params: {
      amount: { kind: 'number', min: 0, max: 1, default: 1, description: '1 = fully grey background' },
      feather,
    },
  },
  'dim-background': {
    description: 'spotlight: the background is darkened',
    params: {
      amount: { kind: 'number', min: 0, max: 1, default: 0.6, description: 'fraction of brightness removed' },
      feather,
    },
  },
  'replace-background': {
    description: 'replace the background by a solid colour or a still image',
    params: {
      color: { kind: 'color', default: '#00b140', description: 'background colour, #rrggbb' },
      image: { kind: 'path', description: 'still image scaled to the frame (overrides color)' },
      feather,
    },
  },
  vignette: {
    description: 'darken the frame edges',
    params: {
      strength: { kind: 'number', min: 0, max: 1, default: 0.35, description: 'darkening at the corners' },
      radius: { kind: 'number', min: 0.1, max: 2, default: 0.75, description: 'where darkening starts, as a fraction of the half-diagonal' },
    },
  },
  zoom: {
    description: 'punch-in: crop around the subject and scale back to the frame',
    params: {
      factor: { kind: 'number', min: 1, max: 4, default: 1.25, description: 'zoom factor' },
      follow: { kind: 'boolean', default: true, description: 'centre on the subject (false: frame centre)' },
    },
  },
} as const satisfies Record<string, EffectInfo>;

export type EffectName = keyof typeof EFFECTS;
export const EFFECT_NAMES = Object.keys(EFFECTS) as EffectName[];

/** A fully resolved effect: every parameter present and in range. */
export type EffectSpec =
  | { type: 'blur-background'; radius: number; feather: number }
  | { type: 'grayscale-background'; amount: number; feather: number }
  | { type: 'dim-background'; amount: number; feather: number }
  | { type: 'replace-background'; color: string; image?: string; feather: number }
  | { type: 'vignette'; strength: number; radius: number }
  | { type: 'zoom'; factor: number; follow: boolean };

/** Effects that read the subject mask: those with a feather (all but vignette and zoom). */
export const MASK_EFFECTS: ReadonlySet<string> = new Set(EFFECT_NAMES.filter((name) => 'feather' in EFFECTS[name].params));

/**
 * Mask effects listed after the first zoom, which the addon refuses: the mask
 * describes the un-zoomed frame. Each with its index and the zoom's.
 */
export function maskEffectsAfterZoom(types: readonly string[]): { index: number; zoomAt: number }[] {
  const zoomAt = types.indexOf('zoom');
  if (zoomAt < 0) return [];
  return types.flatMap((type, index) => (index > zoomAt && MASK_EFFECTS.has(type) ? [{ index, zoomAt }] : []));
}
