// Up-front encoder check. Before any analysis, two frames of a test pattern
// are encoded with exactly the settings the batches will use, into the batch
// container and into the output's. This catches, in well under a second:
// `copy` (maskflow re-encodes every frame), an encoder this ffmpeg lacks
// (h264_nvenc on a build without NVENC), one that needs hardware that is not
// there (VAAPI without a device) and an encoder the container cannot hold —
// with one message that says what to do instead of a raw ffmpeg dump after the
// whole analysis.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecOfEncoder, encodePixelFormat, encoderFamily, encoderInputOptions, encoderOutputOptions, type EncoderSettings } from './encoder.js';
import type { FfmpegPaths } from './ffmpeg.js';
import { ProcessError, outputOrFailure, runFfmpeg } from './process/index.js';

export class EncoderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncoderError';
  }
}

export interface EncoderInfo {
  name: string;
  /** The codec it writes, e.g. h264 (from "(codec h264)", else its own name). */
  codec: string;
  description: string;
  /** Marked experimental by ffmpeg: needs `-strict experimental`. */
  experimental: boolean;
}

/** The video encoders of an ffmpeg, from `ffmpeg -encoders`. */
export async function videoEncoders(paths: FfmpegPaths): Promise<Map<string, EncoderInfo>> {
  const { stdout, failure } = await outputOrFailure(runFfmpeg(paths, ['-encoders'], { what: `listing the encoders of ${paths.ffmpeg}`, stdout: 'pipe' }));
  if (failure) throw new EncoderError(`${paths.ffmpeg} could not list its encoders: ${failure.lastLine || failure.message}`);
  return parseEncoderList(stdout);
}

/** Parses `ffmpeg -encoders` output: " V..X.. libaom-av1  libaom AV1 (codec av1)". */
export function parseEncoderList(text: string): Map<string, EncoderInfo> {
  const encoders = new Map<string, EncoderInfo>();
  for (const line of text.split('\n')) {
    const m = /^ ([VAS])([F.])([S.])([X.])([B.])([D.]) (\S+)\s+(.*)$/.exec(line);
    if (!m || m[1] !== 'V' || m[7] === '=') continue;
    const description = m[8].trim();
    const codec = /\(codec (\S+)\)\s*$/.exec(description)?.[1] ?? m[7];
    encoders.set(m[7], { name: m[7], codec, description, experimental: m[4] === 'X' });
  }
  return encoders;
}

export interface EncoderCheck {
  paths: FfmpegPaths;
  encoder: EncoderSettings;
  fpsNum: number;
  fpsDen: number;
  /** Container extensions the video will be written to, e.g. ['.mp4'] for batches and the output. */
  extensions: string[];
  /** Output options the real encode adds (e.g. -tag:v hvc1), so the test encode is the same. */
  outputOptions?: string[];
}

/**
 * Throws an EncoderError naming the encoder and what to do when the settings
 * cannot encode; resolves with the encoder's info when they can.
 */
