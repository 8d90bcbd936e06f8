// What maskflow needs to know about an input video.
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
  /** Frame rate as a fraction and as a number (e.g. 30000/1001 and 29.97…). */
  fpsNum: number;
  fpsDen: number;
  fps: number;
  /**
   * True when the stream's nominal rate differs from its average rate: frame
   * times are then not index/fps, and batches seek by measured timestamps.
   */
  variableFrameRate: boolean;
  /** Container start time in seconds (input seeks are relative to it). */
  startTime: number;
  /** Exact number of video frames (counted when the container does not say). */
  frames: number;
  /** Seconds. */
  duration: number;
  /** Display rotation in degrees (0, 90, 180, 270). */
  rotation: number;
  pixFmt: string;
  codec: string;
  /** Index of the video stream in the file (for per-packet scans). */
  videoStream?: number;
  audio: { index: number; codec: string; channels: number; sampleRate: number }[];
}
