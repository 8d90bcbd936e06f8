// The shape every CLI command has, and what all commands share: the common
// flags (--quiet, --verbose, -y), numeric option checks (a bad value is a
// usage mistake, exit 2) and "-" as a file name meaning stdout.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { removeOnExit } from '../exit-cleanup.js';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Command {
  name: string;
  /** One line for `maskflow --help`. */
  summary: string;
  /** Full text for `maskflow <command> --help`; its first line is the synopsis the README repeats. */
  usage: string;
  run(args: string[], io: CliIO, context?: CommandContext): Promise<number>;
}

export interface CommandContext {
  /** Aborted on the first Ctrl-C or SIGTERM; long-running work stops and cleans up. */
  signal?: AbortSignal;
}

/** Exit codes after a signal, as shells report them: 128 + the signal number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

/** The reason an interrupted command stopped. */
export class InterruptError extends Error {
  constructor(readonly signal: StopSignal) {
    super(`interrupted (${signal})`);
    this.name = 'InterruptError';
  }
}

/** A user mistake on the command line: printed without a stack, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags every command accepts, with the same meaning everywhere. */
export const COMMON_OPTION_SPECS = {
  yes: { type: 'boolean', short: 'y' },
  quiet: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

export const COMMON_OPTIONS_HELP = `  -y, --yes                 overwrite existing output files
  --quiet                   no progress or informational lines (errors and warnings still print)
  --verbose                 more detail (the report summary, the tools used)`;

export interface CommonOptionValues {
  yes?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function checkCommonOptions(values: CommonOptionValues): void {
  if (values.quiet && values.verbose) throw new UsageError('--quiet and --verbose contradict each other');
}

/** The file name that means standard output. */
export const STDOUT = '-';

/** A number option within [min, max] (whole when `integer`), or a UsageError naming it. */
export function numberOption(name: string, value: string | undefined, range: { min: number; max: number; integer?: boolean; unit?: string }): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  const what = `${range.integer ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}${range.unit ? ` ${range.unit}` : ''}`;
  if ((range.integer && !Number.isInteger(n)) || n < range.min || n > range.max) throw new UsageError(`--${name} must be ${what}, got ${value}`);
  return n;
}

/**
 * Runs `produce` with a temp file name, then copies the finished file to
 * `io.stdout` (for `-o -`). Binary output is refused on a terminal. The temp
 * folder is removed whatever happens.
 */
export async function viaStdout<T>(io: CliIO, fileName: string, produce: (file: string) => Promise<T>): Promise<T> {
  if ((io.stdout as { isTTY?: boolean }).isTTY) throw new UsageError('refusing to write video to a terminal: redirect stdout (-o - > out.mp4) or give a file name');
  const dir = await mkdtemp(join(tmpdir(), 'maskflow-stdout-'));
  const forget = removeOnExit(dir);
  try {
    const file = join(dir, fileName);
    const result = await produce(file);
    await pipeline(createReadStream(file), io.stdout, { end: false });
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    forget();
  }
}
