// Resume: the run directory's manifest lists every finished batch file with
// its sha256 and frame counts, under a hash of everything that decides a
// batch's bytes (input content, batch jobs with their effects, encoder and
// frame ranges, the mask atlas, maskflow's version and ffmpeg). A render
// killed part-way and started again with the same settings takes its run
// directory over and reuses the batch files that are still intact (hash
// matches, the file probes with the right frame count); it renders the rest.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import { probe } from '../media/probe.js';
import { hashFile } from '../vision/cache.js';
import { packageVersion } from '../version.js';
import type { BatchJob, BatchResult } from './job.js';
import { writeFileAtomic } from '../atomic-write.js';
import { LOCK_FILE } from './run-dir.js';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestBatch {
  batch: number;
  startFrame: number;
  endFrame: number;
  /** File name inside the run directory. */
  file: string;
  sha256: string;
  /** Frames decoded from the input, and frames in the file (they differ when the frame rate changes). */
  frames: number;
  written: number;
}

export interface Manifest {
  version: 1;
  settings: string;
  batches: ManifestBatch[];
}

/** The hash a batch file is valid under: any change to what the batches would produce changes it. */
export async function settingsHash(jobs: BatchJob[], atlas: Uint8Array, input: string): Promise<string> {
  const h = createHash('sha256');
  h.update(`maskflow ${packageVersion()}\n`);
  h.update(`input ${await hashFile(input, 'the input')}\n`);
  h.update(`atlas ${createHash('sha256').update(atlas).digest('hex')}\n`);
  // Where a batch's file goes and which try it is do not change its bytes.
  const plain = [...jobs].sort((a, b) => a.batch - b.batch).map(({ outFile: _file, attempt: _attempt, ...job }) => job);
  h.update(JSON.stringify(plain));
  return h.digest('hex');
}

export async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Partial<Manifest>;
    if (m.version !== 1 || typeof m.settings !== 'string' || !Array.isArray(m.batches)) return undefined;
    return m as Manifest;
  } catch {
    return undefined; // missing or torn: nothing to resume
  }
}

async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * The manifest's batches that can be used as they are for `jobs`: same frame
 * range and file name, the file's sha256 as recorded, and a probe of it finds
 * the recorded frame count. Everything else in the folder (a half-written
 * batch, a temp output of the dead run's join) is removed.
 */
export async function reusableBatches(dir: string, manifest: Manifest, jobs: BatchJob[], paths: FfmpegPaths): Promise<Map<number, ManifestBatch>> {
  const kept = new Map<number, ManifestBatch>();
  for (const job of jobs) {
    const entry = manifest.batches.find((b) => b.batch === job.batch);
    if (!entry || entry.startFrame !== job.startFrame || entry.endFrame !== job.endFrame || entry.file !== basename(job.outFile)) continue;
    try {
      if ((await fileSha256(job.outFile)) !== entry.sha256) continue;
      if ((await probe(job.outFile, paths)).frames !== entry.written) continue;
    } catch {
      continue; // unreadable or not a video any more: render it again
    }
    kept.set(job.batch, entry);
  }
  const keep = new Set([MANIFEST_FILE, LOCK_FILE, ...[...kept.values()].map((b) => b.file)]);
  for (const name of await readdir(dir)) {
    if (!keep.has(name)) await rm(join(dir, name), { recursive: true, force: true });
  }
  return kept;
}

/** Records finished batches in the manifest, one atomic rewrite at a time. */
export class ManifestWriter {
  private readonly manifest: Manifest;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    settings: string,
    kept: ManifestBatch[],
  ) {
    this.manifest = { version: 1, settings, batches: [...kept] };
  }

  /** Adds a finished batch (hashing its file); a failure here only loses resumability, so it never throws. */
  record(job: BatchJob, result: BatchResult): Promise<void> {
    this.chain = this.chain.then(async () => {
      try {
        const entry: ManifestBatch = {
          batch: job.batch,
          startFrame: job.startFrame,
          endFrame: job.endFrame,
          file: basename(job.outFile),
          sha256: await fileSha256(job.outFile),
          frames: result.frames,
          written: result.written ?? result.frames,
        };
        this.manifest.batches = [...this.manifest.batches.filter((b) => b.batch !== job.batch), entry];
        await this.save();
      } catch {
        // The render goes on; a later resume renders this batch again.
      }
    });
    return this.chain;
  }

  /** Writes the manifest as it is (no batch yet: the settings it is for). */
  start(): Promise<void> {
    this.chain = this.chain.then(() => this.save().catch(() => undefined));
    return this.chain;
  }

  private async save(): Promise<void> {
    await writeFileAtomic(join(this.dir, MANIFEST_FILE), `${JSON.stringify(this.manifest)}\n`);
  }

  /** Settles once every record() so far is written. */
  flush(): Promise<void> {
    return this.chain;
  }
}
