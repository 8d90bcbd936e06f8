// The planner options shared by `plan` and `render --planner`: one definition
// for parsing, validation and help text.
import { DEFAULT_OLLAMA_HOST, DEFAULT_OLLAMA_MODEL, DEFAULT_OLLAMA_TIMEOUT_MS } from '../plan/ollama.js';
import { checkPlannerOptions, PlannerOptionError, type PlannerOptions } from '../plan/planner.js';
import { UsageError } from './command.js';

export const PLANNER_OPTION_SPECS = {
  planner: { type: 'string' },
  'ollama-host': { type: 'string' },
  'ollama-model': { type: 'string' },
  'ollama-timeout': { type: 'string' },
  fallback: { type: 'string' },
} as const;

export const OLLAMA_OPTIONS_HELP = `  --ollama-host URL         Ollama server (default ${DEFAULT_OLLAMA_HOST})
  --ollama-model NAME       model to ask (default ${DEFAULT_OLLAMA_MODEL})
  --ollama-timeout SEC      seconds to wait per request (default ${DEFAULT_OLLAMA_TIMEOUT_MS / 1000})
  --fallback auto           if Ollama fails, use the automatic plan (with a warning)`;

export interface PlannerOptionValues {
  planner?: string;
  'ollama-host'?: string;
  'ollama-model'?: string;
  'ollama-timeout'?: string;
  fallback?: string;
  subject?: string;
}

/** A planner option's flag: ollamaHost → --ollama-host. */
const flag = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * Checks the planner options with the library's own check (the same rules and messages, spelled
 * as flags). Returns undefined when no planner was asked for and `defaultPlanner` is undefined.
 */
export function plannerOptions(values: PlannerOptionValues, defaultPlanner?: 'auto'): Omit<PlannerOptions, 'onWarning'> | undefined {
  const planner = values.planner ?? defaultPlanner;
  if (planner === undefined) {
    const ollamaOnly = (['ollama-host', 'ollama-model', 'ollama-timeout', 'fallback'] as const).find((k) => values[k] !== undefined);
    if (ollamaOnly) throw new UsageError(`--${ollamaOnly} only applies with --planner ollama`);
    return undefined;
  }
  const raw = values['ollama-timeout'];
  const ollamaTimeout = raw === undefined ? undefined : Number(raw);
  if (ollamaTimeout !== undefined && !(ollamaTimeout > 0 && ollamaTimeout <= 3600)) throw new UsageError(`--ollama-timeout must be seconds from 0 to 3600, got "${raw}"`);
  const options = {
    planner: planner as PlannerOptions['planner'],
    ollamaHost: values['ollama-host'],
    ollamaModel: values['ollama-model'],
    ollamaTimeout,
    fallback: values.fallback as PlannerOptions['fallback'],
    subject: values.subject,
  };
  try {
    checkPlannerOptions(options, flag);
  } catch (err) {
    if (err instanceof PlannerOptionError) throw new UsageError(err.message);
    throw err;
  }
  return options;
}