export async function checkEncoder(check: EncoderCheck): Promise<EncoderInfo> {
  const { paths, encoder } = check;
  if (encoder.codec === 'copy') {
    throw new EncoderError(
      'codec "copy" cannot be used: maskflow decodes every frame to apply the effects, so the video is always re-encoded; pick an encoder such as libx264 (the default), libx265 or libvpx-vp9',
    );
  }
  const encoders = await videoEncoders(paths);
  const info = encoders.get(encoder.codec);
  if (!info) {
    const others = [...encoders.values()].filter((e) => e.codec === codecOfEncoder(encoder.codec)).map((e) => e.name);
    const hint = others.length > 0 ? `; encoders of this ffmpeg for the same format: ${others.join(', ')}` : '';
    throw new EncoderError(
      `codec "${encoder.codec}" is not a video encoder of this ffmpeg (${paths.ffmpeg})${hint}. Use another --codec, or --ffmpeg DIR with an ffmpeg built with it (\`ffmpeg -encoders\` lists them)`,
    );
  }
  // libx264 is ffmpeg's reference encoder and every container here holds H.264: listing it is enough.
  if (encoder.codec === 'libx264' && (encoder.bitDepth ?? 8) === 8 && check.extensions.every((e) => H264_CONTAINERS.has(e.toLowerCase()))) return info;
  await checkPixelFormat(paths, encoder);
  const dir = await mkdtemp(join(tmpdir(), 'maskflow-encoder-check-'));
  try {
    for (const ext of [...new Set(check.extensions.map((e) => e.toLowerCase()))]) {
      const file = join(dir, `check${ext}`);
      const args = [
        ...encoderInputOptions(encoder),
        ...['-f', 'lavfi', '-i', `testsrc2=size=${CHECK_SIZE}:rate=${check.fpsNum}/${check.fpsDen}`],
        ...['-frames:v', '2', '-an'],
        ...encoderOutputOptions(encoder, ext),
        ...(info.experimental ? ['-strict', 'experimental'] : []),
        ...(check.outputOptions ?? []),
        '-y',
        file,
      ];
      const { failure } = await outputOrFailure(runFfmpeg(paths, args, { what: `test encode with ${encoder.codec}`, watchdogSeconds: 60 }));
      if (failure) throw encodeFailure(encoder.codec, ext, check, failure);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return info;
}

/** The pixel formats an encoder takes, from `ffmpeg -h encoder=NAME` (empty when it does not say). */
export async function encoderPixelFormats(paths: FfmpegPaths, codec: string): Promise<string[]> {
  const { stdout, failure } = await outputOrFailure(runFfmpeg(paths, ['-hide_banner', '-h', `encoder=${codec}`], { what: `describing the encoder ${codec}`, stdout: 'pipe' }));
  if (failure) return [];
  const line = /Supported pixel formats:(.*)/.exec(stdout)?.[1];
  return line ? line.trim().split(/\s+/) : [];
}

/**
 * ffmpeg silently picks another pixel format when the encoder lacks the one
 * asked for (a 10-bit request would come out 8-bit), so the list is checked.
 * Hardware encoders take frames uploaded to the device: not checked here.
 */
async function checkPixelFormat(paths: FfmpegPaths, encoder: EncoderSettings): Promise<void> {
  if (['nvenc', 'qsv', 'vaapi', 'amf', 'videotoolbox'].includes(encoderFamily(encoder.codec))) return;
  const wanted = encodePixelFormat(encoder);
  const formats = await encoderPixelFormats(paths, encoder.codec);
  if (formats.length === 0 || formats.includes(wanted)) return;
  if (encoder.bitDepth === 10) {
    throw new EncoderError(
      `codec "${encoder.codec}" of this ffmpeg cannot write 10-bit video (it takes ${formats.join(', ')}). Use --codec libx265 (or a libx264 built with 10-bit support), or --bit-depth 8`,
    );
  }
  throw new EncoderError(`codec "${encoder.codec}" cannot take ${wanted} frames (it takes ${formats.join(', ')}); use another --codec, e.g. libx264`);
}

// Small, so slow encoders (libaom-av1) answer quickly; the frame size is checked elsewhere.
const CHECK_SIZE = '256x144';

const H264_CONTAINERS = new Set(['.mp4', '.m4v', '.mov', '.mkv']);

const HARDWARE = /_(nvenc|vaapi|qsv|amf|videotoolbox|v4l2m2m|mf|omx|rkmpp)$/;

/** ffmpeg's first stderr line is the reason ("vp9 only supported in MP4."); the later ones are generic. */
function firstReason(failure: ProcessError): string {
  const lines = failure.message
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/^\s*ffmpeg: /, '').replace(/^\[[^\]]*\]\s*/, '').trim())
    .filter((l) => l !== '');
  return lines[0] ?? (failure.lastLine || failure.message);
}

function encodeFailure(codec: string, ext: string, check: EncoderCheck, failure: ProcessError): EncoderError {
  const said = firstReason(failure);
  const why = HARDWARE.test(codec)
    ? `it is a hardware encoder and this machine's ${codec.split('_').pop()} device did not accept the job (no such GPU or driver)`
    : `ffmpeg refused it for a ${ext} output`;
  return new EncoderError(`codec "${codec}" cannot encode here: ${why}. ffmpeg said: ${said.replace(/\.$/, '')}. Use another --codec (libx264 works everywhere) or another output container`);
}

