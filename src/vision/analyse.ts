// Subject analysis of one input: keyframes decoded once, models (if any)
// loaded once here in the calling thread, a box and soft mask per keyframe,
// smoothed over time, packed into the mask atlas (SharedArrayBuffer) and
// cached on disk.
import { folderProblem, regularFileProblem } from '../file-kind.js';
import type { FfmpegPaths } from '../media/ffmpeg.js';
import type { ProbeInfo } from '../media/probe-types.js';
import { DEFAULT_KEYFRAME_INTERVAL, forEachKeyframe, keyframeIndices, KEYFRAME_INTERVAL_RANGE, keyframeStep, type FrameSpan, type Keyframe } from '../media/keyframes.js';
import type { ModelPaths, SubjectFinding } from './models/types.js';
import { allocateAtlas, readAtlas } from './atlas.js';
import { cacheFile, cacheKey, defaultCacheDir, hashFile, hashModelPath, readCache, writeCache, type CacheKeyParts } from './cache.js';
import { resizeArea } from './image-ops.js';
import { resizeBilinearPlane } from './models/rgb-resample.js';
import { MODEL_FREE_WORK_LONG_SIDE, ModelFreeFinder } from './model-free-finder.js';
import { importModels } from './models/runtime.js';
import { resolveModels } from '../models/analysis-models.js';
import { isModelName } from '../models/resolve.js';
import { smoothBoxes, smoothMaskAt, type Box } from './temporal-smoothing.js';
import { cropMask, uncropMask, type CroppedMask } from './mask-crop.js';
import { checkSeed, finderSeed, type SubjectSeed } from './subject-seed.js';
import { AdaptiveKeyframes, adaptiveBaseFrames, adaptiveSteps, grayAt, KEYFRAME_SCHEDULES, type KeyframeSchedule } from './keyframe-schedule.js';
import { motionBetween, MOTION_BLOCK, type MotionFrame, type MotionSample } from './mask-motion.js';
import type { AtlasMotion } from './atlas.js';

/** Bump when the analysis output changes for the same inputs: old cache entries then miss. */
export const ANALYSIS_VERSION = 5;
export const DEFAULT_MASK_LONG_SIDE = 320;

export interface AnalyseOptions {
  paths: FfmpegPaths;
  /** Seconds between keyframes of the fixed schedule (the model-free finder always uses it). */
  keyframeInterval?: number;
  /**
   * Where models run (keyframe-schedule.ts): 'adaptive' (the default with a model) adds keyframes
   * where the interpolation would not follow the subject, within 2 model runs per second of video;
   * 'fixed' runs them every `keyframeInterval`.
   */
  keyframeSchedule?: KeyframeSchedule;
  prompt?: string;
  /**
   * Which thing is the subject (input pixels; subject-seed.ts): the model-free finder's track goes
   * through it; with a detector, the detection nearest it (then nearest where it was last found).
   */
  seed?: SubjectSeed;
  /** How an error about `seed` names it (the CLI flag it came from); default 'subject seed'. */
  seedName?: string;
  /**
   * Only these frames will be used (a render's --from/--to): the analysis decodes them plus one
   * keyframe step either side (the finder's motion and the smoothing look at neighbours), not the
   * whole input. Default: the whole input.
   */
  range?: FrameSpan;
  models?: ModelPaths;
  /** Cache folder; undefined = the default user cache folder; false = no cache. */
  cacheDir?: string | false;
  /** Long side of the atlas masks, 256..640 (default 320; never above the input's long side). */
  maskLongSide?: number;
  onProgress?: (e: { stage: 'analyse'; done: number; total: number }) => void;
  /** Aborting stops the decoder, the models and the finder; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Model names (`segmenter: 'isnet'`) are resolved to the model cache first, downloading or
   * assembling them on first use; their messages (licence, progress) go here (default: stderr).
   */
  onModelMessage?: (line: string) => void;
}

export interface KeyframeResult {
  frame: number;
  time: number;
  /** x, y, w, h in input pixels (decoded, display-oriented frames). */
  box: [number, number, number, number];
  score: number;
  /** 'model-free', the model names joined by '+' (e.g. 'detector+ranker'), or 'interpolated'. */
  source: string;
}

