// Plan errors that name the JSON path, the value found and what was expected.
import type { z } from 'zod';
import { describeParam, EFFECTS, EFFECT_NAMES, type EffectName, type ParamSpec } from '../effects/catalog.js';
import { KEYFRAME_INTERVAL_RANGE } from '../media/keyframes.js';
import { hint } from './did-you-mean.js';
import { KNOWN_KEYS } from './schema.js';

export interface PlanIssue {
  /** JSON path such as `segments[1].effects[0].type` (empty for the whole plan). */
  path: string;
  message: string;
}

/** A message lists at most this many problems, then "... and N more": a huge bad plan must not print megabytes. */
export const MAX_LISTED_PROBLEMS = 20;

export class PlanError extends Error {
  /** The problems listed in the message (at most MAX_LISTED_PROBLEMS). */
  readonly issues: PlanIssue[];
  /** How many problems were found in all (may exceed issues.length). */
  readonly total: number;
  constructor(issues: PlanIssue[], source = 'plan', total = issues.length) {
    const listed = issues.slice(0, MAX_LISTED_PROBLEMS);
    const lines = listed.map((i) => `  ${i.path || '(plan)'}: ${i.message}`);
    if (total > listed.length) lines.push(`  ... and ${total - listed.length} more problem${total - listed.length === 1 ? '' : 's'} (fix these first)`);
    super(`${source}: invalid plan (${total} problem${total === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'PlanError';
    this.issues = listed;
    this.total = total;
  }
}

export type JsonPath = readonly PropertyKey[];

/** Keys longer than this are shortened in paths (a bogus key may be megabytes long). */
const MAX_KEY_SHOWN = 40;

export function formatPath(path: JsonPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
      continue;
    }
    const name = String(key);
    const shown = name.length > MAX_KEY_SHOWN ? `${name.slice(0, MAX_KEY_SHOWN - 3)}...` : name;
    out += out === '' ? shown : `.${shown}`;
  }
  return out;
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const SHOWN_CHARS = 60;

/**
 * A value as it would appear in JSON, shortened to 60 characters; NaN and
 * Infinity shown as such. Only as much of the value is visited as is shown,
 * so a huge or deeply nested value costs nothing (JSON.stringify of either
 * would take seconds or overflow the stack).
 */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = preview(value, SHOWN_CHARS + 1);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 3)}...` : text;
}

/** JSON-like text of `value`, stopping once `budget` characters are written. */
function preview(value: unknown, budget: number): string {
  let out = '';
  // Recursion depth is bounded by the budget: every level writes a character first.
  const write = (v: unknown): void => {
    if (out.length >= budget) return;
    switch (typeof v) {
      case 'string':
        out += JSON.stringify(v.length > budget ? v.slice(0, budget) : v);
        return;
      case 'number':
      case 'boolean':
      case 'bigint':
        out += String(v);
        return;
      case 'undefined':
        out += 'undefined';
        return;
      case 'symbol':
        out += v.toString();
        return;
      case 'function':
        out += 'a function';
        return;
    }
    if (v === null) {
      out += 'null';
      return;
    }
    if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && out.length < budget; i++) {
        if (i > 0) out += ',';
        write(v[i]);
      }
      out += ']';
      return;
    }
    if (v instanceof Date) {
      out += Number.isNaN(v.getTime()) ? 'an invalid date' : JSON.stringify(v.toISOString());
      return;
    }
    out += '{';
    let first = true;
    for (const key in v as object) {
      if (out.length >= budget) break;
      if (!Object.hasOwn(v as object, key)) continue;
      out += `${first ? '' : ','}${JSON.stringify(key.length > budget ? key.slice(0, budget) : key)}:`;
      first = false;
      write((v as Record<string, unknown>)[key]);
    }
    out += '}';
  };
  write(value);
  return out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The catalogue entry of an effect parameter at `path`, if the path is one. */
function effectParamAt(root: unknown, path: JsonPath): { effect: EffectName; param: string; spec: ParamSpec } | undefined {
  if (path.length !== 5 || path[0] !== 'segments' || path[2] !== 'effects') return undefined;
  const type = valueAt(root, [...path.slice(0, 4), 'type']);
  if (typeof type !== 'string' || !(type in EFFECTS)) return undefined;
  const params = EFFECTS[type as EffectName].params as Record<string, ParamSpec>;
  const param = String(path[4]);
  return params[param] ? { effect: type as EffectName, param, spec: params[param] } : undefined;
}

/** Keys the object at `path` may have, judged from where it sits and (for effects) its type. */
function knownKeysAt(root: unknown, path: JsonPath): string[] | undefined {
  if (path.length === 0) return KNOWN_KEYS.plan;
  if (path.length === 1 && path[0] === 'subject') return KNOWN_KEYS.subject;
  if (path.length === 1 && path[0] === 'output') return KNOWN_KEYS.output;
  if (path.length === 2 && path[0] === 'segments') return KNOWN_KEYS.segment;
  if (path.length === 4 && path[0] === 'segments' && path[2] === 'effects') {
    const type = valueAt(root, [...path, 'type']);
    return typeof type === 'string' && type in EFFECTS ? KNOWN_KEYS.effect(type as EffectName) : undefined;
  }
  return undefined;
}

const EXPECTED_AT: Record<string, string> = {
  version: 'the number 1',
  'subject.prompt': 'a non-empty text of at most 300 characters',
  'output.codec': 'an ffmpeg encoder name such as "libx264"',
  'output.crf': 'a whole number from 0 to 51',
  'output.aspect': '"source" or W:H such as "9:16", "1:1", "4:5"',
};

/** subject.seed.box is [x, y, w, h], point is [x, y]. */
const SEED_EXPECTED = ['x in input pixels, 0 or more', 'y in input pixels, 0 or more', "the box's width in input pixels, greater than 0", "the box's height in input pixels, greater than 0"];

function expectedAt(root: unknown, path: JsonPath): string | undefined {
  const param = effectParamAt(root, path);
  if (param) return describeParam(param.spec);
  const key = formatPath(path);
  if (EXPECTED_AT[key]) return EXPECTED_AT[key];
  const last = path[path.length - 1];
  if ((last === 'start' || last === 'end') && path[0] === 'segments') return 'a time in seconds, 0 or more';
  if (key === 'subject.keyframeInterval') return `seconds, from ${KEYFRAME_INTERVAL_RANGE.min} to ${KEYFRAME_INTERVAL_RANGE.max}`;
  const seed = /^subject\.seed\.(box|point)\[([0-3])\]$/.exec(key);
  if (seed) return SEED_EXPECTED[Number(seed[2])];
  return undefined;
}

/** Turns one zod issue into a message with path, value and expectation. */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown): PlanIssue[] {
  const path = issue.path;
  const value = valueAt(root, path);
  const where = formatPath(path);
  const expected = expectedAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(root, path) ?? [];
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: `unknown key ${show(key)}${hint(key, known) || (known.length ? `; allowed keys: ${known.join(', ')}` : '')}`,
      }));
    }
    case 'invalid_union': {
      if ((issue as { discriminator?: string }).discriminator === 'type') {
        if (value === undefined) return [{ path: where, message: `missing; expected an effect name: ${EFFECT_NAMES.join(', ')}` }];
        if (typeof value !== 'string') return [{ path: where, message: `${show(value)} is not an effect name; expected one of: ${EFFECT_NAMES.join(', ')}` }];
        const h = hint(value, EFFECT_NAMES);
        return [{ path: where, message: `${show(value)} is not an effect${h || `; effects: ${EFFECT_NAMES.join(', ')}`}` }];
      }
      return [{ path: where, message: `${show(value)} does not match any allowed form` }];
    }
    case 'invalid_value': {
      if (value === undefined) return [{ path: where, message: `missing; expected ${expected ?? `one of: ${issue.values.map((v) => show(v)).join(', ')}`}` }];
      if (path.length === 1 && path[0] === 'version') {
        return [{ path: where, message: `${show(value)} is not a supported plan version; this maskflow reads version 1` }];
      }
      const options = issue.values.map((v) => String(v));
      const h = typeof value === 'string' ? hint(value, options) : '';
      return [{ path: where, message: `${show(value)} is not allowed; expected one of: ${options.map((o) => `"${o}"`).join(', ')}${h}` }];
    }
    case 'invalid_type': {
      if (value === undefined) return [{ path: where, message: `missing; expected ${expected ?? issue.expected}` }];
      return [{ path: where, message: `${show(value)} is ${typeName(value)}; expected ${expected ?? issue.expected}` }];
    }
    case 'too_small':
    case 'too_big': {
      if (Array.isArray(value)) {
        const what = path[path.length - 1] === 'segments' ? 'segment' : 'item';
        return [{ path: where, message: `has ${value.length} ${what}s; expected at least ${String((issue as { minimum?: unknown }).minimum)}` }];
      }
      if (typeof value === 'string') {
        return [{ path: where, message: `${show(value)} has the wrong length; expected ${expected ?? 'a non-empty text'}` }];
      }
      const bound =
        issue.code === 'too_small'
          ? `${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}`
          : `${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
      return [{ path: where, message: `${show(value)} is out of range; expected ${expected ?? `a number ${bound}`}` }];
    }
    case 'invalid_format':
      return [{ path: where, message: `${show(value)} is not valid; expected ${expected ?? describeFormat(root, path)}` }];
    default:
      return [{ path: where, message: `${show(value)}: ${issue.message}${expected ? `; expected ${expected}` : ''}` }];
  }
}

function describeFormat(root: unknown, path: JsonPath): string {
  const param = effectParamAt(root, path);
  return param ? describeParam(param.spec) : 'a different format';
}
