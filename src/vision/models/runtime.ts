// onnxruntime-node is an optional peer dependency: its installer downloads CUDA
// parts from NuGet and fails offline, so a user who never passes a model must
// never depend on it. Everything that needs it is reached through importModels(),
// which turns "not installed" / "does not load" into one clear error.
export const ONNXRUNTIME_PACKAGE = 'onnxruntime-node';
export const ONNXRUNTIME_RANGE = '^1.30.0';

export class OnnxRuntimeMissingError extends Error {
  constructor(readonly reason: 'not-installed' | 'does-not-load', detail: string) {
    const fix =
      `Install it next to maskflow: \`npm install ${ONNXRUNTIME_PACKAGE}@${ONNXRUNTIME_RANGE}\` ` +
      `(offline or without a GPU, skip its CUDA download: \`ONNXRUNTIME_NODE_INSTALL=skip npm install ${ONNXRUNTIME_PACKAGE}@${ONNXRUNTIME_RANGE}\`). ` +
      'Renders without --detector, --ranker or --segmenter do not need it.';
    super(
      reason === 'not-installed'
        ? `models need ${ONNXRUNTIME_PACKAGE}, which is not installed (${detail}). ${fix}`
        : `${ONNXRUNTIME_PACKAGE} is installed but does not load (${detail}). ${fix}`,
    );
    this.name = 'OnnxRuntimeMissingError';
  }
}

function isMissingOnnxRuntime(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && !!e.message?.includes(`'${ONNXRUNTIME_PACKAGE}'`);
}

/** Whether an error came from loading onnxruntime-node's own code or native binding. */
function isOnnxRuntimeLoadFailure(err: unknown): boolean {
  const e = err as { message?: string; stack?: string };
  return /onnxruntime/i.test(e?.message ?? '') || /node_modules[\\/]onnxruntime-(node|common)[\\/]/.test(e?.stack ?? '');
}

type Models = typeof import('./index.js');
let loaded: Promise<Models> | undefined;

/** The model code (and onnxruntime-node under it), imported once on first use. */
export function importModels(): Promise<Models> {
  loaded ??= import('./index.js').catch((err: unknown) => {
    loaded = undefined; // installing it and trying again in the same process should work
    const first = ((err as Error)?.message ?? String(err)).split('\n')[0];
    if (isMissingOnnxRuntime(err)) throw new OnnxRuntimeMissingError('not-installed', first);
    if (isOnnxRuntimeLoadFailure(err)) throw new OnnxRuntimeMissingError('does-not-load', first);
    throw err;
  });
  return loaded;
}
