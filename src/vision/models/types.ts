// The model types of the public API, apart from the session code so the
// published .d.ts never needs onnxruntime-node (an optional peer dependency).
import type { SegmenterPreset } from './segmenter-presets.js';

export type { RgbImage } from './rgb-resample.js';
export type { SegmenterPreset };

export interface ModelPaths {
  detector?: string;
  /** CLIP folder (onnx/vision_model.onnx + onnx/text_model.onnx, or onnx/model.onnx; tokenizer.json) */
  ranker?: string;
  segmenter?: string;
  segmenterPreset?: SegmenterPreset;
  /**
   * onnxruntime execution provider for every model: cpu (default), cuda, tensorrt, coreml, dml or
   * webgpu, when the installed onnxruntime-node has it (loading fails naming the ones it has).
   */
  executionProvider?: string;
}

/** Models loaded once by loadSubjectModels(); pass to findSubject(), then releaseSubjectModels(). */
export interface SubjectModels {
  /** Sessions created by this load, per kind (detector, ranker.vision, ranker.text, ranker, segmenter). */
  readonly loads: Record<string, number>;
  /** Models in use, e.g. ['detector', 'ranker']. */
  readonly names: string[];
  readonly prompt: string;
}

export interface SubjectFinding {
  /** x, y, w, h in image pixels */
  box: [number, number, number, number];
  /** detector confidence (0..1), or mean mask value in the box for a segmenter alone */
  score: number;
  label?: string;
  /** width×height, 0..255 */
  mask?: Uint8Array;
  /** ranker: cosine similarity with the prompt and softmax probability among the candidates */
  similarity?: number;
  probability?: number;
  /** how many candidates the detector kept */
  candidates?: number;
}
