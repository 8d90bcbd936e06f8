// Which codecs an ffmpeg decodes (`ffmpeg -codecs`), so that an input this
// ffmpeg cannot decode is refused up front with the codec's name and how to
// use another ffmpeg, and `maskflow doctor` can list what the bundled ffmpeg
// (4.1, 2018) lacks that a newer ffmpeg on PATH decodes.
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { outputOrFailure, runFfmpeg } from './process/index.js';

export interface CodecEntry {
  name: string;
  /** V video, A audio, S subtitle, D data, T attachment. */
  kind: string;
  decode: boolean;
  description: string;
}

/** Parses `ffmpeg -codecs`: lines like " DEV.LS h264   H.264 / AVC ... (decoders: h264 h264_v4l2m2m )". */
export function parseCodecs(text: string): Map<string, CodecEntry> {
  const out = new Map<string, CodecEntry>();
  for (const line of text.split('\n')) {
    const m = /^ ([D.])([E.])([VASDT.])[I.][L.][S.] (\S+)\s+(.*)$/.exec(line);
    if (!m || m[4] === '=') continue;
    out.set(m[4], { name: m[4], kind: m[3], decode: m[1] === 'D', description: m[5].trim() });
  }
  return out;
}

const cache = new Map<string, Promise<Map<string, CodecEntry>>>();

/** The codecs `ffmpeg` (a binary path) knows, read once per binary and process. */
export function ffmpegCodecs(ffmpeg: string): Promise<Map<string, CodecEntry>> {
  let listed = cache.get(ffmpeg);
  if (!listed) {
    listed = (async () => {
      const proc = runFfmpeg({ ffmpeg, ffprobe: '' }, ['-codecs'], { what: `${ffmpeg} -codecs failed`, stdout: 'pipe' });
      const { stdout, failure } = await outputOrFailure(proc);
      if (failure) throw failure;
      return parseCodecs(stdout);
    })();
    cache.set(ffmpeg, listed);
    // A failed listing is not remembered: the next call tries again.
    listed.catch(() => cache.delete(ffmpeg));
  }
  return listed;
}

/** How to make maskflow use another ffmpeg, for messages. */
export const OTHER_FFMPEG_HINT =
  'point maskflow at an ffmpeg that decodes it: --ffmpeg DIR (a folder holding ffmpeg and ffprobe, e.g. /usr/bin) or MASKFLOW_FFMPEG=PATH and MASKFLOW_FFPROBE=PATH; ' +
  '`maskflow doctor` lists what an ffmpeg on PATH decodes that this one does not';

/**
 * An `ffmpeg` on PATH that is not `exclude` (the one in use), or undefined.
 * Both are compared after resolving links, so /usr/bin/ffmpeg → the same file counts as the same.
 */
export function ffmpegOnPath(exclude: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const real = (p: string): string | undefined => {
    try {
      return realpathSync(p);
    } catch {
      return undefined;
    }
  };
  const excluded = exclude ? real(exclude) : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ffmpeg');
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const resolved = real(candidate);
    if (resolved && resolved !== excluded) return candidate;
  }
  return undefined;
}

export interface DecoderGap {
  /** The other ffmpeg compared with. */
  other: string;
  /** Codecs the other ffmpeg decodes and this one does not, video first, by name. */
  missing: CodecEntry[];
}

/** What `other` decodes that `ours` does not (both are ffmpeg binary paths). */
export async function decoderGap(ours: string, other: string): Promise<DecoderGap> {
  const [mine, theirs] = await Promise.all([ffmpegCodecs(ours), ffmpegCodecs(other)]);
  const order = (k: string): number => 'VASDT'.indexOf(k);
  const missing = [...theirs.values()]
    .filter((c) => c.decode && !mine.get(c.name)?.decode)
    .sort((a, b) => order(a.kind) - order(b.kind) || a.name.localeCompare(b.name));
  return { other, missing };
}
