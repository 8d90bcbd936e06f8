// The Ollama planner: asks a local LLM for a plan through Ollama's /api/chat
// with structured output (`format` = the plan's JSON schema), validates the
// answer with the same schema plus the video's frame grid, retries once with
// the errors fed back, then fails clearly or falls back to the auto plan.
import { EFFECTS, EFFECT_NAMES, type ParamSpec } from '../effects/catalog.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { autoPlan } from './auto.js';
import { detectCuts, type CutDetection } from './cuts.js';
import { PlanError } from './errors.js';
import { parsePlan } from './parse.js';
import { formatFps, resolvePlan, roundSeconds, timeOf } from './resolve.js';
import { planJsonSchema, type Plan } from './schema.js';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_OLLAMA_MODEL = 'llama3.2';
/** Per request; a first request may have to load the model from disk. */
export const DEFAULT_OLLAMA_TIMEOUT_MS = 180_000;

export class OllamaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OllamaError';
  }
}

export interface OllamaPlanOptions {
  host?: string;
  model?: string;
  timeoutMs?: number;
  /** On any Ollama failure, use the automatic plan and add a warning. */
  fallback?: 'auto';
  subject?: string;
  /** Cuts already detected (otherwise detected here). */
  detection?: CutDetection;
  /** Aborting stops the cut detection or the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface OllamaPlanResult {
  plan: Plan;
  cuts: number[];
  /** Which planner produced `plan`. */
  planner: 'ollama' | 'auto';
  warnings: string[];
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** `127.0.0.1:11434` → `http://127.0.0.1:11434`; anything unparsable is a clear error. */
export function normalizeHost(host: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `http://${host}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new OllamaError(`--ollama-host "${host}" is not a URL; expected something like ${DEFAULT_OLLAMA_HOST}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OllamaError(`--ollama-host "${host}" must be an http:// or https:// URL`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** The JSON schema sent as `format` (the editor-only `$schema` key left out). */
export function ollamaFormat(): Record<string, unknown> {
  const schema = planJsonSchema() as { properties: Record<string, unknown> };
  const { $schema: _editorHint, ...properties } = schema.properties;
  return { ...schema, properties };
}

function describeParam(name: string, spec: ParamSpec): string {
  switch (spec.kind) {
    case 'number':
      return `${name}: ${spec.integer ? 'integer' : 'number'} ${spec.min}..${spec.max}, default ${spec.default} (${spec.description})`;
    case 'boolean':
      return `${name}: true/false, default ${spec.default} (${spec.description})`;
    case 'color':
      return `${name}: "#rrggbb", default "${spec.default}" (${spec.description})`;
    case 'image':
      return `${name}: file path, optional (${spec.description})`;
    case 'choice':
      return `${name}: one of ${spec.values.map((v) => `"${v}"`).join(', ')}, default "${spec.default}" (${spec.description})`;
  }
}

/** What the model is told: the video, its cuts, the catalogue and the rules. */
export function planningMessages(probe: Pick<ProbeInfo, 'width' | 'height' | 'fpsNum' | 'fpsDen' | 'frames'>, cuts: readonly number[], subject?: string): ChatMessage[] {
  const duration = roundSeconds(timeOf(probe.frames, probe));
  const catalogue = EFFECT_NAMES.map((name) => {
    const params = Object.entries(EFFECTS[name].params as Record<string, ParamSpec>).map(([p, spec]) => `      ${describeParam(p, spec)}`);
    return `  - "${name}": ${EFFECTS[name].description}\n${params.join('\n')}`;
  }).join('\n');
  const cutTimes = cuts.map((c) => roundSeconds(timeOf(c, probe)));
  const system = [
    'You plan video effects for maskflow, a tool that applies subject-aware effects to time ranges of a video.',
    'Answer with one JSON object only: a maskflow plan that follows the given JSON schema.',
    'Rules:',
    '- "version" is 1.',
    `- "segments" is a list of {"start", "end", "effects"}; times are seconds from 0 to ${duration}; end > start; segments must not overlap.`,
    '- Put segment boundaries on the detected cuts so each shot gets its own look; time not covered by a segment stays unchanged.',
    '- Use one to three effects per segment, only from the catalogue, with parameters inside their ranges.',
    '- Vary the looks between shots, and keep them tasteful.',
    'Effect catalogue ("type" and parameters):',
    catalogue,
  ].join('\n');
  const user = [
    `Video: ${duration} s, ${probe.frames} frames at ${formatFps(probe)}, ${probe.width}x${probe.height}.`,
    `Detected hard cuts (seconds): ${cutTimes.length ? cutTimes.join(', ') : 'none (a single shot)'}.`,
    `Subject to keep in focus: ${subject ?? 'choose a short description, e.g. "the main subject"'}.`,
    'Write the plan.',
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

function describeFetchFailure(err: unknown, host: string, model: string, timeoutMs: number): OllamaError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new OllamaError(
      `Ollama at ${host} did not answer within ${timeoutMs / 1000} s (model "${model}"); loading a model can be slow: try again or raise --ollama-timeout`,
    );
  }
  const code = e.cause?.code ?? e.cause?.message ?? e.message;
  return new OllamaError(`cannot reach Ollama at ${host} (${code}): is \`ollama serve\` running at ${host}?`);
}

/**
 * The assistant text of an /api/chat answer: one JSON object, or NDJSON
 * chunks (streaming) whose `message.content` pieces are joined. `response`
 * (the /api/generate field) is accepted too.
 */
export function answerContent(body: string, host: string): string {
  const lines = body.split('\n').map((l) => l.trim()).filter(Boolean);
  let content = '';
  let parsedAny = false;
  for (const line of lines) {
    let chunk: { message?: { content?: unknown }; response?: unknown; error?: unknown };
    try {
      chunk = JSON.parse(line) as typeof chunk;
    } catch {
      throw new OllamaError(`the server at ${host} did not answer like Ollama (not JSON: ${line.slice(0, 80)})`);
    }
    if (chunk.error !== undefined) throw new OllamaError(`Ollama at ${host} reported an error: ${errorText(chunk.error)}`);
    parsedAny = true;
    if (typeof chunk.message?.content === 'string') content += chunk.message.content;
    else if (typeof chunk.response === 'string') content += chunk.response;
  }
  if (!parsedAny) throw new OllamaError(`Ollama at ${host} sent an empty answer`);
  return content;
}

/** One /api/chat round trip; returns the assistant's text. */
export async function ollamaChat(
  host: string,
  model: string,
  messages: ChatMessage[],
  format: Record<string, unknown>,
  timeoutMs: number,
  interrupt?: AbortSignal,
): Promise<string> {
  const url = `${host}/api/chat`;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = interrupt ? AbortSignal.any([timeout, interrupt]) : timeout;
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages, format, stream: false, options: { temperature: 0 } }),
      signal,
    });
    body = await response.text();
  } catch (err) {
    // An interrupt is not an Ollama failure (no fallback plan for it).
    if (interrupt?.aborted) throw interrupt.reason;
    throw describeFetchFailure(err, host, model, timeoutMs);
  }
  if (!response.ok) {
    let detail = body.trim().slice(0, 200);
    try {
      const parsed = JSON.parse(body) as { error?: unknown };
      if (parsed.error !== undefined) detail = errorText(parsed.error);
    } catch {
      // not JSON: keep the raw text
    }
    if (response.status === 404 && /model/i.test(detail)) {
      throw new OllamaError(`Ollama at ${host} has no model "${model}" (${detail}): run \`ollama pull ${model}\` or pass --ollama-model`);
    }
    throw new OllamaError(`Ollama at ${host} answered HTTP ${response.status}: ${detail}`);
  }
  return answerContent(body, host);
}

