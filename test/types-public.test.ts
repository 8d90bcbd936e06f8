// The published type declarations, checked as a consumer project sees them:
// the package's dist/**/*.d.ts and package.json copied into a fresh project's
// node_modules/maskflow, next to its runtime dependencies only (no
// devDependencies such as @types/fluent-ffmpeg), and test/types/consumer.ts
// compiled against them with skipLibCheck: false.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** A consumer project in a temp folder (outside this checkout, so no node_modules above it leak in). */
function consumerProject(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'maskflow-types-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const installed = join(dir, 'node_modules', 'maskflow');
  for (const file of declarationFiles(join(root, 'dist'))) {
    const to = join(installed, relative(root, file));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(file, to);
  }
  cpSync(join(root, 'package.json'), join(installed, 'package.json'));
  // What `npm install maskflow` brings: the runtime dependencies, plus the consumer's own @types/node.
  for (const name of [...Object.keys(pkg.dependencies ?? {}), '@types/node']) {
    const from = join(root, 'node_modules', name);
    if (!existsSync(from)) continue;
    const to = join(dir, 'node_modules', name);
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(from, to, 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  cpSync(join(root, 'test', 'types', 'tsconfig.json'), join(dir, 'tsconfig.json'));
  cpSync(join(root, 'test', 'types', 'consumer.ts'), join(dir, 'consumer.ts'));
  return dir;
}

function compile(dir: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

t.test('consumer.ts compiles against the published .d.ts with skipLibCheck off and no devDependencies', async (t) => {
  t.ok(existsSync(join(root, 'dist', 'index.d.ts')), 'dist/index.d.ts is built (npm test builds it first)');
  const dir = consumerProject(t);
  t.notOk(existsSync(join(dir, 'node_modules', '@types', 'fluent-ffmpeg')), 'the consumer has no @types/fluent-ffmpeg');
  const r = compile(dir);
  t.equal(r.status, 0, r.output || 'tsc passed');
});

t.test('the check notices a declaration that needs a devDependency (@types/fluent-ffmpeg)', async (t) => {
  // The same project, with the package's declarations cut down to one that
  // leaks a devDependency's type (a small program, so this costs little).
  const dir = consumerProject(t);
  const dist = join(dir, 'node_modules', 'maskflow', 'dist');
  rmSync(dist, { recursive: true });
  mkdirSync(dist);
  writeFileSync(join(dist, 'index.d.ts'), `export type LeakedCommand = import('fluent-ffmpeg').FfmpegCommand;\n`);
  writeFileSync(join(dir, 'consumer.ts'), `import type { LeakedCommand } from 'maskflow';\nexport type X = LeakedCommand;\n`);
  const config = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  config.compilerOptions.types = [];
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
  const r = compile(dir);
  t.not(r.status, 0, 'tsc fails');
  t.match(r.output, /fluent-ffmpeg/, 'and names the missing package');
});
