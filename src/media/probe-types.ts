// What maskflow needs to know about an input video.
import type { FrameGrid } from './frame-grid.js';

export interface ProbeInfo {
  /** Absolute path of the probed file. */
  file: string;
  /**
   * Display frame size: the coded size with the rotation applied. ffmpeg
   * auto-rotates when decoding, so every decoded frame has this size.
   */
  width: number;
  height: number;
  /** Size as stored in the stream, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Frame rate of the frame grid (what a render produces) as a fraction and as a number (e.g. 30000/1001 and 29.97…). */
  fpsNum: number;
  fpsDen: number;
  fps: number;
  /** True when the input's pictures are not evenly spaced (the grid places each at its own time). */
  variableFrameRate: boolean;
  /** Container start time in seconds (ffmpeg's input seeks are relative to it). */
  startTime: number;
  /** Frames a render produces: the frame grid's length (frame-grid.ts). */
  frames: number;
  /** Seconds: frames / fps. */
  duration: number;
  /** Display rotation in degrees (0, 90, 180, 270). */
  rotation: number;
  pixFmt: string;
  codec: string;
  /** Index of the video stream in the file (for per-packet scans). */
  videoStream?: number;
  /** The frame grid every stage decodes by. */
  grid: FrameGrid;
  /** What is unusual about the input and how it is handled, for the report's warnings. */
  notes: string[];
  /** Interlaced (field order other than progressive). */
  interlaced?: boolean;
  /** Sample (pixel) aspect ratio, when pixels are not square. */
  sampleAspect?: [number, number];
  /** Colour tags of the video stream as ffprobe names them (kept on the output). */
  color?: { range?: string; space?: string; transfer?: string; primaries?: string };
  audio: { index: number; codec: string; channels: number; sampleRate: number; startTime?: number; language?: string }[];
}
