import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The version in this package's package.json (src/ and dist/ sit one level below it). */
export function packageVersion(): string {
  if (cached) return cached;
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
  cached = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  return cached;
}
