// Which onnxruntime execution provider runs the models (`--execution-provider`).
// The names are onnxruntime-node's own. Whether one is usable depends on the
// installed onnxruntime-node build: its binding lists the providers compiled in,
// and the non-bundled ones (CUDA, TensorRT) also need their provider library,
// which onnxruntime-node's installer downloads only on request. This module
// does not import onnxruntime: the CLI validates names without loading it.

/** Execution providers onnxruntime-node has builds for (cpu everywhere; the others per platform and build). */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'coreml', 'dml', 'webgpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
export const DEFAULT_EXECUTION_PROVIDER: ExecutionProvider = 'cpu';

export function isExecutionProvider(name: string): name is ExecutionProvider {
  return (EXECUTION_PROVIDERS as readonly string[]).includes(name);
}

export class ExecutionProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionProviderError';
  }
}

/** What the installed onnxruntime-node says about one provider. */
export interface ProviderListing {
  name: string;
  /** Shipped inside the package (no extra library to install). */
  bundled: boolean;
}

/** File name of a non-bundled provider's library on this platform (what onnxruntime loads at session creation). */
export function providerLibraryName(name: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? `onnxruntime_providers_${name}.dll` : `libonnxruntime_providers_${name}.so`;
}

/**
 * The usable providers of an installed onnxruntime-node: the bundled ones, and the
 * non-bundled ones whose provider library is present (`hasLibrary`).
 */
export function usableProviders(listed: readonly ProviderListing[], hasLibrary: (file: string) => boolean): string[] {
  return listed.filter((p) => p.bundled || hasLibrary(providerLibraryName(p.name))).map((p) => p.name);
}

/**
 * Throws unless `requested` is usable; the message names the installed
 * onnxruntime-node (`where`), what it offers here, and what would make the
 * requested provider work.
 */
export function checkExecutionProvider(requested: string, listed: readonly ProviderListing[], usable: readonly string[], where: string): void {
  if (!isExecutionProvider(requested)) {
    throw new ExecutionProviderError(`execution provider "${requested}" is unknown; expected one of ${EXECUTION_PROVIDERS.join(', ')}`);
  }
  if (usable.includes(requested)) return;
  const listing = listed.find((p) => p.name === requested);
  const why = listing
    ? `this build knows ${requested} but its provider library ${providerLibraryName(requested)} is not installed` +
      (requested === 'cuda' || requested === 'tensorrt'
        ? ' (it needs CUDA 12 and cuDNN on the machine; `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` downloads it)'
        : '')
    : `this build of onnxruntime-node for ${process.platform}-${process.arch} has no ${requested} support` +
      (requested === 'coreml' ? ' (CoreML is in the macOS builds)' : requested === 'dml' ? ' (DirectML is in the Windows builds)' : '');
  throw new ExecutionProviderError(
    `execution provider "${requested}" is not available in the installed onnxruntime-node (${where}): ${why}. ` +
      `Available here: ${usable.join(', ') || 'none'}. Use --execution-provider ${usable.includes('cpu') ? 'cpu' : usable[0] ?? 'cpu'} (the default is cpu)`,
  );
}
