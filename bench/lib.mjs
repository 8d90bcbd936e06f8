// Shared helpers for the benchmark suites (not a suite itself: bench.mjs skips
// files starting with "lib").
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const load = (p) => import(pathToFileURL(join(root, 'dist', p)).href);

/**
 * The fixture-model builders: test support, kept out of dist/ (test/fixture-models/), so they
 * are compiled on demand into build/fixture-models/ (a no-op when up to date).
 */
export async function loadFixtureModels() {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-ts.mjs'), '--fixture-models'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('could not compile test/fixture-models/ (see the errors above)');
  return import(pathToFileURL(join(root, 'build', 'fixture-models', 'write-fixtures.js')).href);
}

let clockTicks;
/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU milliseconds (user + sys) of every child this process has waited for,
 * grandchildren included when their parent waited for them (node reaps the
 * ffmpeg processes it spawns, and a child's worker threads count in its own
 * times). Read from /proc/self/stat (cutime, cstime); undefined elsewhere.
 */
export function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): cutime is field 16, cstime field 17.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/**
 * Runs a command to completion; returns its wall time and the CPU time of it
 * and all its descendants, in ms (throws on failure).
 */
export function measured(cmd, args, env) {
  const cpu0 = childrenCpuMs();
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: env ?? process.env });
  const ms = performance.now() - t;
  const cpu1 = childrenCpuMs();
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return { ms, cpuMs: cpu0 === undefined || cpu1 === undefined ? NaN : cpu1 - cpu0 };
}

/** Runs a command to completion and returns its wall time in ms (throws on failure). */
export function timed(cmd, args, env) {
  return measured(cmd, args, env).ms;
}

/** The 1-minute load average, rounded: quoted with every timing (the machine is shared). */
export const load1 = () => Math.round(loadavg()[0] * 100) / 100;

/** A temp folder removed when the process exits. */
export function scratchDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `maskflow-bench-${name}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Generates a test clip (red disc over a busy pattern) with the library's generator. */
export async function makeClip(dir, name, spec) {
  const { ffmpegPaths } = await load('media/ffmpeg.js');
  const { generateClip } = await load('media/demo-clip.js');
  const output = join(dir, name);
  await generateClip(ffmpegPaths(), { fps: '30', crf: 18, ...spec, output });
  return output;
}

/**
 * A clip that looks like a user's file: the generator's scene re-encoded with
 * `encode` (codec, GOP...) into `name`. Kept between runs in
 * MASKFLOW_BENCH_CLIPS (default: a folder in the temp dir), keyed by name,
 * since making a 4K or 60 s clip costs more than measuring it.
 */
export async function userClip(name, spec, encode) {
  const dir = process.env.MASKFLOW_BENCH_CLIPS ?? join(tmpdir(), 'maskflow-bench-clips-v1');
  mkdirSync(dir, { recursive: true });
  const output = join(dir, name);
  if (existsSync(output)) return output;
  const { ffmpegPaths } = await load('media/ffmpeg.js');
  const paths = ffmpegPaths();
  const work = mkdtempSync(join(dir, '.make-'));
  try {
    const source = await makeClip(work, 'source.mp4', { crf: 16, gopSeconds: 1, ...spec });
    const temp = join(work, name);
    timed(paths.ffmpeg, ['-v', 'error', '-y', '-i', source, '-an', ...encode, temp]);
    renameSync(temp, output);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return output;
}

/**
 * One `maskflow render` in its own process (so peak RSS is this render's),
 * returning wall time, CPU time (the render and its ffmpeg children) and the
 * report it wrote. MASKFLOW_BENCH_CLI runs another build's bin/maskflow.js
 * instead (e.g. main's, to measure a change before and after on one input).
 */
export function renderCli(input, dir, tag, args) {
  const report = join(dir, `report-${tag}.json`);
  const { ms, cpuMs } = measured(process.execPath, [
    process.env.MASKFLOW_BENCH_CLI ?? join(root, 'bin', 'maskflow.js'), 'render', input, '-o', join(dir, `render-${tag}.mp4`),
    ...(args.includes('--cache-dir') ? [] : ['--no-cache']), '--report', report, '-y', '--quiet', ...args,
  ]);
  return { ms, cpuMs, report: JSON.parse(readFileSync(report, 'utf8')) };
}

export const min = (xs) => Math.min(...xs);

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
