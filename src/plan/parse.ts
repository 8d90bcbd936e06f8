// Reading a plan: JSON text → validated, defaulted `Plan`, or one PlanError
// listing every problem with its JSON path.
import { dirname, isAbsolute, resolve } from 'node:path';
import { FileKindError, openRegularFile } from '../file-kind.js';
import { EFFECTS, EFFECT_NAMES, mapImagePath, maskEffectsAfterZoom, type EffectName } from '../effects/catalog.js';
import { EffectArgError, parseEffectArg, type EffectArg } from '../effects/effect-arg.js';
import { hint } from './did-you-mean.js';
import { describeIssue, formatPath, MAX_LISTED_PROBLEMS, PlanError, show, type PlanIssue } from './errors.js';
import { firstTooDeep, MAX_PLAN_DEPTH } from './json-limits.js';
import { parseSize, sizeProblem } from './output-format.js';
import { ASPECT_RATIO_RANGE, planSchema, type Plan } from './schema.js';

function segmentLabel(i: number, s: { start: number; end?: number }): string {
  return `segments[${i}] (${s.start}–${s.end === undefined ? 'end' : s.end} s)`;
}

/** The values checkPlan reads (a schema problem there means it leaves that value alone). */
const CHECKED_VALUE = /^(segments\[\d+\]\.(start|end)|output\.(aspect|size))$/;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalNumber = (v: unknown): v is number | undefined => v === undefined || typeof v === 'number';

/**
 * Checks the zod schema cannot express: reversed and overlapping segments, mask effects after zoom,
 * aspect ratio bounds, size against aspect. Reads the raw value, so it also runs when the schema
 * failed (the user then gets every problem in one round); a value the schema already reported
 * (its path in `reported`) is left to that report.
 */
function checkPlan(json: unknown, reported: ReadonlySet<string> = new Set()): PlanIssue[] {
  const issues: PlanIssue[] = [];
  if (!isRecord(json)) return issues;
  const flagged = (path: string): boolean => reported.has(path);
  type Checkable = { i: number; start: number; end?: number; types: string[] };
  const segments: Checkable[] = [];
  (Array.isArray(json.segments) ? (json.segments as unknown[]) : []).forEach((s, i) => {
    // A bad start or end is the schema's to report; anything else wrong in the segment does not hide an overlap.
    if (!isRecord(s) || typeof s.start !== 'number' || !optionalNumber(s.end) || flagged(`segments[${i}].start`) || flagged(`segments[${i}].end`)) return;
    const types = (Array.isArray(s.effects) ? (s.effects as unknown[]) : []).map((e) => (isRecord(e) && typeof e.type === 'string' ? e.type : ''));
    segments.push({ i, start: s.start, end: s.end, types });
  });
  const reversed = new Set<number>();
  for (const s of segments) {
    if (s.end !== undefined && s.end <= s.start) {
      reversed.add(s.i);
      issues.push({
        path: `segments[${s.i}]`,
        message: `end ${s.end} is ${s.end === s.start ? 'equal to' : 'before'} start ${s.start}; expected end > start (a segment is [start, end) in seconds)`,
      });
    }
  }
  for (const s of segments) {
    // The subject mask describes the un-zoomed frame, so mask effects cannot follow a zoom.
    for (const { index, zoomAt } of maskEffectsAfterZoom(s.types)) {
      issues.push({
        path: `segments[${s.i}].effects[${index}]`,
        message: `${show(s.types[index])} comes after "zoom" (effects[${zoomAt}]); effects that use the subject mask must come before zoom — move "zoom" to the end of the list`,
      });
    }
  }
  // Sorted by start: each segment must end where or before the next one starts (reversed ones are reported above).
  const order = segments.filter((s) => !reversed.has(s.i)).sort((a, b) => a.start - b.start || a.i - b.i);
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1];
    const cur = order[k];
    if (cur.start < (prev.end ?? Infinity)) {
      issues.push({ path: `segments[${cur.i}]`, message: `${segmentLabel(cur.i, cur)} overlaps ${segmentLabel(prev.i, prev)}; segments must not overlap` });
    }
  }
  const output = isRecord(json.output) ? json.output : {};
  const aspect = typeof output.aspect === 'string' && !flagged('output.aspect') ? output.aspect : 'source';
  if (aspect !== 'source') {
    const [w, h] = aspect.split(':').map(Number);
    if (w / h < ASPECT_RATIO_RANGE.min || w / h > ASPECT_RATIO_RANGE.max) {
      issues.push({ path: 'output.aspect', message: `${show(aspect)} is too extreme; expected a ratio between 1:4 and 4:1` });
    }
  }
  const sizeText = typeof output.size === 'string' && !flagged('output.size') ? output.size : undefined;
  const size = parseSize(sizeText);
  if (size) {
    const problem = sizeProblem(size);
    if (problem) issues.push({ path: 'output.size', message: `${show(sizeText)}: ${problem}` });
    else if (aspect !== 'source') {
      // The size's shape is the reframing aspect; a different one cannot also be honoured.
      const [w, h] = aspect.split(':').map(Number);
      if (Math.abs(w / h - size.width / size.height) > 0.01 * (size.width / size.height)) {
        issues.push({ path: 'output.aspect', message: `${show(aspect)} does not match output.size ${show(sizeText)} (${size.width}x${size.height}); the size alone sets the shape: leave out aspect or make them agree` });
      }
    }
  }
  return issues;
}

/**
 * Validates a parsed JSON value as a plan and applies defaults. `source`
 * names the file (or other origin) in error messages.
 */
