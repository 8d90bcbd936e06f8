// --execution-provider: names are checked up front; a provider the installed
// onnxruntime-node lacks fails before any session, naming the ones it has; cpu runs
// real sessions of a fixture segmenter (a hand-built graph, not a trained model).
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { analyseCommand } from '../src/cli/analyse.js';
import { UsageError } from '../src/cli/command.js';
import { modelOptions } from '../src/cli/model-options.js';
import { checkOptions } from '../src/render/options.js';
import { checkExecutionProvider, EXECUTION_PROVIDERS, ExecutionProviderError, usableProviders } from '../src/vision/models/execution-providers.js';
import { findSubject, loadSubjectModels, releaseSubjectModels } from '../src/vision/models/index.js';
import { installedProviders } from '../src/vision/models/session.js';
import { modelLoadCounts } from '../src/vision/models/load-counts.js';
import { drawScene, generateFixtures } from './helpers/fixture-models.js';
import { makeClip } from './helpers/vision-clips.js';

const fixtures = generateFixtures(t);

function quietIo(): { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.resume();
  stderr.resume();
  return { stdout, stderr };
}

t.test('which providers count as usable, and the messages for the others', async (t) => {
  const listed = [
    { name: 'cpu', bundled: true },
    { name: 'cuda', bundled: false },
    { name: 'tensorrt', bundled: false },
  ];
  t.same(usableProviders(listed, () => false), ['cpu'], 'a non-bundled provider needs its library');
  t.same(usableProviders(listed, (lib) => lib.includes('cuda')), ['cpu', 'cuda'], 'with its library it is usable');
  t.doesNotThrow(() => checkExecutionProvider('cpu', listed, ['cpu'], 'X'));
  t.throws(() => checkExecutionProvider('cuda', listed, ['cpu'], '/x/onnxruntime-node'), {
    name: 'ExecutionProviderError',
    message: /execution provider "cuda" is not available in the installed onnxruntime-node \(\/x\/onnxruntime-node\): this build knows cuda but its provider library libonnxruntime_providers_cuda\.so is not installed .*cuda12.*Available here: cpu\./,
  });
  t.throws(() => checkExecutionProvider('dml', listed, ['cpu'], 'X'), { message: /has no dml support \(DirectML is in the Windows builds\).*Available here: cpu/ });
  t.throws(() => checkExecutionProvider('opencl', listed, ['cpu'], 'X'), { message: /"opencl" is unknown; expected one of cpu, cuda, tensorrt, coreml, dml, webgpu/ });
});

t.test('the CLI and render() refuse unknown provider names before any work', async (t) => {
  t.throws(() => modelOptions({ 'execution-provider': 'gpu' }), UsageError);
  t.throws(() => modelOptions({ 'execution-provider': 'gpu' }), { message: /--execution-provider must be one of cpu, cuda, tensorrt, coreml, dml, webgpu, got "gpu"/ });
  t.equal(modelOptions({ 'execution-provider': 'cuda' }).models.executionProvider, 'cuda');
  const dir = t.testdir({ 'in.mp4': '' });
  t.throws(() => checkOptions({ input: join(dir, 'in.mp4'), output: join(dir, 'out.mp4'), executionProvider: 'gpu' }), { name: 'RenderError', message: /executionProvider must be one of cpu, cuda/ });
});

// What this machine's onnxruntime-node offers decides which provider is "missing" here (cuda without its library on a CPU-only install).
const installed = installedProviders();
const missing = EXECUTION_PROVIDERS.find((p) => !installed.usable.includes(p));

t.test('the installed onnxruntime-node: cpu is usable; a missing provider fails naming what is available', async (t) => {
  t.comment(`onnxruntime-node at ${installed.where}: lists ${installed.listed.map((p) => `${p.name}${p.bundled ? '' : ' (library needed)'}`).join(', ')}; usable here: ${installed.usable.join(', ')}`);
  t.ok(installed.usable.includes('cpu'), 'cpu is always usable');
  if (!missing) {
    t.pass('every provider is usable on this machine; nothing to refuse');
    return;
  }
  const before = modelLoadCounts().segmenter ?? 0;
  const err = await loadSubjectModels({ segmenter: fixtures.segmenter, executionProvider: missing }, '').then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ExecutionProviderError, `--execution-provider ${missing} is refused (${String(err)})`);
  const message = (err as Error).message;
  t.match(message, new RegExp(`execution provider "${missing}" is not available in the installed onnxruntime-node`));
  t.ok(message.includes(`Available here: ${installed.usable.join(', ')}.`), `the message lists the usable providers: ${message}`);
  t.equal(modelLoadCounts().segmenter ?? 0, before, 'no session was created');
});

t.test('--execution-provider cpu runs real sessions of a fixture segmenter', async (t) => {
  const models = await loadSubjectModels({ segmenter: fixtures.segmenter, executionProvider: 'cpu' }, '');
  t.same(models.loads, { segmenter: 1 });
  try {
    const scene = drawScene(160, 120, [{ box: [50, 30, 60, 60], rgb: [230, 40, 40], shape: 'disc' }]);
    const found = await findSubject(models, scene);
    t.ok(found?.mask, 'a mask came back');
    const mask = found?.mask ?? new Uint8Array(0);
    t.ok(mask[75 * 160 + 80] > 128 && mask[5 * 160 + 5] < 128, 'subject inside, background outside');
  } finally {
    await releaseSubjectModels(models);
  }
});

t.test('maskflow analyse --execution-provider: cpu works, a missing provider fails clearly and writes nothing', async (t) => {
  const dir = t.testdir();
  const clip = makeClip({ dir, background: 'still-cellauto', width: 160, height: 120, seconds: 1 });
  const json = join(dir, 'a.json');
  t.equal(await analyseCommand.run([clip.file, '--segmenter', fixtures.segmenter, '--execution-provider', 'cpu', '--json', json, '--no-cache'], quietIo()), 0);
  t.ok(existsSync(json));
  if (missing) {
    const other = join(dir, 'b.json');
    await t.rejects(analyseCommand.run([clip.file, '--segmenter', fixtures.segmenter, '--execution-provider', missing, '--json', other, '--no-cache'], quietIo()), {
      name: 'ExecutionProviderError',
      message: new RegExp(`"${missing}" is not available .*Available here: cpu`),
    });
    t.notOk(existsSync(other), 'nothing written');
  }
  await t.rejects(analyseCommand.run([clip.file, '--segmenter', fixtures.segmenter, '--execution-provider', 'nope'], quietIo()), UsageError);
});

t.test('a provider that is present but cannot start fails naming the model and the provider', { skip: installed.usable.includes('webgpu') ? false : 'webgpu is not in this onnxruntime-node build' }, async (t) => {
  // webgpu ships inside onnxruntime-node; on a machine with no GPU adapter it cannot start.
  const result = await loadSubjectModels({ segmenter: fixtures.segmenter, executionProvider: 'webgpu' }, '').then(
    async (m) => {
      await releaseSubjectModels(m);
      return 'started';
    },
    (e: unknown) => e,
  );
  if (result === 'started') t.pass('webgpu started here (this machine has a GPU adapter)');
  else t.match(result, { name: 'ExecutionProviderError', message: /segmenter\.onnx: the segmenter model did not start on execution provider webgpu: .*--execution-provider cpu runs everywhere/ });
});
