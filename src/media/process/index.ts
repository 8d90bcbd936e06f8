// The one module that starts ffmpeg and ffprobe. Callers pass plain argument
// lists and get `{stdin, stdout, done}` handles; spawning, supervision (kill,
// reap, watchdog) and error messages live here, so the process layer can change
// without touching the stages.
import { spawnSync } from 'node:child_process';
import type { FfmpegPaths } from '../ffmpeg.js';
import { ProcessError, superviseProcess, type ProcessHandle, type SuperviseOptions } from './supervised.js';

export { ProcessError, DEFAULT_WATCHDOG_SECONDS, KILL_GRACE_MS, watchdogSecondsFromEnv, type ProcessHandle, type SuperviseOptions, type ProcessFailure } from './supervised.js';
export { adoptChild, killOrphanChild, liveProcesses, releaseChild, stopAll, takeChildrenRss, takePeakChildRss, watchChildren, type ChildInfo } from './supervisor.js';

const LOG_LEVEL = /^-(v|loglevel)$/;

/** Starts ffmpeg with `args` (quiet unless `args` sets -v/-loglevel; never reads the terminal). */
export function runFfmpeg(paths: FfmpegPaths, args: string[], options: SuperviseOptions): ProcessHandle {
  const quiet = args.some((a) => LOG_LEVEL.test(a)) ? [] : ['-v', 'error'];
  return superviseProcess('ffmpeg', paths.ffmpeg, ['-hide_banner', '-nostdin', ...quiet, ...args], options);
}

/** Starts ffprobe with `args` (quiet unless `args` sets -v/-loglevel). */
export function runFfprobe(paths: FfmpegPaths, args: string[], options: SuperviseOptions): ProcessHandle {
  const quiet = args.some((a) => LOG_LEVEL.test(a)) ? [] : ['-v', 'error'];
  return superviseProcess('ffprobe', paths.ffprobe, ['-hide_banner', ...quiet, ...args], { ...options, stdout: 'pipe' });
}

/** Runs ffmpeg to completion (output to files named in `args`). */
export function ffmpegToCompletion(paths: FfmpegPaths, args: string[], what: string): Promise<void> {
  return runFfmpeg(paths, args, { what }).done;
}

/** Runs ffprobe and returns everything it printed on stdout. */
export async function ffprobeOutput(paths: FfmpegPaths, args: string[], what: string): Promise<string> {
  const proc = runFfprobe(paths, args, { what });
  const chunks: Buffer[] = [];
  proc.stdout!.on('data', (c: Buffer) => chunks.push(c));
  await proc.done;
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a started process's stdout to the end. Resolves with it and, when the
 * process failed (non-zero exit, signal, watchdog), with that ProcessError:
 * for callers that fall back on a failure instead of giving up.
 */
export async function outputOrFailure(proc: ProcessHandle): Promise<{ stdout: string; failure?: ProcessError }> {
  const chunks: Buffer[] = [];
  proc.stdout?.on('data', (c: Buffer) => chunks.push(c));
  try {
    await proc.done;
    return { stdout: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    if (!(err instanceof ProcessError) || err.failure === 'spawn') throw err;
    return { stdout: Buffer.concat(chunks).toString('utf8'), failure: err };
  }
}

/** Runs ffprobe with `-of json` and parses what it printed. */
export async function ffprobeJson<T>(paths: FfmpegPaths, args: string[], what: string): Promise<T> {
  const text = await ffprobeOutput(paths, ['-of', 'json', ...args], what);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${what}: ffprobe printed something that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** First line of `<binary> -version`, or undefined when it does not run (a short, synchronous check). */
export function versionLine(binary: string): string | undefined {
  const out = spawnSync(binary, ['-version'], { encoding: 'utf8', timeout: 15000 });
  if (out.error || out.status !== 0) return undefined;
  return out.stdout.split('\n')[0] ?? '';
}
