// Shared helpers for the benchmark suites (not a suite itself: bench.mjs skips
// files starting with "lib").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const load = (p) => import(pathToFileURL(join(root, 'dist', p)).href);

/** Runs a command to completion and returns its wall time in ms (throws on failure). */
export function timed(cmd, args, env) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: env ?? process.env });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return ms;
}

/** A temp folder removed when the process exits. */
export function scratchDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `maskflow-bench-${name}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Generates a test clip (red disc over a busy pattern) with the library's generator. */
export async function makeClip(dir, name, spec) {
  const { ffmpegPaths } = await load('media/ffmpeg.js');
  const { generateClip } = await load('media/test-clip.js');
  const output = join(dir, name);
  await generateClip(ffmpegPaths(), { fps: '30', crf: 18, ...spec, output });
  return output;
}

/**
 * One `maskflow render` in its own process (so peak RSS is this render's),
 * returning wall time and the report it wrote.
 */
export function renderCli(input, dir, tag, args) {
  const report = join(dir, `report-${tag}.json`);
  const ms = timed(process.execPath, [
    join(root, 'bin', 'maskflow.js'), 'render', input, '-o', join(dir, `render-${tag}.mp4`),
    ...(args.includes('--cache-dir') ? [] : ['--no-cache']), '--report', report, '-y', '--quiet', ...args,
  ]);
  return { ms, report: JSON.parse(readFileSync(report, 'utf8')) };
}

export const min = (xs) => Math.min(...xs);
