// Models shipped inside npm packages, assembled into the model cache without a
// download. @imgly/background-removal-data splits each model into chunks:
// dist/resources.json maps a resource ("/models/medium") to
// { chunks: [{ hash, offsets: [start, end] }], size, mime }, and each chunk is
// the file dist/<hash>, named by its sha256. Every chunk is checked before the
// model is written (temp file + rename), so a damaged package never yields a model.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

export interface NpmModelPackage {
  name: string;
  dir: string;
  version: string;
}

export class NpmModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpmModelError';
  }
}

/** Env var naming the folder of @imgly/background-removal-data, or a prefix holding node_modules/@imgly/…. */
export const IMGLY_DATA_ENV = 'MASKFLOW_IMGLY_DATA';

function packageAt(dir: string, name: string): NpmModelPackage | undefined {
  const candidates = [dir, join(dir, 'node_modules', name)];
  for (const c of candidates) {
    const pj = join(c, 'package.json');
    if (!existsSync(pj)) continue;
    try {
      const meta = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
      if (meta.name === name) return { name, dir: c, version: meta.version ?? 'unknown' };
    } catch {
      // Not a readable package.json: try the next place.
    }
  }
  return undefined;
}

/**
 * Where the package is installed: `$MASKFLOW_IMGLY_DATA` (for @imgly/background-removal-data),
 * else Node's module resolution from maskflow's own folder, then from the current directory.
 */
export function findNpmModelPackage(name: string, env: NodeJS.ProcessEnv = process.env): NpmModelPackage | undefined {
  if (name === '@imgly/background-removal-data' && env[IMGLY_DATA_ENV]) {
    const found = packageAt(resolve(env[IMGLY_DATA_ENV]), name);
    if (!found) throw new NpmModelError(`${IMGLY_DATA_ENV}=${env[IMGLY_DATA_ENV]} holds no ${name} package (expected its folder, or a prefix with node_modules/${name})`);
    return found;
  }
  for (const from of [import.meta.url, join(process.cwd(), 'package.json')]) {
    try {
      // Resolve the package folder through its node_modules path (its exports may not list package.json).
      const paths = createRequire(from).resolve.paths(name) ?? [];
      for (const p of paths) {
        const found = packageAt(join(p, name), name);
        if (found) return found;
      }
    } catch {
      // Resolution failed from here: try the next starting point.
    }
  }
  return undefined;
}

interface Resource {
  chunks: { hash: string; offsets: [number, number] }[];
  size: number;
  mime?: string;
}

function readResources(pkg: NpmModelPackage): Record<string, Resource> {
  const file = join(pkg.dir, 'dist', 'resources.json');
  if (!existsSync(file)) throw new NpmModelError(`${pkg.name} ${pkg.version} at ${pkg.dir} has no dist/resources.json (an unexpected layout)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Resource>;
  } catch (err) {
    throw new NpmModelError(`${file} is not valid JSON (${(err as Error).message})`);
  }
}

/** Assembles `resource` into `dest` (atomically), checking each chunk's sha256 and the total size. */
export async function assembleFromNpm(pkg: NpmModelPackage, resource: string, dest: string, expectedSize?: number): Promise<{ sha256: string; size: number }> {
  const resources = readResources(pkg);
  const entry = resources[resource];
  if (!entry || !Array.isArray(entry.chunks)) {
    throw new NpmModelError(`${pkg.name} ${pkg.version}: dist/resources.json has no ${resource} (found ${Object.keys(resources).filter((k) => k.startsWith('/models')).join(', ') || 'no models'})`);
  }
  if (expectedSize !== undefined && entry.size !== expectedSize) {
    throw new NpmModelError(`${pkg.name} ${pkg.version}: ${resource} has ${entry.size} bytes, maskflow's registry expects ${expectedSize} (another version of the package? maskflow is tested with 1.4.5)`);
  }
  const chunks = [...entry.chunks].sort((a, b) => a.offsets[0] - b.offsets[0]);
  let expected = 0;
  for (const c of chunks) {
    if (c.offsets[0] !== expected) throw new NpmModelError(`${pkg.name}: ${resource} chunk ${c.hash} starts at ${c.offsets[0]}, expected ${expected} (chunks do not tile the file)`);
    expected = c.offsets[1];
  }
  if (expected !== entry.size) throw new NpmModelError(`${pkg.name}: ${resource} chunks cover ${expected} bytes, resources.json says ${entry.size}`);
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part-${process.pid}`;
  const whole = createHash('sha256');
  const handle = await open(part, 'w');
  try {
    for (const c of chunks) {
      const file = join(pkg.dir, 'dist', c.hash);
      if (!existsSync(file)) throw new NpmModelError(`${pkg.name}: chunk ${file} of ${resource} is missing (a partial install? reinstall the package)`);
      const bytes = await readFile(file);
      const want = c.offsets[1] - c.offsets[0];
      if (bytes.length !== want) throw new NpmModelError(`${pkg.name}: chunk ${file} has ${bytes.length} bytes, resources.json says ${want}`);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (sha !== c.hash) throw new NpmModelError(`${pkg.name}: chunk ${file} has sha256 ${sha}, its name says ${c.hash} (a damaged install: reinstall the package)`);
      whole.update(bytes);
      await handle.write(bytes);
    }
  } catch (err) {
    await handle.close();
    await rm(part, { force: true });
    throw err;
  }
  await handle.close();
  if (statSync(part).size !== entry.size) {
    await rm(part, { force: true });
    throw new NpmModelError(`${pkg.name}: assembled ${resource} has the wrong size`);
  }
  await rename(part, dest);
  return { sha256: whole.digest('hex'), size: entry.size };
}
