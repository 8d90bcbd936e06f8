// Renders one batch: ffmpeg decodes [startFrame, endFrame) as raw yuv420p,
// the addon applies each run's compiled effect chain in place, and frames are
// piped to an ffmpeg encoder. A small ring of frame buffers is reused, so no
// frame is allocated per frame and the decoder, the effects and the encoder
// overlap.
import { performance } from 'node:perf_hooks';
import { fitFilter, imageKey, imageRequest, type ImageRequest } from '../effects/images.js';
import { EffectChain, FrameResampler, frameBytes } from '../native/effects.js';
import { FrameEncoder } from '../media/encoder.js';
import { readFrames, type FfmpegPaths } from '../media/ffmpeg.js';
import { liveProcesses } from '../media/process/index.js';
import { FrameCountError } from './errors.js';
import type { BatchJob, BatchResult } from './job.js';

const RING = 4;

/**
 * Test-only fault hook, MASKFLOW_FAULT=batch:N:FAULT[:once] (never set it in production):
 * - fail: batch N's decoder stops one frame short, so the batch fails as a bad input does (FrameCountError);
 * - hang: the worker thread blocks at the batch's first frame (a hung native call), after saying so on stderr;
 * - kill: the batch's decoder gets SIGKILL at its third frame (an ffmpeg killed from outside);
 * - crash: the worker thread dies at the first frame from an error thrown outside any handler.
 * With `:once` the fault fires on the batch's first attempt only, so a retry can succeed.
 */
export type Fault = 'fail' | 'hang' | 'kill' | 'crash';

export function faultFor(batch: number, attempt = 1, env: NodeJS.ProcessEnv = process.env): Fault | undefined {
  const m = /^batch:(\d+):(fail|hang|kill|crash)(:once)?$/.exec(env.MASKFLOW_FAULT ?? '');
  if (!m || Number(m[1]) !== batch) return undefined;
  return m[3] && attempt > 1 ? undefined : (m[2] as Fault);
}

