// Creating onnxruntime sessions (counted, process-wide) and checking their input/output
// signatures against what the pre/post-processing expects, with errors naming the file.
import ort from 'onnxruntime-node';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ModelFileError } from './errors.js';
import { checkExecutionProvider, DEFAULT_EXECUTION_PROVIDER, ExecutionProviderError, usableProviders, type ProviderListing } from './execution-providers.js';
import { countLoad, type LoadContext } from './load-counts.js';
import { readOnnxHeader, type OnnxHeader } from './onnx-file.js';

export type Session = ort.InferenceSession;
export type ValueMeta = ort.InferenceSession.ValueMetadata;
export type TensorMeta = ort.InferenceSession.TensorValueMetadata;

export { modelLoadCounts } from './load-counts.js';

export function checkModelFile(file: string, role: string): void {
  if (!existsSync(file)) throw new ModelFileError(file, `${role} model file does not exist`);
  if (!statSync(file).isFile()) throw new ModelFileError(file, `${role} model path is not a file`);
}

/** The installed onnxruntime-node's providers: as its binding lists them, and those usable here. */
export function installedProviders(): { listed: ProviderListing[]; usable: string[]; where: string } {
  const index = createRequire(import.meta.url).resolve('onnxruntime-node');
  const bin = join(dirname(index), '..', 'bin');
  // bin/napi-vN/PLATFORM/ARCH holds the binding and any provider libraries the installer added.
  const dirs = existsSync(bin) ? readdirSync(bin).map((napi) => join(bin, napi, process.platform, process.arch)).filter((d) => existsSync(d)) : [];
  const listed = ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
  const usable = usableProviders(listed, (lib) => dirs.some((d) => existsSync(join(d, lib))));
  return { listed, usable, where: `${join(dirname(index), '..')}, version ${ort.env.versions.node ?? 'unknown'}` };
}

/** Throws an ExecutionProviderError naming what is available unless `name` is usable with the installed onnxruntime-node. */
export function requireExecutionProvider(name: string): void {
  if (name === DEFAULT_EXECUTION_PROVIDER) return;
  const { listed, usable, where } = installedProviders();
  checkExecutionProvider(name, listed, usable, where);
}

/** Creates a session after checking the file is an ONNX ModelProto (pass `header` if already read). */
export async function createSession(kind: string, file: string, context: LoadContext = {}, header?: OnnxHeader): Promise<Session> {
  const { threads, tally } = context;
  const provider = context.executionProvider ?? DEFAULT_EXECUTION_PROVIDER;
  checkModelFile(file, kind);
  if (!header) readOnnxHeader(file);
  requireExecutionProvider(provider);
  // Nodes the provider cannot run fall back to onnxruntime's CPU kernels inside the same session.
  // Intra-op threads sleep instead of spinning between operators: measured on IS-Net (1024², a
  // shared 2-core machine), spinning cost ~12 % more CPU per inference and no wall time saved,
  // and its busy-waiting takes cores from the ffmpeg decode running beside the analysis.
  const options: ort.InferenceSession.SessionOptions = { executionProviders: [provider], graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } };
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a non-negative integer (got ${threads})`);
    options.intraOpNumThreads = threads;
  }
  let session: Session;
  try {
    session = await ort.InferenceSession.create(file, options);
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    if (provider !== DEFAULT_EXECUTION_PROVIDER) {
      throw new ExecutionProviderError(`${file}: the ${kind} model did not start on execution provider ${provider}: ${first}. --execution-provider cpu runs everywhere`);
    }
    throw new ModelFileError(file, `onnxruntime could not load the ${kind} model: ${first}`);
  }
  countLoad(kind);
  if (tally) tally[kind] = (tally[kind] ?? 0) + 1;
  return session;
}

export function describeValue(meta: ValueMeta): string {
  if (!meta.isTensor) return `${meta.name} (not a tensor)`;
  return `${meta.name} ${meta.type} [${meta.shape.join(',')}]`;
}

export interface Expectation {
  /** Accepted names (first is the one quoted in errors); undefined = any name. */
  names?: readonly string[];
  types: readonly ort.Tensor.Type[];
  rank: number;
  /** Fixed dims where they must match when the model declares them as numbers (undefined = any). */
  dims?: readonly (number | undefined)[];
  /** Human description of the expected layout, e.g. "[1,3,640,640]". */
  layout: string;
}

function describeExpectation(e: Expectation): string {
  const name = e.names ? `"${e.names.join('" or "')}" ` : '';
  return `${name}${e.types.join('/')} rank ${e.rank} ${e.layout}`;
}

function matches(meta: ValueMeta, e: Expectation): string | undefined {
  if (!meta.isTensor) return 'is not a tensor';
  if (!e.types.includes(meta.type)) return `has type ${meta.type}`;
  if (meta.shape.length !== e.rank) return `has rank ${meta.shape.length} [${meta.shape.join(',')}]`;
  for (let i = 0; i < (e.dims?.length ?? 0); i++) {
    const want = e.dims?.[i];
    const got = meta.shape[i];
    if (want !== undefined && typeof got === 'number' && got > 0 && got !== want) return `has dim ${i} = ${got}`;
  }
  return undefined;
}

/** Finds the input/output meeting `e`; throws naming file, role, expectation and what was found. */
export function requireValue(session: Session, file: string, side: 'input' | 'output', role: string, e: Expectation): TensorMeta {
  const list = side === 'input' ? session.inputMetadata : session.outputMetadata;
  const candidates = e.names ? list.filter((m) => e.names?.includes(m.name)) : list.slice(0, 1);
  const found = list.map(describeValue).join('; ') || 'none';
  if (candidates.length === 0) {
    throw new ModelFileError(file, `${role}: expected ${side} ${describeExpectation(e)}; found ${side}s: ${found}`);
  }
  const meta = candidates[0];
  const problem = matches(meta, e);
  if (problem) throw new ModelFileError(file, `${role}: expected ${side} ${describeExpectation(e)}, but ${meta.name} ${problem}`);
  return meta as TensorMeta;
}

/** Dimension as a number when the model fixes it, else undefined (named/dynamic dims are strings). */
export function fixedDim(meta: TensorMeta, index: number): number | undefined {
  const d = meta.shape[index];
  return typeof d === 'number' && d > 0 ? d : undefined;
}

export async function releaseQuietly(sessions: Iterable<Session | undefined>): Promise<void> {
  for (const s of sessions) {
    if (!s) continue;
    try {
      await s.release();
    } catch {
      // Releasing is best effort during error cleanup; the original error matters more.
    }
  }
}
