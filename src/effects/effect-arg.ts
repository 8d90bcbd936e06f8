// The command-line form of one effect: `NAME[:KEY=VALUE,...]`, e.g.
// `blur-background:radius=40,feather=8`. Values are typed by the catalogue
// (numbers, true/false, strings); the plan schema then checks them, so names,
// limits and error messages are the plan's.
import { EFFECTS, type ParamSpec } from './catalog.js';

export interface EffectArg {
  name: string;
  params: Record<string, unknown>;
}

/** A syntax problem in an `--effect` value (the schema reports wrong names and values). */
export class EffectArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EffectArgError';
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function typed(spec: ParamSpec | undefined, raw: string): unknown {
  if (spec?.kind === 'number' && NUMBER.test(raw)) return Number(raw);
  if (spec?.kind === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw; // anything else stays a string: the schema says what was expected
}

export function parseEffectArg(text: string): EffectArg {
  const colon = text.indexOf(':');
  const name = (colon < 0 ? text : text.slice(0, colon)).trim();
  const params: Record<string, unknown> = {};
  if (colon < 0) return { name, params };
  const specs = Object.hasOwn(EFFECTS, name) ? (EFFECTS[name as keyof typeof EFFECTS].params as Record<string, ParamSpec>) : {};
  for (const part of text.slice(colon + 1).split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new EffectArgError(`--effect ${text}: "${part}" is not KEY=VALUE (e.g. ${name}:feather=8)`);
    const key = part.slice(0, eq).trim();
    if (Object.hasOwn(params, key)) throw new EffectArgError(`--effect ${text}: ${key} is given twice`);
    params[key] = typed(Object.hasOwn(specs, key) ? specs[key] : undefined, part.slice(eq + 1).trim());
  }
  return { name, params };
}

/** The effects section of `render --help`: every effect with its parameters and defaults, from the catalogue. */
export function effectsHelp(indent = '  '): string {
  const lines: string[] = [];
  for (const [name, info] of Object.entries(EFFECTS)) {
    lines.push(`${indent}${name}: ${info.description}`);
    for (const [key, spec] of Object.entries(info.params) as [string, ParamSpec][]) {
      lines.push(`${indent}    ${key.padEnd(9)} ${describe(spec)}`);
    }
  }
  return lines.join('\n');
}

function describe(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'number':
      return `${spec.min}-${spec.max}${spec.integer ? ' (whole)' : ''}, default ${spec.default}`;
    case 'boolean':
      return `true|false, default ${spec.default}`;
    case 'color':
      return `#rrggbb or #rgb, default ${spec.default}`;
    case 'image':
      return 'image file (optional)';
    case 'choice':
      return `${spec.values.join('|')}, default ${spec.default}`;
  }
}
