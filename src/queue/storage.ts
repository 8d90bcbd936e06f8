// Where a queued render's files live. Every worker must see the input, the
// batch files and the output. The first store is a shared path (one folder
// here, a network filesystem in production) seen at the same path on every
// machine; the interface is what an S3-compatible store would implement
// (batch files uploaded after encoding, downloaded by the finish job).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';

/** What the submitter saw of the input: a worker checks it sees the same file. */
export interface InputIdentity {
  file: string;
  bytes: number;
  mtimeMs: number;
}

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

export interface RenderStorage {
  /** For messages and `status`: "shared path". */
  readonly kind: string;
  /** The folder (or key prefix) holding one render's batch files and atlas. */
  workDir(output: string, renderId: string): string;
  /** Throws a StorageError naming the file when this machine cannot read the input the submitter planned. */
  checkInput(input: InputIdentity, worker: string): Promise<void>;
  /** Throws when this machine cannot write into the output's folder. */
  checkOutputFolder(output: string, worker: string): Promise<void>;
  /** Final path of batch `index` (what the finish job joins). */
  batchFile(workDir: string, index: number): string;
  /** A path unique to one attempt, renamed to the batch file only once complete. */
  attemptFile(workDir: string, index: number, attempt: string): string;
  /** Makes a completed attempt the batch file (atomic: a reader sees the old file or the new one). */
  commitBatch(attemptFile: string, batchFile: string): Promise<void>;
  putBlob(workDir: string, name: string, bytes: Uint8Array): Promise<string>;
  getBlob(location: string): Promise<Uint8Array>;
  /** SHA-256 (hex) and size of a stored file, or undefined when it does not exist. */
  fingerprint(location: string): Promise<{ sha256: string; bytes: number } | undefined>;
  writeJson(location: string, value: unknown): Promise<void>;
  readJson<T>(location: string): Promise<T | undefined>;
  remove(location: string): Promise<void>;
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

export class SharedPathStorage implements RenderStorage {
  readonly kind = 'shared path';

  workDir(output: string, renderId: string): string {
    // Beside the output: on the same filesystem, so the finish job's rename is atomic.
    return join(dirname(output), `.${basename(output)}.maskflow-queue-${renderId}`);
  }

  async checkInput(input: InputIdentity, worker: string): Promise<void> {
    let s;
    try {
      await access(input.file, constants.R_OK);
      s = await stat(input.file);
    } catch (err) {
      throw new StorageError(
        `worker ${worker} cannot read the input ${input.file} (${code(err)}): every worker must see the input at the same path as the machine that submitted the render (a shared folder or network filesystem)`,
      );
    }
    if (s.size !== input.bytes || Math.abs(s.mtimeMs - input.mtimeMs) > 1) {
      throw new StorageError(
        `worker ${worker} sees a different ${input.file} than the submitter planned (${s.size} bytes, modified ${new Date(s.mtimeMs).toISOString()}; ` +
          `expected ${input.bytes} bytes, modified ${new Date(input.mtimeMs).toISOString()}): the input changed after submission, or this machine's path names another file; submit the render again`,
      );
    }
  }

  async checkOutputFolder(output: string, worker: string): Promise<void> {
    try {
      await access(dirname(output), constants.W_OK);
    } catch (err) {
      throw new StorageError(`worker ${worker} cannot write into the output folder ${dirname(output)} (${code(err)}): it must be on storage every worker sees`);
    }
  }

  batchFile(workDir: string, index: number): string {
    return join(workDir, `batch-${String(index).padStart(5, '0')}.mp4`);
  }

  attemptFile(workDir: string, index: number, attempt: string): string {
    return join(workDir, `.batch-${String(index).padStart(5, '0')}.${attempt}.mp4`);
  }

  async commitBatch(attemptFile: string, batchFile: string): Promise<void> {
    await rename(attemptFile, batchFile);
  }

  async putBlob(workDir: string, name: string, bytes: Uint8Array): Promise<string> {
    await mkdir(workDir, { recursive: true });
    const file = join(workDir, name);
    await writeFileAtomic(file, bytes);
    return file;
  }

  async getBlob(location: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(location));
    } catch (err) {
      throw new StorageError(`cannot read ${location} (${code(err)}): every worker must see the render's folder at the same path`);
    }
  }

  async fingerprint(location: string): Promise<{ sha256: string; bytes: number } | undefined> {
    let bytes: number;
    try {
      bytes = (await stat(location)).size;
    } catch {
      return undefined;
    }
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(location)) hash.update(chunk as Buffer);
    return { sha256: hash.digest('hex'), bytes };
  }

  async writeJson(location: string, value: unknown): Promise<void> {
    await writeFileAtomic(location, `${JSON.stringify(value)}\n`);
  }

  async readJson<T>(location: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(location, 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  async remove(location: string): Promise<void> {
    await rm(location, { recursive: true, force: true });
  }
}

export async function inputIdentity(file: string): Promise<InputIdentity> {
  const s = await stat(file);
  return { file, bytes: s.size, mtimeMs: s.mtimeMs };
}
