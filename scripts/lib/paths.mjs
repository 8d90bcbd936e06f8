// Shared helpers for the build scripts (plain Node, no shell).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Newest modification time (ms) among files under `paths` (files or folders). */
export function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) visit(join(p, name));
    } else if (st.mtimeMs > newest) {
      newest = st.mtimeMs;
    }
  };
  for (const p of paths) visit(p);
  return newest;
}

/** A git checkout has the TypeScript sources; an installed tarball does not. */
export function isCheckout() {
  return existsSync(join(root, 'src')) && existsSync(join(root, 'tsconfig.json'));
}

export function log(message) {
  process.stderr.write(`maskflow: ${message}\n`);
}
