// On-disk cache of analysis results. An entry is trusted only when its
// magic, format version, checksum, full key and atlas all check out; anything
// else is reported and recomputed. Writes go to a temp file and are renamed
// into place, so a crash never leaves a half-written entry under the real name.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { describeKind } from '../file-kind.js';
import { readAtlas } from './atlas.js';

export const CACHE_FORMAT_VERSION = 1;
const MAGIC = Buffer.from('MFCACHE\0', 'latin1');
const CHECKSUM_BYTES = 32;
/** Files up to this size are hashed whole; bigger ones by size + first/middle/last chunks. */
export const FULL_HASH_LIMIT = 64 * 1024 * 1024;
export const SAMPLE_CHUNK = 4 * 1024 * 1024;

/** `MASKFLOW_CACHE_DIR`, else `$XDG_CACHE_HOME/maskflow`, else `~/.cache/maskflow`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MASKFLOW_CACHE_DIR) return env.MASKFLOW_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'maskflow');
  return join(homedir(), '.cache', 'maskflow');
}

/**
 * Content hash of a file. Small files are hashed whole. Big files (videos,
 * CLIP weights) hash their size and three 4 MiB chunks (start, middle, end):
 * fast on multi-GB inputs, and any re-encode or trim changes them, but an edit
 * that keeps the size and touches none of those chunks would be missed.
 */
