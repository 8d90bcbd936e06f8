// Which ffmpeg/ffprobe maskflow runs: an explicit path, then MASKFLOW_FFMPEG /
// MASKFLOW_FFPROBE, then the binaries shipped by @ffmpeg-installer/ffmpeg and
// @ffprobe-installer/ffprobe.
import { accessSync, chmodSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { versionLine } from './process/index.js';

const require = createRequire(import.meta.url);

export interface Binary {
  path: string;
  source: 'option' | 'env' | 'installer';
}

export interface BinaryInfo extends Binary {
  version: string;
}

export class BinaryNotFoundError extends Error {
  constructor(name: string, detail: string) {
    super(
      `${name} not found: ${detail}. Pass --ffmpeg DIR, set MASKFLOW_${name.toUpperCase()} to the binary, ` +
        `or reinstall maskflow so @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe are present.`,
    );
    this.name = 'BinaryNotFoundError';
  }
}

function checkExecutable(name: string, path: string): string {
  if (!existsSync(path)) throw new BinaryNotFoundError(name, `${path} does not exist`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    const st = statSync(path);
    const mine = process.getuid === undefined || st.uid === process.getuid();
    // Say exactly what to run: only the owner (or root) can change the mode.
    const fix = `${mine ? '' : 'sudo '}chmod a+rx '${path}'`;
    throw new BinaryNotFoundError(name, `${path} is not executable for this user (mode ${(st.mode & 0o777).toString(8)}, owner uid ${st.uid}); run: ${fix}`);
  }
  return path;
}

function fromInstaller(name: 'ffmpeg' | 'ffprobe'): string {
  const pkg = name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe';
  try {
    return (require(pkg) as { path: string }).path;
  } catch (err) {
    throw new BinaryNotFoundError(name, `${pkg} is not usable (${(err as Error).message.split('\n')[0]})`);
  }
}

/**
 * Resolves one binary. `dir` is the `--ffmpeg` option: a folder holding both
 * binaries, or the ffmpeg binary itself (ffprobe is then looked up beside it).
 */
export function resolveBinary(name: 'ffmpeg' | 'ffprobe', dir?: string, env: NodeJS.ProcessEnv = process.env): Binary {
  if (dir) return { path: checkExecutable(name, pathFromOption(name, dir)), source: 'option' };
  const envPath = env[name === 'ffmpeg' ? 'MASKFLOW_FFMPEG' : 'MASKFLOW_FFPROBE'];
  if (envPath) return { path: checkExecutable(name, envPath), source: 'env' };
  return { path: checkExecutable(name, ensureExecutable(fromInstaller(name))), source: 'installer' };
}

/**
 * @ffprobe-installer sets only its owner's exec bit (rwxr--r--), and only in a
 * postinstall script that `npm install --ignore-scripts` (and npm 11 by
 * default) skips. Add the exec bit wherever the read bit is, so a package
 * installed by root runs for every user; when we may not (not the owner),
 * checkExecutable says what to run.
 */
export function ensureExecutable(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    return path;
  }
  const wanted = mode | ((mode & 0o444) >> 2);
  if (wanted !== mode) {
    try {
      chmodSync(path, wanted);
    } catch {
      // Not ours to change: checkExecutable explains what to do if we cannot run it.
    }
  }
  return path;
}

function pathFromOption(name: 'ffmpeg' | 'ffprobe', option: string): string {
  const exe = process.platform === 'win32' ? `${name}.exe` : name;
  if (existsSync(option) && statSync(option).isDirectory()) return join(option, exe);
  // The ffmpeg binary itself: ffprobe is expected beside it.
  return name === 'ffmpeg' ? option : join(dirname(option), basename(option).replace('ffmpeg', 'ffprobe'));
}

/** Runs `<binary> -version` and returns the first line's version word. */
export function binaryVersion(path: string): string {
  const first = versionLine(path);
  if (first === undefined) return 'unknown';
  const m = /version\s+(\S+)/.exec(first);
  return m ? m[1] : first.trim();
}

export function describeBinary(name: 'ffmpeg' | 'ffprobe', dir?: string): BinaryInfo {
  const bin = resolveBinary(name, dir);
  return { ...bin, version: binaryVersion(bin.path) };
}
