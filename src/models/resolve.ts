// `--segmenter isnet` or `--segmenter ./model.onnx`: model options take a
// registry name or a path. Names become cache paths (downloading or assembling
// the model on first use) and bring their segmenter preset unless one is given.
import { existsSync } from 'node:fs';
import type { ModelPaths } from '../vision/models/types.js';
import { findModel, looksLikePath, MODEL_REGISTRY, type ModelTask } from './registry.js';
import { ensureModel, ModelUnavailableError, type EnsureOptions } from './store.js';

export interface ResolvedModel {
  role: ModelTask;
  name: string;
  path: string;
  source: 'path' | 'cache' | 'npm' | 'download';
}

/** Whether a model option names a registry entry (and not an existing file or folder). */
export function isModelName(value: string): boolean {
  return !looksLikePath(value) && !existsSync(value) && findModel(value) !== undefined;
}

/** Resolves each named model in `paths` to its cache path; paths pass through unchanged. */
export async function resolveModelPaths(paths: ModelPaths, options: EnsureOptions = {}): Promise<{ paths: ModelPaths; resolved: ResolvedModel[] }> {
  const out: ModelPaths = { ...paths };
  const resolved: ResolvedModel[] = [];
  for (const role of ['detector', 'ranker', 'segmenter'] as const) {
    const value = paths[role];
    if (!value) continue;
    if (looksLikePath(value) || existsSync(value)) {
      resolved.push({ role, name: value, path: value, source: 'path' });
      continue;
    }
    const model = findModel(value);
    if (!model) {
      // Neither a file nor a name: let the caller's file check report the path, with the names as a hint.
      throw new ModelUnavailableError(`--${role} ${value}: no such file, and not a model name (known ${role}s: ${knownFor(role)}; \`maskflow models list\`)`);
    }
    if (model.task !== role) throw new ModelUnavailableError(`--${role} ${value}: ${model.name} is a ${model.task}, not a ${role} (known ${role}s: ${knownFor(role)})`);
    const got = await ensureModel(model.name, options);
    out[role] = got.path;
    if (role === 'segmenter' && !paths.segmenterPreset) out.segmenterPreset = model.preset;
    resolved.push({ role, name: model.name, path: got.path, source: got.source });
  }
  return { paths: out, resolved };
}

function knownFor(role: ModelTask): string {
  return MODEL_REGISTRY.filter((m) => m.task === role).map((m) => m.name).join(', ');
}