export function parsePlan(json: unknown, source = 'plan'): Plan {
  const deep = firstTooDeep(json);
  if (deep) {
    throw new PlanError([{ path: formatPath(deep), message: `nested more than ${MAX_PLAN_DEPTH} levels deep (or refers to itself); a plan nests at most 5 levels` }], source);
  }
  const result = planSchema.safeParse(json);
  if (!result.success) {
    // Only the listed problems are described (a huge plan can have millions); the rest are counted.
    const described: PlanIssue[] = [];
    let total = 0;
    for (const issue of result.error.issues) {
      if (described.length < MAX_LISTED_PROBLEMS) {
        const found = describeIssue(issue, json);
        described.push(...found);
        total += found.length;
      } else {
        total += issue.code === 'unrecognized_keys' ? issue.keys.length : 1;
      }
    }
    // The semantic problems too, in the same round (only where the schema found nothing).
    const semantic = checkPlan(json, new Set(result.error.issues.filter((i) => i.path.length <= 3 && CHECKED_VALUE.test(formatPath(i.path))).map((i) => formatPath(i.path))));
    throw new PlanError([...described, ...semantic], source, total + semantic.length);
  }
  const { $schema: _editorHint, ...plan } = result.data;
  const issues = checkPlan(plan);
  if (issues.length) throw new PlanError(issues, source);
  return plan;
}

/** A plan that is not JSON at all (or is empty): a PlanError whose message points at the text. */
export class PlanSyntaxError extends PlanError {
  constructor(message: string, source: string) {
    super([{ path: '', message: message.startsWith(`${source}:`) ? message.slice(source.length + 1).trim() : message }], source);
    this.name = 'PlanSyntaxError';
    this.message = message;
  }
}

/** Lines longer than this are shown as a window around the error column. */
const MAX_LINE_SHOWN = 100;

/** `file:line:col` for a JSON.parse failure, with the offending line and a caret. */
function jsonSyntaxError(file: string, text: string, err: Error): PlanError {
  const m = /at position (\d+)/.exec(err.message);
  const atEnd = /end of JSON input/.test(err.message);
  const reason = err.message
    .replace(/\s*in JSON at position \d+.*$/s, '')
    .replace(/,\s*".*" is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'the text ends too early (missing } or ]?)')
    .slice(0, 200);
  // V8 names a position for most errors; "Unexpected token" sometimes comes without one.
  if (!m && !atEnd) return new PlanSyntaxError(`${file}: invalid JSON: ${reason}`, file);
  const pos = m ? Number(m[1]) : text.trimEnd().length;
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  let lineEnd = text.indexOf('\n', pos);
  if (lineEnd < 0) lineEnd = text.length;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
  const col = pos - lineStart + 1;
  // A minified plan is one long line: show only the part around the error.
  const from = lineEnd - lineStart > MAX_LINE_SHOWN ? Math.max(lineStart, pos - MAX_LINE_SHOWN / 2) : lineStart;
  const to = Math.min(lineEnd, from + MAX_LINE_SHOWN);
  const shown = `${from > lineStart ? '...' : ''}${text.slice(from, to).replace(/\t/g, ' ')}${to < lineEnd ? '...' : ''}`;
  const caret = `${' '.repeat(Math.max(0, pos - from + (from > lineStart ? 3 : 0)))}^`;
  return new PlanSyntaxError(`${file}:${line}:${col}: invalid JSON: ${reason}\n  ${shown}\n  ${caret}`, file);
}

/** Parses JSON text with errors that name the source and line/column. */
export function parsePlanText(text: string, source = 'plan'): Plan {
  if (text.trim() === '') throw new PlanSyntaxError(`${source}: the plan file is empty; expected a JSON object with "version": 1`, source);
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw jsonSyntaxError(source, text, err as Error);
  }
  return parsePlan(json, source);
}

/**
 * Reads and validates a plan file. A relative image path (`replace-background`'s
 * `image`) is taken relative to the plan file, so a plan and its image travel together.
 */
export async function readPlanFile(file: string): Promise<Plan> {
  let text: string;
  try {
    // Refuses FIFOs and devices without blocking: a FIFO plan would hang the run.
    const fh = await openRegularFile(file, 'plan file');
    try {
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new Error(`${file}: cannot read the plan file (${err instanceof FileKindError ? err.reason : (err as Error).message})`);
  }
  const plan = parsePlanText(text, file);
  const base = dirname(resolve(file));
  for (const segment of plan.segments) {
    segment.effects = segment.effects.map((effect) => mapImagePath(effect, (p) => (isAbsolute(p) ? p : resolve(base, p))));
  }
  return plan;
}

/**
 * A plan with one segment over the whole video and one effect (what
 * `render --effect NAME` uses). Params are validated like a plan file's.
 */
export function singleEffectPlan(arg: string, options: { subject?: string; params?: Record<string, unknown> } = {}): Plan {
  // `NAME` or `NAME:KEY=VALUE,...` (render --effect); the values are checked by the plan schema below.
  let parsed: EffectArg;
  try {
    parsed = parseEffectArg(arg);
  } catch (err) {
    if (err instanceof EffectArgError) throw new PlanError([{ path: 'effect', message: err.message }], '--effect');
    throw err;
  }
  const effect = parsed.name;
  if (!(effect in EFFECTS)) {
    const h = hint(effect, EFFECT_NAMES);
    throw new PlanError([{ path: 'effect', message: `${show(effect)} is not an effect${h || `; effects: ${EFFECT_NAMES.join(', ')}`}` }], '--effect');
  }
  return parsePlan(
    {
      version: 1,
      ...(options.subject !== undefined ? { subject: { prompt: options.subject } } : {}),
      segments: [{ start: 0, effects: [{ ...options.params, ...parsed.params, type: effect as EffectName }] }],
    },
    `--effect ${arg}`,
  );
}