export interface AnalysisResult {
  /** View over a whole SharedArrayBuffer holding exactly the atlas bytes (docs/atlas.md). */
  atlas: Uint8Array;
  keyframes: KeyframeResult[];
  finder: string;
  /** The schedule the keyframes came from ('fixed' for the model-free finder). */
  keyframeSchedule: KeyframeSchedule;
  cached: boolean;
  /** Sessions created per model in this run (empty on a cache hit or with no models). */
  loads: Record<string, number>;
  /** Keyframes the models ran on (one pass of every model given), and the mean ms of one pass, pre/post-processing included. */
  inferences: number;
  msPerInference: number;
  maskWidth: number;
  maskHeight: number;
  ms: number;
  /** Why a cache entry was not used (corrupt, stale...), when one was found and rejected. */
  cacheNote?: string;
  /** Cache problems (entry rejected, entry not written): the analysis itself went fine. */
  warnings: string[];
  cacheFile?: string;
}

interface CachedMeta {
  keyframes: KeyframeResult[];
  finder: string;
  keyframeSchedule?: KeyframeSchedule;
  maskWidth: number;
  maskHeight: number;
}

/**
 * Why a cached entry's metadata cannot be used (undefined when it can): the
 * checksum proves the bytes are what was written, not that what was written
 * (by this or an older maskflow) has the shape this code reads.
 */
export function cachedMetaProblem(meta: unknown, atlas: Uint8Array, probe: Pick<ProbeInfo, 'frames' | 'width' | 'height'>): string | undefined {
  if (meta === null || typeof meta !== 'object') return `expected an object, got ${meta === null ? 'null' : typeof meta}`;
  const m = meta as Record<string, unknown>;
  if (typeof m.finder !== 'string') return 'finder is not a text';
  if (!Array.isArray(m.keyframes) || m.keyframes.length === 0) return 'keyframes is not a non-empty list';
  const view = readAtlas(atlas);
  if (m.maskWidth !== view.maskWidth || m.maskHeight !== view.maskHeight) return `mask size ${String(m.maskWidth)}x${String(m.maskHeight)} differs from the atlas's ${view.maskWidth}x${view.maskHeight}`;
  if (view.sourceWidth !== probe.width || view.sourceHeight !== probe.height) return `the atlas is for ${view.sourceWidth}x${view.sourceHeight}, the input is ${probe.width}x${probe.height}`;
  if (m.keyframes.length !== view.keyframes) return `${m.keyframes.length} keyframes listed, the atlas has ${view.keyframes}`;
  for (let i = 0; i < m.keyframes.length; i++) {
    const k = m.keyframes[i] as Partial<KeyframeResult> | null;
    const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
    if (k === null || typeof k !== 'object') return `keyframes[${i}] is not an object`;
    if (!(Number.isInteger(k.frame) && (k.frame as number) >= 0 && (k.frame as number) < probe.frames) || k.frame !== view.frames[i]) return `keyframes[${i}].frame is not the atlas's frame ${view.frames[i]}`;
    if (!finite(k.time) || !finite(k.score) || typeof k.source !== 'string') return `keyframes[${i}] lacks a time, score or source`;
    if (!Array.isArray(k.box) || k.box.length !== 4 || !k.box.every(finite)) return `keyframes[${i}].box is not 4 numbers`;
  }
  return undefined;
}

export class AnalyseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalyseError';
  }
}

function hasModels(models?: ModelPaths): models is ModelPaths {
  return !!(models && (models.detector || models.ranker || models.segmenter));
}

/**
 * Why a subject text given by the user goes unused, or undefined when a model reads it: only a
 * detector (class names) and a CLIP ranker look at words; the model-free finder and a segmenter do not.
 */
export function unusedSubjectWarning(prompt: string | undefined, models: ModelPaths | undefined): string | undefined {
  if (prompt === undefined || models?.detector || models?.ranker) return undefined;
  return `the subject "${prompt}" is not used: no model that reads words was given, so the ${models?.segmenter ? 'segmenter' : 'model-free finder'} takes the most salient subject; to pick it by these words pass --ranker DIR|NAME (a CLIP model) with --detector FILE|NAME (library: ranker, detector; a detector alone matches the words to its class names)`;
}