/** The `hang` fault: this thread stops answering (terminate() still ends it). */
function hangForTest(batch: number): void {
  process.stderr.write(`MASKFLOW_FAULT: batch ${batch} hangs (test fault)\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 600; i++) Atomics.wait(cell, 0, 0, 100);
}

/** The `kill` fault: SIGKILL to this thread's decoder of `input`, as another program might send. */
function killDecoderForTest(batch: number, input: string): void {
  const decoder = liveProcesses().find((p) => p.name === 'ffmpeg' && p.what.includes(`decode ${input}`));
  process.stderr.write(`MASKFLOW_FAULT: batch ${batch} kills its decoder, pid ${decoder?.pid} (test fault)\n`);
  if (decoder?.pid !== undefined) process.kill(decoder.pid, 'SIGKILL');
}

/** The `crash` fault: an error nobody catches ends the worker thread. */
function crashForTest(batch: number): void {
  process.stderr.write(`MASKFLOW_FAULT: batch ${batch} crashes its worker (test fault)\n`);
  setImmediate(() => {
    throw new Error(`MASKFLOW_FAULT: batch ${batch} crashed its worker (test fault)`);
  });
}

async function decodeStill(paths: FfmpegPaths, image: ImageRequest, width: number, height: number): Promise<Uint8Array> {
  let still: Uint8Array | undefined;
  const filter = fitFilter(image, width, height);
  const n = await readFrames(
    { input: image.path, paths, width, height, pixFmt: 'yuv420p', filter, outputOptions: ['-frames:v', '1'], scaleFlags: 'bicubic' },
    (frame) => {
      still = new Uint8Array(frame);
    },
  );
  if (n !== 1 || !still) throw new Error(`background image ${image.path}: could not decode a frame from it`);
  return still;
}

export async function runBatch(
  job: BatchJob,
  atlas: Uint8Array,
  onProgress: (framesDone: number) => void,
): Promise<BatchResult> {
  const t0 = performance.now();
  const paths: FfmpegPaths = { ffmpeg: job.ffmpeg, ffprobe: job.ffprobe };
  const { width, height } = job;
  const expected = job.endFrame - job.startFrame;

  // Compile each run's effect chain once for this batch.
  const stills = new Map<string, Uint8Array>();
  const chains: { startFrame: number; endFrame: number; chain?: EffectChain }[] = [];
  for (const run of job.runs) {
    if (run.effects.length === 0) {
      chains.push({ startFrame: run.startFrame, endFrame: run.endFrame });
      continue;
    }
    const images: (Uint8Array | undefined)[] = [];
    for (const e of run.effects) {
      const image = imageRequest(e);
      if (image && !stills.has(imageKey(image))) stills.set(imageKey(image), await decodeStill(paths, image, width, height));
      images.push(image && stills.get(imageKey(image)));
    }
    chains.push({ startFrame: run.startFrame, endFrame: run.endFrame, chain: new EffectChain({ width, height, effects: run.effects, atlas, images }) });
  }

  const outWidth = job.reframe?.width ?? width;
  const outHeight = job.reframe?.height ?? height;
  const resampler = job.reframe
    ? new FrameResampler({ srcWidth: width, srcHeight: height, dstWidth: outWidth, dstHeight: outHeight })
    : undefined;
  const inBytes = frameBytes(width, height);
  const ring = Array.from({ length: RING }, () => new Uint8Array(inBytes));
  const outRing = resampler ? Array.from({ length: RING }, () => new Uint8Array(frameBytes(outWidth, outHeight))) : undefined;
  const inFlight: (Promise<void> | undefined)[] = Array.from({ length: RING }, () => undefined);
  let slot = 0;

  const encoder = new FrameEncoder({
    paths,
    width: outWidth,
    height: outHeight,
    fpsNum: job.fpsNum,
    fpsDen: job.fpsDen,
    output: job.outFile,
    encoder: job.encoder,
    tags: job.tags,
  });

  const fault = faultFor(job.batch, job.attempt);
  const ms = { decodeWait: 0, effects: 0, encodeWait: 0, total: 0 };
  let done = 0;
  let written = 0;
  let lastReport = 0;
  let waitStart = performance.now();
  try {
    const decoded = await readFrames(
      {
        input: job.input,
        paths,
        width,
        height,
        pixFmt: 'yuv420p',
        inputOptions: [
          ...(job.encoder.threads !== undefined ? ['-threads', String(job.encoder.threads)] : []),
          ...job.decode.inputOptions,
        ],
        map: job.decode.map,
        filter: job.decode.filter,
        colorMatrix: job.decode.colorMatrix,
        outputOptions: ['-vsync', '0', '-frames:v', String(fault === 'fail' ? expected - 1 : expected)],
      },
      async (frame, index) => {
        if (index === 0 && fault === 'hang') hangForTest(job.batch);
        if (index === 0 && fault === 'crash') crashForTest(job.batch);
        if (index === 2 && fault === 'kill') killDecoderForTest(job.batch, job.input);
        const t1 = performance.now();
        ms.decodeWait += t1 - waitStart;
        const frameIndex = job.startFrame + index;
        const run = chains.find((c) => frameIndex >= c.startFrame && frameIndex < c.endFrame);
        run?.chain?.apply(frame, frameIndex);
        let out = frame;
        if (resampler && outRing && job.reframe) {
          const c = job.reframe.crops;
          const at = c.length === 4 ? 0 : index * 4;
          out = outRing[slot];
          resampler.apply(frame, out, { x: c[at], y: c[at + 1], w: c[at + 2], h: c[at + 3] });
        }
        const t2 = performance.now();
        ms.effects += t2 - t1;
        // A frame rate change repeats or drops frames here; the same buffer may go out twice.
        const copies = job.repeats ? job.repeats[index] : 1;
        for (let c = 0; c < copies; c++) {
          const { flushed } = await encoder.write(out);
          inFlight[slot] = flushed;
          written++;
        }
        slot = (slot + 1) % RING;
        done++;
        const now = performance.now();
        ms.encodeWait += now - t2;
        if (now - lastReport > 200) {
          lastReport = now;
          onProgress(done);
        }
        waitStart = performance.now();
      },
      async () => {
        // Reuse a ring slot only once the encoder pipe has taken its previous frame.
        const pending = inFlight[slot];
        if (pending) {
          const t = performance.now();
          await pending;
          ms.encodeWait += performance.now() - t;
          inFlight[slot] = undefined;
        }
        return ring[slot];
      },
    );
    if (decoded !== expected) throw new FrameCountError(job, decoded);
    await encoder.finish();
  } catch (err) {
    await encoder.abort();
    throw err;
  }
  onProgress(done);
  ms.total = performance.now() - t0;
  return { batch: job.batch, frames: done, written, ms };
}