export async function hashFile(file: string, what = 'file'): Promise<string> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error(`not a regular file: ${describeKind(st)}`);
    size = st.size;
  } catch (err) {
    throw new Error(`${what} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const h = createHash('sha256');
  if (size <= FULL_HASH_LIMIT) {
    for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
    return `full:${h.digest('hex')}`;
  }
  h.update(`size:${size}`);
  const fh = await open(file, 'r');
  try {
    for (const start of [0, Math.floor(size / 2 - SAMPLE_CHUNK / 2), size - SAMPLE_CHUNK]) {
      const buf = Buffer.alloc(SAMPLE_CHUNK);
      const { bytesRead } = await fh.read(buf, 0, SAMPLE_CHUNK, start);
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return `sampled:${h.digest('hex')}`;
}

/** Hash of a model path: a file, or a folder (CLIP) hashed as its sorted file list with contents. */
export async function hashModelPath(path: string, what: string): Promise<string> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new Error(`${what} ${path}: no such file or folder`);
  }
  if (st.isFile()) return hashFile(path, what);
  // Not "ENOTDIR ... scandir" for a FIFO or /dev/zero: name what it is.
  if (!st.isDirectory()) throw new Error(`${what} ${path}: not a regular file or folder: ${describeKind(st)}`);
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  await walk(path);
  files.sort();
  const h = createHash('sha256');
  for (const f of files) h.update(`${relative(path, f)}\0${await hashFile(f, what)}\0`);
  return `dir:${h.digest('hex')}`;
}

/** Everything an analysis result depends on. */
export interface CacheKeyParts {
  input: string;
  models: Record<string, string>;
  prompt: string | null;
  params: Record<string, number | string>;
}

export function cacheKey(parts: CacheKeyParts): string {
  const canonical = JSON.stringify(parts, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export interface CacheEntry<M> {
  meta: M;
  atlas: Uint8Array;
}

export type CacheLookup<M> = { status: 'hit'; entry: CacheEntry<M> } | { status: 'miss' } | { status: 'invalid'; problem: string };

export function cacheFile(dir: string, key: string): string {
  return join(dir, `analysis-${key}.mfcache`);
}

function checksum(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Layout: magic(8) | u32 version | u32 json length | json | atlas | sha256 of everything before. */
export function encodeEntry<M>(key: string, parts: CacheKeyParts, entry: CacheEntry<M>, version = CACHE_FORMAT_VERSION): Buffer {
  const json = Buffer.from(JSON.stringify({ key, parts, meta: entry.meta, atlasBytes: entry.atlas.byteLength }));
  const head = Buffer.alloc(8);
  head.writeUInt32LE(version, 0);
  head.writeUInt32LE(json.length, 4);
  const body = Buffer.concat([MAGIC, head, json, Buffer.from(entry.atlas.buffer, entry.atlas.byteOffset, entry.atlas.byteLength)]);
  return Buffer.concat([body, checksum(body)]);
}

export function decodeEntry<M>(bytes: Buffer, key: string): CacheEntry<M> {
  const min = MAGIC.length + 8 + CHECKSUM_BYTES;
  if (bytes.length < min) throw new Error(`truncated (${bytes.length} bytes)`);
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a maskflow cache file (bad magic)');
  const version = bytes.readUInt32LE(MAGIC.length);
  if (version !== CACHE_FORMAT_VERSION) throw new Error(`stale format version ${version} (this maskflow writes ${CACHE_FORMAT_VERSION})`);
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  if (!checksum(body).equals(bytes.subarray(bytes.length - CHECKSUM_BYTES))) throw new Error('checksum mismatch (corrupt file)');
  const jsonLength = bytes.readUInt32LE(MAGIC.length + 4);
  const jsonStart = MAGIC.length + 8;
  if (jsonStart + jsonLength > body.length) throw new Error('header length runs past the end');
  const header = JSON.parse(body.subarray(jsonStart, jsonStart + jsonLength).toString('utf8')) as { key: string; meta: M; atlasBytes: number };
  if (header.key !== key) throw new Error('key mismatch (entry belongs to other input, models or parameters)');
  const atlasStart = jsonStart + jsonLength;
  if (body.length - atlasStart !== header.atlasBytes) throw new Error(`atlas is ${body.length - atlasStart} bytes, header says ${header.atlasBytes}`);
  // Copy into shared memory: render workers read this buffer without a copy.
  const atlas = new Uint8Array(new SharedArrayBuffer(header.atlasBytes));
  atlas.set(body.subarray(atlasStart));
  readAtlas(atlas);
  return { meta: header.meta, atlas };
}

/**
 * Looks an entry up. Never throws: an unreadable, corrupt, stale or
 * malformed entry (`checkMeta` returns a problem) is `invalid`, and the
 * caller recomputes and overwrites it.
 */
export async function readCache<M>(dir: string, key: string, checkMeta?: (meta: unknown, atlas: Uint8Array) => string | undefined): Promise<CacheLookup<M>> {
  const file = cacheFile(dir, key);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'miss' };
    // ENOTDIR: the cache folder itself is a file; treated as a miss here, the write reports it.
    if (code === 'ENOTDIR') return { status: 'miss' };
    return { status: 'invalid', problem: `${file}: unreadable (${code === 'EISDIR' ? 'it is a folder' : (err as Error).message})` };
  }
  try {
    const entry = decodeEntry<M>(bytes, key);
    const problem = checkMeta?.(entry.meta, entry.atlas);
    if (problem) return { status: 'invalid', problem: `${file}: bad metadata (${problem})` };
    return { status: 'hit', entry };
  } catch (err) {
    return { status: 'invalid', problem: `${file}: ${(err as Error).message}` };
  }
}

/**
 * Writes (or replaces) an entry. Throws on failure (full disk, read-only
 * folder, cache path that is a file); callers treat that as a warning. An
 * entry path taken by a folder is removed first, so a bad entry cannot
 * block every later run.
 */
export async function writeCache<M>(dir: string, key: string, parts: CacheKeyParts, entry: CacheEntry<M>): Promise<string> {
  const file = cacheFile(dir, key);
  try {
    await mkdir(dir, { recursive: true });
    const st = await lstat(file).catch(() => undefined);
    if (st && !st.isFile()) await rm(file, { recursive: true, force: true });
    await writeFileAtomic(file, encodeEntry(key, parts, entry));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOSPC' ? 'disk full' : code === 'EEXIST' || code === 'ENOTDIR' ? `${dir} is not a folder` : code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? 'no permission to write there' : (err as Error).message;
    throw new Error(`could not write the analysis cache entry ${file} (${why}${code && !why.includes(code) ? `, ${code}` : ''})`);
  }
  return file;
}