export function maskSize(width: number, height: number, longSide: number): { width: number; height: number } {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function checkOptions(options: Omit<AnalyseOptions, 'paths'>): { interval: number; maskLongSide: number; schedule: KeyframeSchedule } {
  const interval = options.keyframeInterval ?? DEFAULT_KEYFRAME_INTERVAL;
  const { min, max } = KEYFRAME_INTERVAL_RANGE;
  if (!(typeof interval === 'number' && interval >= min && interval <= max)) {
    throw new AnalyseError(`keyframe interval must be a number of seconds from ${min} to ${max}, got ${interval}`);
  }
  const maskLongSide = options.maskLongSide ?? DEFAULT_MASK_LONG_SIDE;
  if (!(Number.isInteger(maskLongSide) && maskLongSide >= 256 && maskLongSide <= 640)) {
    throw new AnalyseError(`mask long side must be an integer in 256..640, got ${maskLongSide}`);
  }
  const schedule = options.keyframeSchedule ?? (hasModels(options.models) ? 'adaptive' : 'fixed');
  if (!KEYFRAME_SCHEDULES.includes(schedule)) throw new AnalyseError(`keyframe schedule must be one of ${KEYFRAME_SCHEDULES.join(', ')}, got ${String(schedule)}`);
  // The model-free finder costs no model runs and reads motion from evenly spaced keyframes.
  return { interval, maskLongSide, schedule: hasModels(options.models) ? schedule : 'fixed' };
}

/**
 * Refuses model paths of the wrong kind before anything opens them: the
 * detector and segmenter are files, the ranker a folder. A FIFO or device
 * would otherwise block the hash or the model load.
 */
export function checkModelPaths(models: ModelPaths | undefined): void {
  const files: [string | undefined, string][] = [
    [models?.detector, 'detector model'],
    [models?.segmenter, 'segmenter model'],
  ];
  for (const [file, what] of files) {
    // A registry name (`isnet`) is not a file yet: analysis resolves it to the model cache.
    const problem = file === undefined || isModelName(file) ? undefined : regularFileProblem(file);
    if (problem) throw new AnalyseError(`${what} ${file}: ${problem}; expected an .onnx file`);
  }
  const problem = models?.ranker === undefined || isModelName(models.ranker) ? undefined : folderProblem(models.ranker);
  if (problem) throw new AnalyseError(`ranker model folder ${models?.ranker}: ${problem}; expected a CLIP folder with onnx/ and tokenizer.json`);
}

/**
 * The frames an analysis decodes: the range asked for (default: the whole input) widened by one
 * keyframe step either side (a candidate step in the adaptive schedule, whatever is decoded
 * between), within the input.
 */
export function analysisSpan(probe: Pick<ProbeInfo, 'frames' | 'fps'>, range: FrameSpan | undefined, schedule: KeyframeSchedule, interval: number): FrameSpan {
  if (!range) return { startFrame: 0, endFrame: probe.frames };
  if (!(Number.isInteger(range.startFrame) && Number.isInteger(range.endFrame) && range.startFrame >= 0 && range.startFrame < range.endFrame && range.endFrame <= probe.frames)) {
    throw new AnalyseError(`analysis range: frames ${range.startFrame}-${range.endFrame} are not a span of the input's ${probe.frames} frames`);
  }
  const margin = schedule === 'adaptive' ? adaptiveSteps(probe.fps).candidateStep : keyframeStep(probe.fps, interval);
  return { startFrame: Math.max(0, range.startFrame - margin), endFrame: Math.min(probe.frames, range.endFrame + margin) };
}

/**
 * The decode interval in seconds: the adaptive schedule decodes candidate frames, the model runs on
 * some of them. The fixed one with models decodes frames between its keyframes too, for the motion
 * fields (mask-motion.ts), on the largest step dividing the keyframe step up to the candidate step
 * (1 for a prime step: every frame); the model runs on the keyframes only.
 */
function decodeIntervalFor(fps: number, schedule: KeyframeSchedule, interval: number, withModels: boolean): number {
  const candidateStep = adaptiveSteps(fps).candidateStep;
  if (schedule === 'adaptive') return candidateStep / fps;
  if (!withModels) return interval;
  return fixedSubStep(fps, interval) / fps;
}

function fixedSubStep(fps: number, interval: number): number {
  const keyStep = keyframeStep(fps, interval);
  let step = Math.min(keyStep, adaptiveSteps(fps).candidateStep);
  while (keyStep % step !== 0) step--;
  return step;
}

/** How many keyframes an analysis with these options decodes (the progress total). */
export function decodedKeyframes(probe: Pick<ProbeInfo, 'frames' | 'fps'>, options: Pick<AnalyseOptions, 'keyframeInterval' | 'keyframeSchedule' | 'models' | 'range'>): number {
  const { interval, schedule } = checkOptions(options);
  const decodeInterval = decodeIntervalFor(probe.fps, schedule, interval, hasModels(options.models));
  return keyframeIndices(probe.frames, probe.fps, decodeInterval, analysisSpan(probe, options.range, schedule, interval)).length;
}

async function keyParts(probe: ProbeInfo, options: AnalyseOptions, interval: number, maskLongSide: number, schedule: KeyframeSchedule, span: FrameSpan): Promise<CacheKeyParts> {
  const models: Record<string, string> = {};
  const m = options.models;
  if (m?.detector) models.detector = await hashModelPath(m.detector, 'detector model');
  if (m?.ranker) models.ranker = await hashModelPath(m.ranker, 'ranker model folder');
  if (m?.segmenter) {
    models.segmenter = await hashModelPath(m.segmenter, 'segmenter model');
    models.segmenterPreset = m.segmenterPreset ?? 'default';
  }
  // Another provider may round differently; cpu keeps the keys entries were written with.
  if (hasModels(m) && m.executionProvider && m.executionProvider !== 'cpu') models.executionProvider = m.executionProvider;
  return {
    input: await hashFile(probe.file, 'input'),
    models,
    // The model-free finder ignores the prompt, so it does not split the cache.
    prompt: hasModels(m) ? (options.prompt ?? '') : null,
    // Fixed-schedule entries keep the keys they were written with; adaptive ones do not depend on the interval.
    // A seed changes the model-free finder's pick, so it splits the cache (entries without one keep their keys).
    // (cacheKey sorts the keys, so where the schedule's key sits does not matter.)
    params: {
      analysis: ANALYSIS_VERSION,
      ...(schedule === 'adaptive' ? { keyframeSchedule: schedule } : { keyframeInterval: interval }),
      maskLongSide,
      frames: probe.frames,
      fps: probe.fps,
      rotation: probe.rotation,
      ...(options.seed ? { seed: JSON.stringify(options.seed) } : {}),
      // A part of the input is another analysis (whole-input entries keep their keys).
      ...(span.startFrame > 0 || span.endFrame < probe.frames ? { span: `${span.startFrame}-${span.endFrame}` } : {}),
    },
  };
}

/** 0..1 floats to 0..255 bytes, into `out` at `offset` (default: a new array). */
function toBytes(m: Float32Array, out: Uint8Array = new Uint8Array(m.length), offset = 0): Uint8Array {
  for (let i = 0; i < m.length; i++) {
    const v = m[i];
    // Math.round(v * 255) for v in (0, 1): v * 255 is exact for a float32 v, so floor(x + 0.5) rounds alike.
    out[offset + i] = v > 0 ? (v < 1 ? Math.floor(v * 255 + 0.5) : 255) : 0;
  }
  return out;
}

/** Feathered box-shaped mask (0..1) for models that give a box but no mask. */
function boxMask(box: Box, w: number, h: number): Float32Array {
  const m = new Float32Array(w * h);
  const [bx, by, bw, bh] = [box[0] * w, box[1] * h, box[2] * w, box[3] * h];
  const feather = Math.max(1, 0.08 * Math.min(bw, bh));
  for (let y = 0; y < h; y++) {
    const dy = Math.min(y + 0.5 - by, by + bh - (y + 0.5));
    for (let x = 0; x < w; x++) {
      const dx = Math.min(x + 0.5 - bx, bx + bw - (x + 0.5));
      m[y * w + x] = Math.max(0, Math.min(1, Math.min(dx, dy) / feather));
    }
  }
  return m;
}

interface PerKeyframe {
  frame: number;
  box?: Box; // normalised
  score: number;
  mask?: Uint8Array; // mask size, 0..255 (8-bit: a quarter of Float32's memory per keyframe)
  /** The model-free finder's mask, kept as its nonzero rectangle (mask-crop.ts). */
  crop?: CroppedMask;
}

/** The checks analyseVideo makes before any work, for a caller that has not probed the input yet. */
export function checkAnalyseOptions(options: Omit<AnalyseOptions, 'paths'>): void {
  checkOptions(options);
  checkModelPaths(options.models);
}

export async function analyseVideo(probe: ProbeInfo, options: AnalyseOptions): Promise<AnalysisResult> {
  const started = performance.now();
  const { interval, maskLongSide, schedule } = checkOptions(options);
  if (options.seed) checkSeed(options.seed, probe, options.seedName ?? 'subject seed');
  // Model names (`isnet`) become cache paths first (downloaded or assembled on first use).
  if (hasModels(options.models)) options = { ...options, models: await resolveModels(options.models, options.onModelMessage) };
  checkModelPaths(options.models);
  const signal = options.signal;
  signal?.throwIfAborted();
  const source = { width: probe.width, height: probe.height };
  const mask = maskSize(source.width, source.height, maskLongSide);
  const decodeInterval = decodeIntervalFor(probe.fps, schedule, interval, hasModels(options.models));
  const span = analysisSpan(probe, options.range, schedule, interval);
  const indices = keyframeIndices(probe.frames, probe.fps, decodeInterval, span);
  // The keyframes among the decoded frames (fixed schedule; all of them without models).
  const keyIndices = keyframeIndices(probe.frames, probe.fps, schedule === 'adaptive' ? decodeInterval : interval, span);

  let cacheDir: string | undefined;
  let key: string | undefined;
  let parts: CacheKeyParts | undefined;
  let cacheNote: string | undefined;
  if (options.cacheDir !== false) {
    cacheDir = options.cacheDir ?? defaultCacheDir();
    parts = await keyParts(probe, options, interval, maskLongSide, schedule, span);
    signal?.throwIfAborted();
    key = cacheKey(parts);
    const found = await readCache<CachedMeta>(cacheDir, key, (meta, atlas) => cachedMetaProblem(meta, atlas, probe));
    if (found.status === 'hit') {
      const meta = found.entry.meta;
      options.onProgress?.({ stage: 'analyse', done: indices.length, total: indices.length });
      return { atlas: found.entry.atlas, keyframes: meta.keyframes, finder: meta.finder, keyframeSchedule: meta.keyframeSchedule ?? 'fixed', cached: true, loads: {}, inferences: 0, msPerInference: 0, maskWidth: meta.maskWidth, maskHeight: meta.maskHeight, ms: performance.now() - started, cacheFile: cacheFile(cacheDir, key), warnings: [] };
    }
    if (found.status === 'invalid') cacheNote = `ignored cache entry: ${found.problem}; recomputed`;
  }

  // The frames the model-free finder gets: every decoded keyframe, or in the adaptive schedule the base
  // keyframes only (it is told of those as they settle); the seed names its keyframe in that list.
  const finderFrames = schedule === 'adaptive' ? adaptiveBaseFrames(span.endFrame, probe.fps, span.startFrame) : keyIndices;
  const seed = options.seed && finderSeed(options.seed, probe, finderFrames);
  // With models the finder is a fallback, needed only if they find nothing: defer its work until then.
  // With a seed, the models' subject is the detection nearest the seed, or nearest where it was found
  // at the keyframe closest in time (normalised boxes by frame; the seed at the frame of its time).
  const seedFrame = options.seed ? Math.round((options.seed.time ?? 0) * probe.fps) : 0;
  const anchors = new Map<number, Box>();
  const nearFor = (frame: number): Box | undefined => {
    if (!seed) return undefined;
    let near = seed.box;
    let distance = Math.abs(frame - seedFrame);
    for (const [f, box] of anchors) {
      if (Math.abs(frame - f) < distance) [near, distance] = [box, Math.abs(frame - f)];
    }
    return near;
  };
  // Motion samples per keyframe interval (by its first keyframe's frame), from the model's masks.
  let motion: ReadonlyMap<number, MotionSample[]> = new Map();
  const perKeyframe: PerKeyframe[] = [];
  // Each finder mask becomes atlas-sized bytes as soon as it is made: no set of Float32 masks is held.
  // Without models the finder hands them out with a fixed lag while decoding (its memory stays bounded).
  const onFinderMask = (i: number, m: Float32Array): void => {
    perKeyframe[i].crop = cropMask(toBytes(resizeBilinearPlane(m, finder.width, finder.height, mask.width, mask.height)), mask.width, mask.height);
  };
  const finder = new ModelFreeFinder({
    deferred: hasModels(options.models),
    seed,
    onMask: hasModels(options.models) ? undefined : onFinderMask,
  });
  const decodeWarnings: string[] = [];
  const onWarning = (w: string): void => void decodeWarnings.push(w);
  let finderName = 'model-free';
  let loads: Record<string, number> = {};
  let inferences = 0;
  let inferenceMs = 0;
  if (hasModels(options.models)) {
    const models = await importModels();
    const loaded = await models.loadSubjectModels(options.models, options.prompt ?? '');
    try {
      signal?.throwIfAborted();
      finderName = loaded.names.join('+');
      const runModels = async (kf: Keyframe): Promise<PerKeyframe> => {
        // Between model runs: one takes a second or two, so an interrupt is seen quickly.
        signal?.throwIfAborted();
        const inferenceStart = performance.now();
        const near = nearFor(kf.frame);
        const found: SubjectFinding | undefined = await models.findSubject(
          loaded,
          { data: kf.data, width: kf.width, height: kf.height },
          near ? { near: [near[0] * kf.width, near[1] * kf.height, near[2] * kf.width, near[3] * kf.height] } : {},
        );
        inferenceMs += performance.now() - inferenceStart;
        inferences++;
        const entry: PerKeyframe = { frame: kf.frame, score: 0 };
        if (found) {
          const [x, y, w, h] = found.box;
          entry.box = [x / kf.width, y / kf.height, w / kf.width, h / kf.height].map((v) => Math.min(1, Math.max(0, v))) as Box;
          if (seed) anchors.set(kf.frame, entry.box);
          entry.score = Math.min(1, Math.max(0, found.score));
          if (found.mask) {
            if (found.mask.length !== kf.width * kf.height) throw new AnalyseError(`${probe.file}: frame ${kf.frame}: the model returned a mask of ${found.mask.length} bytes for a ${kf.width}x${kf.height} keyframe`);
            entry.mask = resizeArea(found.mask, kf.width, kf.height, mask.width, mask.height, 1);
          }
        }
        return entry;
      };
      let decoded = 0;
      if (schedule === 'adaptive') {
        const adaptive = new AdaptiveKeyframes({ fps: probe.fps, startFrame: span.startFrame, frames: span.endFrame, maskWidth: mask.width, maskHeight: mask.height, infer: runModels, onSettled: (kf) => finder.add(kf) });
        await forEachKeyframe(probe, { paths: options.paths, interval: decodeInterval, span, signal, onWarning }, async (kf) => {
          await adaptive.add(kf);
          options.onProgress?.({ stage: 'analyse', done: ++decoded, total: indices.length });
        });
        perKeyframe.push(...adaptive.keyframes);
        motion = adaptive.motion;
      } else {
        const tracked = new Map<number, MotionSample[]>();
        let previous: { frame: number; gray: Uint8Array; entry: PerKeyframe } | undefined;
        let between: MotionFrame[] = [];
        const keySet = new Set(keyIndices);
        const candidateStep = adaptiveSteps(probe.fps).candidateStep;
        const subStep = fixedSubStep(probe.fps, interval);
        await forEachKeyframe(probe, { paths: options.paths, interval: decodeInterval, span, signal, onWarning }, async (kf) => {
          options.onProgress?.({ stage: 'analyse', done: ++decoded, total: indices.length });
          const isKey = keySet.has(kf.frame);
          // About one tracked frame per candidate step, however finely the step made us decode.
          if (!isKey && !(previous && (kf.frame - previous.frame) % candidateStep < subStep)) return;
          const gray = grayAt(kf, mask.width, mask.height);
          if (!isKey) {
            between.push({ frame: kf.frame, gray });
            return;
          }
          finder.add(kf);
          const entry = await runModels(kf);
          perKeyframe.push(entry);
          const samples = previous && motionBetween({ ...previous.entry, gray: previous.gray }, { ...entry, gray }, between, mask.width, mask.height);
          if (previous && samples) tracked.set(previous.frame, samples);
          previous = { frame: kf.frame, gray, entry };
          between = [];
        });
        motion = tracked;
      }
      loads = { ...loaded.loads };
    } finally {
      await models.releaseSubjectModels(loaded);
    }
  } else {
    let done = 0;
    // The finder works at a long side of 192. Keyframes decoded at twice that (not the models' 640)
    // cost less to scale, pipe and average down, and lowres-capable decoders (MPEG-4 part 2, msmpeg4...)
    // skip more; the last 2:1 step stays an exact box average (ffmpeg's own area scaler straight to
    // 192 follows the demo clip's disc less well: min IoU 0.39).
    await forEachKeyframe(probe, { paths: options.paths, interval, span, signal, onWarning, maxLongSide: 2 * MODEL_FREE_WORK_LONG_SIDE }, (kf) => {
      finder.add(kf);
      perKeyframe.push({ frame: kf.frame, score: 0 });
      // Decoding is most of the wall time; the finder pass after it is short.
      options.onProgress?.({ stage: 'analyse', done: ++done, total: indices.length });
    });
  }

  signal?.throwIfAborted();
  const anyFound = perKeyframe.some((k) => k.box);
  const sources: string[] = [];
  if (!anyFound) {
    // No model given, or the models found nothing anywhere: the model-free finder decides.
    if (finderName !== 'model-free') finderName = `model-free (${finderName} found nothing)`;
    const r = finder.finishMasks(onFinderMask);
    r.frames.forEach((f, i) => {
      perKeyframe[i].box = f.box;
      perKeyframe[i].score = f.score;
      sources.push('model-free');
    });
  } else {
    fillGaps(perKeyframe);
    perKeyframe.forEach((k) => sources.push(k.score > 0 ? finderName : 'interpolated'));
  }

  // Adaptive keyframes sit where the subject changes, unevenly spaced: averaging a keyframe with its
  // neighbours (made for evenly spaced keyframes) would blur away the change it was added for.
  const smooth = schedule === 'fixed';
  const boxes = smooth ? smoothBoxes(perKeyframe.map((k) => k.box as Box)) : perKeyframe.map((k) => [...(k.box as Box)] as Box);
  const rawMasks = perKeyframe.map((k, i) => k.crop ?? cropMask(k.mask ?? toBytes(boxMask(boxes[i], mask.width, mask.height)), mask.width, mask.height));
  for (const k of perKeyframe) {
    k.mask = undefined;
    k.crop = undefined;
  }
  const centres = boxes.map(([x, y, w, h]): [number, number] => [(x + w / 2) * mask.width, (y + h / 2) * mask.height]);
  const clampBox = (b: Box): Box => {
    const x = Math.min(1, Math.max(0, b[0]));
    const y = Math.min(1, Math.max(0, b[1]));
    return [x, y, Math.min(1 - x, Math.max(0, b[2])), Math.min(1 - y, Math.max(0, b[3]))];
  };
  const normBoxes = boxes.map(clampBox);
  const { bytes: atlas, masks: atlasMasks } = allocateAtlas({
    // The motion was tracked on the model's masks; the model-free finder's replace them.
    motion: anyFound ? atlasMotion(perKeyframe.map((k) => k.frame), motion) : undefined,
    maskWidth: mask.width,
    maskHeight: mask.height,
    sourceWidth: source.width,
    sourceHeight: source.height,
    frames: perKeyframe.map((k) => k.frame),
    boxes: normBoxes.flat(),
    scores: perKeyframe.map((k) => k.score),
  });
  // Smoothed one keyframe at a time straight into the atlas; only a keyframe and its two neighbours are
  // whole masks at a time (`planes`, indexed like rawMasks), and a raw mask is let go once both neighbours are done.
  const smoothed = new Float32Array(mask.width * mask.height);
  const weights = new Float32Array(mask.width * mask.height);
  const none = cropMask(new Uint8Array(0), 0, 0);
  const planes: Uint8Array[] = rawMasks.map(() => none.data);
  const spare: Uint8Array[] = [];
  const whole = (j: number): void => {
    if (j >= 0 && j < rawMasks.length && planes[j].length === 0) planes[j] = uncropMask(rawMasks[j], mask.width, spare.pop() ?? new Uint8Array(smoothed.length));
  };
  for (let i = 0; i < rawMasks.length; i++) {
    for (const j of [i - 1, i, i + 1]) whole(j);
    if (smooth) toBytes(smoothMaskAt(planes, centres, i, mask.width, mask.height, smoothed, weights, 1 / 255), atlasMasks, i * smoothed.length);
    else atlasMasks.set(planes[i], i * smoothed.length);
    if (i > 0) {
      spare.push(planes[i - 1]);
      planes[i - 1] = none.data;
      rawMasks[i - 1] = none;
    }
  }
  const keyframes: KeyframeResult[] = perKeyframe.map((k, i) => {
    const [x, y, w, h] = normBoxes[i];
    const px = (v: number, size: number): number => Math.round(v * size * 10) / 10;
    return { frame: k.frame, time: k.frame / probe.fps, box: [px(x, source.width), px(y, source.height), px(w, source.width), px(h, source.height)], score: Math.round(k.score * 1000) / 1000, source: sources[i] };
  });
  const result: AnalysisResult = { atlas, keyframes, finder: finderName, keyframeSchedule: schedule, cached: false, loads, inferences, msPerInference: inferences ? Math.round((inferenceMs / inferences) * 10) / 10 : 0, maskWidth: mask.width, maskHeight: mask.height, ms: 0, cacheNote, warnings: [...decodeWarnings, ...(cacheNote ? [cacheNote] : [])] };
  signal?.throwIfAborted();
  if (cacheDir && key && parts) {
    const meta: CachedMeta = { keyframes, finder: finderName, keyframeSchedule: schedule, maskWidth: mask.width, maskHeight: mask.height };
    // The cache is optional: failing to write it (full disk, read-only, a file in the way) is a warning.
    try {
      result.cacheFile = await writeCache(cacheDir, key, parts, { meta, atlas });
    } catch (err) {
      result.warnings.push(`${(err as Error).message}; the result was used without caching it`);
    }
  }
  result.ms = performance.now() - started;
  return result;
}

/** The atlas's motion section from samples per interval (undefined when no interval has any). */
function atlasMotion(frames: number[], motion: ReadonlyMap<number, MotionSample[]>): AtlasMotion | undefined {
  const first: number[] = [];
  const sampleFrames: number[] = [];
  const fields: Int16Array[] = [];
  frames.forEach((f, i) => {
    first.push(sampleFrames.length);
    const samples = motion.get(f);
    // Only samples that span exactly this interval (its end is the next keyframe).
    if (!samples || i + 1 >= frames.length || samples[samples.length - 1].frame !== frames[i + 1]) return;
    for (const s of samples) {
      sampleFrames.push(s.frame);
      fields.push(s.field);
    }
  });
  if (sampleFrames.length === 0) return undefined;
  const all = new Int16Array(fields.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of fields) {
    all.set(f, o);
    o += f.length;
  }
  return { blockSize: MOTION_BLOCK, first, frames: sampleFrames, fields: all };
}

/** Keyframes where the models found nothing take the box of found neighbours (linear in between). */
function fillGaps(k: PerKeyframe[]): void {
  const found = k.map((e, i) => (e.box ? i : -1)).filter((i) => i >= 0);
  for (let i = 0; i < k.length; i++) {
    if (k[i].box) continue;
    const before = [...found].reverse().find((j) => j < i);
    const after = found.find((j) => j > i);
    if (before === undefined || after === undefined) {
      k[i].box = [...(k[(before ?? after) as number].box as Box)];
    } else {
      const t = (i - before) / (after - before);
      const a = k[before].box as Box;
      const b = k[after].box as Box;
      k[i].box = a.map((v, j) => v + (b[j] - v) * t) as Box;
    }
    k[i].score = 0;
    k[i].mask = undefined;
  }
}
