// Mask quality against exact ground truth, for the real-model test and measurements:
// a clip made at test time from real photographs (scikit-image's sample data, fetched
// from Debian with `apt-get download`, never committed), a moving subject composited
// with a known alpha, and per-frame IoU / flicker of what maskflow keeps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const CLIP = { width: 640, height: 360, fps: 25, seconds: 3 };

/**
 * The sample photographs: astronaut.png (Eileen Collins, NASA, public domain) and
 * hubble_deep_field.jpg (NASA, public domain), from Debian's python3-skimage package.
 * Returns undefined (with why) when apt-get cannot fetch it.
 */
export function fetchSamplePhotos(dir: string): { subject: string; background: string } | { skip: string } {
  const data = join(dir, 'x', 'usr', 'lib', 'python3', 'dist-packages', 'skimage', 'data');
  const subject = join(data, 'astronaut.png');
  const background = join(data, 'hubble_deep_field.jpg');
  if (existsSync(subject) && existsSync(background)) return { subject, background };
  mkdirSync(dir, { recursive: true });
  const dl = spawnSync('apt-get', ['download', 'python3-skimage'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  const deb = readdirSync(dir).find((f) => /^python3-skimage_.*\.deb$/.test(f));
  if (!deb) return { skip: `apt-get download python3-skimage failed (${dl.error?.message ?? dl.stderr.trim().split('\n').pop()})` };
  const x = spawnSync('dpkg-deb', ['-x', join(dir, deb), join(dir, 'x')], { encoding: 'utf8' });
  if (x.status !== 0 || !existsSync(subject)) return { skip: `dpkg-deb -x ${deb} failed: ${x.stderr}` };
  return { subject, background };
}

/**
 * The clip and its exact ground truth: the astronaut's head and shoulders (an elliptic cut
 * of the photograph) moving left to right and bobbing over a slow pan across the Hubble
 * field. Positions are whole pixels, so the alpha composited is exactly the mask written.
 */
export function makeGroundTruthClip(ffmpeg: string, photos: { subject: string; background: string }, dir: string): { clip: string; truth: string } {
  const clip = join(dir, 'subject-over-pan.mp4');
  const truth = join(dir, 'truth.gray');
  const { width, height, fps, seconds } = CLIP;
  const x = `trunc(40+t*150)`;
  const y = `trunc(70+35*sin(t*2.5))`;
  const graph = [
    `[0:v]scale=960:-2,crop=${width}:${height}:x='trunc(t*40)':y=120,setsar=1,format=rgb24[bg]`,
    `[1:v]crop=280:330:90:0,scale=140:166,format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lte(pow((X-70)/70,2)+pow((Y-83)/83,2),1),255,0)',split[s1][s2]`,
    `[s2]format=yuva444p,alphaextract,format=gray[a]`,
    `color=c=black:s=${width}x${height}:r=${fps},format=gray[black]`,
    `[bg][s1]overlay=x='${x}':y='${y}':eval=frame,format=yuv420p[v]`,
    `[black][a]overlay=x='${x}':y='${y}':eval=frame,format=gray[m]`,
  ].join(';');
  const r = spawnSync(
    ffmpeg,
    ['-v', 'error', '-y', '-loop', '1', '-framerate', String(fps), '-i', photos.background, '-loop', '1', '-framerate', String(fps), '-i', photos.subject,
      '-filter_complex', graph, '-map', '[v]', '-t', String(seconds), '-r', String(fps), '-c:v', 'libx264', '-crf', '14', '-preset', 'veryfast', clip,
      '-map', '[m]', '-t', String(seconds), '-r', String(fps), '-f', 'rawvideo', '-pix_fmt', 'gray', truth],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`could not make the ground-truth clip: ${r.stderr}`);
  return { clip, truth };
}

/** Decodes a video to rgb24 frames. */
export function decodeRgb(ffmpeg: string, file: string): Uint8Array {
  const r = spawnSync(ffmpeg, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`could not decode ${file}: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

export interface MaskScores {
  iou: number[];
  meanIou: number;
  minIou: number;
  /** Mean over frames of (pixels whose kept/removed state changed since the previous frame minus the same for the truth), as a fraction of the frame, floored at 0. */
  excessFlicker: number;
}

/**
 * Scores a `replace-background` render in a key colour (feather 0): a pixel is kept when it
 * is far from the key colour. `truth` holds one gray byte per pixel per frame (≥ 128 = subject).
 */
export function scoreKeyedRender(rgb: Uint8Array, truth: Uint8Array, key: [number, number, number], width: number, height: number): MaskScores {
  const plane = width * height;
  const frames = Math.min(rgb.length / (plane * 3), truth.length / plane);
  const iou: number[] = [];
  let prevKept: Uint8Array | undefined;
  let prevTruth: Uint8Array | undefined;
  let flicker = 0;
  for (let f = 0; f < frames; f++) {
    const kept = new Uint8Array(plane);
    const gt = new Uint8Array(plane);
    let inter = 0;
    let union = 0;
    for (let p = 0; p < plane; p++) {
      const o = (f * plane + p) * 3;
      const d = Math.abs(rgb[o] - key[0]) + Math.abs(rgb[o + 1] - key[1]) + Math.abs(rgb[o + 2] - key[2]);
      kept[p] = d > 150 ? 1 : 0;
      gt[p] = truth[f * plane + p] >= 128 ? 1 : 0;
      if (kept[p] & gt[p]) inter++;
      if (kept[p] | gt[p]) union++;
    }
    iou.push(union ? inter / union : 1);
    if (prevKept && prevTruth) {
      let changed = 0;
      let truthChanged = 0;
      for (let p = 0; p < plane; p++) {
        changed += kept[p] ^ prevKept[p];
        truthChanged += gt[p] ^ prevTruth[p];
      }
      flicker += Math.max(0, changed - truthChanged) / plane;
    }
    prevKept = kept;
    prevTruth = gt;
  }
  return {
    iou,
    meanIou: iou.reduce((a, b) => a + b, 0) / iou.length,
    minIou: Math.min(...iou),
    excessFlicker: frames > 1 ? flicker / (frames - 1) : 0,
  };
}

/** Decodes a video to gray8 frames (a matte from `analyse --matte`). */
export function decodeGray(ffmpeg: string, file: string): Uint8Array {
  const r = spawnSync(ffmpeg, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`could not decode ${file}: ${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}

/** Scores a gray matte (≥ 128 = subject) exactly as a keyed render: kept pixels drawn off the key colour, the rest in it. */
export function scoreMatte(matte: Uint8Array, truth: Uint8Array, width: number, height: number): MaskScores {
  const rgb = new Uint8Array(matte.length * 3);
  for (let i = 0; i < matte.length; i++) rgb.set(matte[i] >= 128 ? [255, 0, 255] : [0, 255, 0], 3 * i);
  return scoreKeyedRender(rgb, truth, [0, 255, 0], width, height);
}
