// Native view of JS memory, used to prove that workers share the atlas
// instead of receiving copies.
import { loadNative } from './loader.js';

/** The data pointer behind a typed array, as the addon sees it. */
export function nativeMemoryAddress(view: Uint8Array): bigint {
  return loadNative().binding.addressOf(view);
}
