// Model names in analysis options, resolved with messages and a progress line
// (analysis stays free of the downloader's details).
import type { ModelPaths } from '../vision/models/types.js';
import { downloadProgressPrinter } from './progress-bar.js';
import { resolveModelPaths } from './resolve.js';

export async function resolveModels(models: ModelPaths, onMessage?: (line: string) => void): Promise<ModelPaths> {
  const log = onMessage ?? ((line: string): void => void process.stderr.write(`maskflow: ${line}\n`));
  const progress = onMessage ? undefined : downloadProgressPrinter(process.stderr);
  const { paths } = await resolveModelPaths(models, { log, onProgress: progress && ((file, p) => progress(file.path, p)) });
  return paths;
}
