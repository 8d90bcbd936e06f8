// The model entry points for the library's index: onnxruntime is imported on
// the first call, not whenever maskflow is imported (most renders use no model),
// and a missing onnxruntime-node is one clear error (runtime.ts). The signatures
// use types.ts only, so the published .d.ts never needs onnxruntime-node.
import { importModels } from './runtime.js';
import type { ModelPaths, RgbImage, SubjectFinding, SubjectModels } from './types.js';

export async function loadSubjectModels(paths: ModelPaths, prompt: string, options: { threads?: number } = {}): Promise<SubjectModels> {
  return (await importModels()).loadSubjectModels(paths, prompt, options);
}

export async function findSubject(models: SubjectModels, image: RgbImage, options: { near?: [number, number, number, number] } = {}): Promise<SubjectFinding | undefined> {
  return (await importModels()).findSubject(models, image, options);
}

export async function releaseSubjectModels(models: SubjectModels): Promise<void> {
  return (await importModels()).releaseSubjectModels(models);
}
