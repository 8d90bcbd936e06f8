// The planner options shared by `plan` and `render --planner`: one definition
// for parsing, validation and help text.
import { DEFAULT_OLLAMA_HOST, DEFAULT_OLLAMA_MODEL, DEFAULT_OLLAMA_TIMEOUT_MS } from '../plan/ollama.js';
import type { PlannerOptions } from '../plan/planner.js';
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
}

/**
 * Checks the planner options. Returns undefined when no planner was asked for
 * and `defaultPlanner` is undefined.
 */
export function plannerOptions(values: PlannerOptionValues, defaultPlanner?: 'auto'): Omit<PlannerOptions, 'subject' | 'onWarning'> | undefined {
  const planner = values.planner ?? defaultPlanner;
  const ollamaOnly = (['ollama-host', 'ollama-model', 'ollama-timeout', 'fallback'] as const).filter((k) => values[k] !== undefined);
  if (planner === undefined) {
    if (ollamaOnly.length) throw new UsageError(`--${ollamaOnly[0]} only applies with --planner ollama`);
    return undefined;
  }
  if (planner !== 'auto' && planner !== 'ollama') throw new UsageError(`--planner must be "auto" or "ollama", got "${planner}"`);
  if (values.fallback !== undefined && values.fallback !== 'auto') throw new UsageError(`--fallback must be "auto", got "${values.fallback}"`);
  if (planner === 'auto' && ollamaOnly.length) throw new UsageError(`--${ollamaOnly[0]} only applies with --planner ollama`);
  let ollamaTimeout: number | undefined;
  if (values['ollama-timeout'] !== undefined) {
    ollamaTimeout = Number(values['ollama-timeout']);
    if (!(ollamaTimeout > 0 && ollamaTimeout <= 3600)) throw new UsageError(`--ollama-timeout must be seconds from 0 to 3600, got "${values['ollama-timeout']}"`);
  }
  return {
    planner,
    ollamaHost: values['ollama-host'],
    ollamaModel: values['ollama-model'],
    ollamaTimeout,
    fallback: values.fallback,
  };
}
