// A batch job is plain data: (input, frame range, resolved effects, encoder
// settings, output file). The mask atlas travels beside it as shared bytes.
// Nothing here refers to in-process state, so a queue could later ship jobs
// to other machines and the finish step would concatenate the files unchanged.
import type { EncoderSettings } from '../media/encoder.js';
import type { VideoTags } from '../media/video-tags.js';
import type { FrameRun } from '../plan/resolve.js';

export interface ReframeJob {
  /** Output frame size (even). */
  width: number;
  height: number;
  /**
   * Crop window in input pixels, x, y, w, h: one per frame of this batch, or
   * a single window used for every frame (e.g. trimming an odd size to even).
   */
  crops: number[];
}

export interface BatchJob {
  batch: number;
  input: string;
  ffmpeg: string;
  ffprobe: string;
  /** Decoded frame size (display size of the input). */
  width: number;
  height: number;
  /** Frame rate of the encoded batch (the output's: the input's unless output.fps changes it). */
  fpsNum: number;
  fpsDen: number;
  /**
   * Output frames per decoded frame, one entry per frame of [startFrame, endFrame):
   * 0 drops it, 2 shows it twice (retime.ts). Undefined: one each.
   */
  repeats?: number[];
  startFrame: number;
  endFrame: number; // exclusive
  /** Decoder options that give exactly the frames of the input's frame grid from startFrame (media/frame-grid.ts gridDecode). */
  decode: { inputOptions: string[]; filter: string; map?: string; colorMatrix?: string };
  runs: FrameRun[];
  encoder: EncoderSettings;
  /** Sample aspect ratio and colour tags of the encoded video (media/video-tags.ts). */
  tags?: VideoTags;
  reframe?: ReframeJob;
  /** Where the encoded batch goes (inside the run's temp folder). */
  outFile: string;
  /** 1 for the first try, 2 for the retry after a transient failure (src/render/pool.ts). */
  attempt?: number;
}

export interface BatchResult {
  batch: number;
  /** Tries it took (2: retried after a transient failure). */
  attempts?: number;
  /** Frames decoded and rendered. */
  frames: number;
  /** Frames encoded (differs from `frames` when the frame rate changes). */
  written?: number;
  ms: { decodeWait: number; effects: number; encodeWait: number; total: number };
}