/** Validates an answer against the schema and the video; returns the plan or the problems. */
export function checkAnswer(content: string, probe: Pick<ProbeInfo, 'fpsNum' | 'fpsDen' | 'frames'>): { plan: Plan } | { problems: string[] } {
  // Models sometimes wrap JSON in a Markdown fence despite the format.
  const text = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { problems: [`the answer is not valid JSON (${(err as Error).message})`] };
  }
  try {
    const plan = parsePlan(json, 'Ollama answer');
    resolvePlan(plan, probe, 'Ollama answer');
    return { plan };
  } catch (err) {
    if (err instanceof PlanError) return { problems: err.issues.map((i) => `${i.path || '(plan)'}: ${i.message}`) };
    throw err;
  }
}

/** Asks Ollama (one retry with the errors fed back); throws OllamaError when no valid plan comes. */
export async function requestOllamaPlan(
  probe: Pick<ProbeInfo, 'width' | 'height' | 'fpsNum' | 'fpsDen' | 'frames'>,
  cuts: readonly number[],
  options: Pick<OllamaPlanOptions, 'host' | 'model' | 'timeoutMs' | 'subject' | 'signal'> = {},
): Promise<Plan> {
  const host = normalizeHost(options.host ?? DEFAULT_OLLAMA_HOST);
  const model = options.model ?? DEFAULT_OLLAMA_MODEL;
  const timeoutMs = options.timeoutMs ?? DEFAULT_OLLAMA_TIMEOUT_MS;
  const format = ollamaFormat();
  const messages = planningMessages(probe, cuts, options.subject);
  let problems: string[] = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    const content = await ollamaChat(host, model, messages, format, timeoutMs, options.signal);
    const checked = checkAnswer(content, probe);
    if ('plan' in checked) return checked.plan;
    problems = checked.problems;
    messages.push(
      { role: 'assistant', content },
      {
        role: 'user',
        content: `That plan is invalid:\n${problems.map((p) => `- ${p}`).join('\n')}\nReply with the corrected complete plan as JSON only.`,
      },
    );
  }
  throw new OllamaError(
    `Ollama model "${model}" at ${host} gave no valid plan in 2 attempts; last problems:\n${problems.map((p) => `  ${p}`).join('\n')}`,
  );
}

/** The Ollama planner with cut detection and the optional fallback to the auto plan. */
export async function ollamaPlan(probe: ProbeInfo, paths: FfmpegPaths, options: OllamaPlanOptions = {}): Promise<OllamaPlanResult> {
  const detection = options.detection ?? (await detectCuts(probe, paths, {}, options.signal));
  try {
    const plan = await requestOllamaPlan(probe, detection.cuts, options);
    return { plan, cuts: detection.cuts, planner: 'ollama', warnings: [] };
  } catch (err) {
    if (!(err instanceof OllamaError) || options.fallback !== 'auto') throw err;
    const auto = await autoPlan(probe, paths, { subject: options.subject, detection });
    return {
      plan: auto.plan,
      cuts: auto.cuts,
      planner: 'auto',
      warnings: [`the Ollama planner failed, so the automatic plan is used instead: ${err.message}`],
    };
  }
}

/** Ollama sends `error` as a string; anything else is shown as JSON rather than [object Object]. */
function errorText(error: unknown): string {
  return typeof error === 'string' ? error : JSON.stringify(error);
}
