// Types for corpus-cases.mjs (imported by test/inputs-corpus-*.test.ts).
export interface Expect {
  frames: number;
  fps: string;
  audio: number;
  flash: number | null;
  tone: number | null;
  toneAfterFlash?: number;
  warnings?: RegExp[];
  sar?: string;
  dar?: string;
  colorRange?: string;
  colorSpace?: string;
  patchRgb?: number[];
  progressive?: boolean;
  refuse?: RegExp;
  todo?: string;
}
export interface Tools {
  ffmpeg: string;
  ffprobe: string;
}
export interface CorpusCase {
  name: string;
  group: string;
  file: string;
  what: string;
  needs?: string;
  make: (ff: (args: string[]) => void, dir: string, file: string, tools: Tools) => void;
  expect: Expect;
}
export declare const CASES: CorpusCase[];
export declare function corruptPacket(ffprobe: string, file: string, nth: number): void;
export declare function availableEncoders(ffmpeg: string): Set<string>;
export declare function makeCorpus(
  dir: string,
  tools: Tools,
  options?: { group?: string; only?: string[] },
): { made: CorpusCase[]; skipped: { case: CorpusCase; why: string }[] };
