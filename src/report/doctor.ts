// What maskflow finds on this machine (native addon, ffmpeg, ffprobe,
// onnxruntime, platform): the data behind `maskflow doctor`, also exported by
// the library, so it lives outside the CLI.
import { availableParallelism, cpus } from 'node:os';
import { createRequire } from 'node:module';
import { locateNative, NativeLoadError } from '../native/loader.js';
import { platformTriple } from '../native/platform.js';
import { describeBinary } from '../media/binaries.js';
import { decoderGap, ffmpegOnPath } from '../media/decoders.js';
import { versionLine } from '../media/process/index.js';
import { packageVersion } from '../version.js';

export interface DoctorReport {
  maskflow: string;
  node: string;
  platformTriple: string;
  cpus: number;
  native: { ok: boolean; path?: string; source?: string; napiVersion?: number; error?: string };
  ffmpeg: { ok: boolean; path?: string; source?: string; version?: string; error?: string };
  ffprobe: { ok: boolean; path?: string; source?: string; version?: string; error?: string };
  onnxruntime: { ok: boolean; version?: string; error?: string };
  /** Filled by collectDecoderGap (it runs both ffmpegs): what another ffmpeg on PATH decodes that this one does not. */
  decoders?: DecoderComparison;
}

export interface DecoderComparison {
  /** The other ffmpeg found on PATH and its version line; absent when there is none. */
  other?: string;
  otherVersion?: string;
  /** Codec names it decodes and the ffmpeg in use does not (video first), with their descriptions. */
  missing?: { name: string; kind: 'video' | 'audio' | 'subtitle' | 'data' | 'attachment'; description: string }[];
  /** Why there is nothing to compare, or what failed. */
  note?: string;
}

const KINDS = { V: 'video', A: 'audio', S: 'subtitle', D: 'data', T: 'attachment' } as const;

/** Compares the decoders of `ffmpeg` (the one in use) with an ffmpeg on PATH, when there is another one. */
export async function collectDecoderGap(ffmpeg: string, env: NodeJS.ProcessEnv = process.env): Promise<DecoderComparison> {
  const other = ffmpegOnPath(ffmpeg, env);
  if (!other) return { note: 'no other ffmpeg on PATH to compare decoders with' };
  try {
    const gap = await decoderGap(ffmpeg, other);
    return {
      other,
      otherVersion: versionLine(other) ?? 'unknown version',
      missing: gap.missing.map((c) => ({ name: c.name, kind: KINDS[c.kind as keyof typeof KINDS] ?? 'data', description: c.description })),
    };
  } catch (err) {
    return { other, note: `could not list the decoders: ${(err as Error).message.split('\n')[0]}` };
  }
}

function binaryEntry(name: 'ffmpeg' | 'ffprobe', dir?: string): DoctorReport['ffmpeg'] {
  try {
    return { ok: true, ...describeBinary(name, dir) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export function collectDoctorReport(options: { ffmpeg?: string } = {}): DoctorReport {
  let native: DoctorReport['native'];
  try {
    const found = locateNative();
    native = { ok: true, path: found.path, source: found.source, napiVersion: found.binding.napiVersion };
  } catch (err) {
    native = { ok: false, error: err instanceof NativeLoadError ? err.message : String(err) };
  }
  let onnxruntime: DoctorReport['onnxruntime'];
  try {
    const req = createRequire(import.meta.url);
    const pkgPath = req.resolve('onnxruntime-node/package.json');
    onnxruntime = { ok: true, version: (req(pkgPath) as { version: string }).version };
  } catch {
    // An optional peer dependency (its installer fails offline): missing is not an error.
    onnxruntime = { ok: false, error: 'onnxruntime-node is not installed (optional: only --detector, --ranker and --segmenter need it; `npm install onnxruntime-node`)' };
  }
  return {
    maskflow: packageVersion(),
    node: process.version,
    platformTriple: platformTriple(),
    cpus: typeof availableParallelism === 'function' ? availableParallelism() : cpus().length,
    native,
    ffmpeg: binaryEntry('ffmpeg', options.ffmpeg),
    ffprobe: binaryEntry('ffprobe', options.ffmpeg),
    onnxruntime,
  };
}
