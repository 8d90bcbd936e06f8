// The napi-rs style platform packages: scripts/make-platform-packages.mjs turns
// prebuilds/<triple>/ into npm/<triple>/ packages; packed with real `npm pack`
// and installed with real `npm install` (offline: they have no dependencies),
// npm keeps only the one whose os/cpu/libc match this machine, and the loader
// finds the addon through it.
import t from 'tap';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { locateNative } from '../src/native/loader.js';
import { platformTriple } from '../src/native/platform.js';

const repo = resolve(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string; license: string };
const triple = platformTriple();

/** The environment for child npm/node runs: none of the parent npm's npm_* settings (they point at the repo). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  }
  return { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
}

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });
}

function node(script: string, args: string[]): SpawnSyncReturns<string> {
  return run(process.execPath, [join(repo, 'scripts', script), ...args], repo);
}

function explain(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

// Outside the repo, so module resolution from the temp project can never fall back to the repo's node_modules.
const work = mkdtempSync(join(tmpdir(), 'maskflow-platform-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

// The real prebuild for this machine, plus byte copies filed under other triples: those are never
// loaded, they only let us check that npm skips packages meant for other machines.
const prebuilds = join(work, 'prebuilds');
const built = node('prebuild.mjs', ['--out', prebuilds, '--no-build']);
const ownPrebuild = join(prebuilds, triple, 'maskflow.node');
const foreign = ['linux-x64-musl', 'linux-arm64-gnu', 'darwin-arm64', 'win32-x64-msvc'].filter((x) => x !== triple).slice(0, 3);

t.test('npm run prebuild writes a loadable addon under prebuilds/<triple>/', async (t) => {
  t.equal(built.status, 0, explain(built));
  t.match(built.stdout, `wrote ${ownPrebuild}`);
  t.match(built.stdout, triple);
  const found = locateNative({ packageRoot: join(work, 'elsewhere'), env: { MASKFLOW_NATIVE_PATH: ownPrebuild } });
  t.equal(found.source, 'env');
  t.equal(typeof found.binding.EffectChain, 'function');
});

t.test('make-platform-packages writes one @maskflow/native-<triple> package per prebuild', async (t) => {
  for (const other of foreign) {
    mkdirSync(join(prebuilds, other), { recursive: true });
    copyFileSync(ownPrebuild, join(prebuilds, other, 'maskflow.node'));
  }
  const out = join(work, 'npm');
  const r = node('make-platform-packages.mjs', ['--prebuilds', prebuilds, '--out', out]);
  t.equal(r.status, 0, explain(r));

  const expected = [triple, ...foreign].sort();
  t.same(readdirSync(out).sort(), expected);
  const printed = JSON.parse(r.stdout) as { optionalDependencies: Record<string, string> };
  t.same(printed.optionalDependencies, Object.fromEntries(expected.map((x) => [`@maskflow/native-${x}`, rootPkg.version])));

  const pkgOf = (x: string) => JSON.parse(readFileSync(join(out, x, 'package.json'), 'utf8')) as Record<string, unknown>;
  const own = pkgOf(triple);
  t.equal(own.name, `@maskflow/native-${triple}`);
  t.equal(own.version, rootPkg.version);
  t.equal(own.license, rootPkg.license);
  t.equal(own.main, 'maskflow.node');
  t.same(own.files, ['maskflow.node']);
  t.same(own.os, [process.platform]);
  t.same(own.cpu, [process.arch]);
  if (process.platform === 'linux') t.same(own.libc, [triple.endsWith('musl') ? 'musl' : 'glibc']);
  t.same(readFileSync(join(out, triple, 'maskflow.node')), readFileSync(ownPrebuild));

  if (foreign.includes('linux-x64-musl')) t.same(pkgOf('linux-x64-musl').libc, ['musl']);
  if (foreign.includes('darwin-arm64')) {
    const mac = pkgOf('darwin-arm64');
    t.same([mac.os, mac.cpu, mac.libc], [['darwin'], ['arm64'], undefined], 'no libc field off Linux');
  }
});

t.test('installed from packed tarballs, npm keeps only this platform and the loader finds it', async (t) => {
  const out = join(work, 'npm');
  t.ok(existsSync(join(out, triple)), 'the packages from the previous test exist');
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const optionalDependencies: Record<string, string> = {};
  for (const x of readdirSync(out)) {
    const r = run('npm', ['pack', '--json', '--pack-destination', tarballs], join(out, x));
    t.equal(r.status, 0, explain(r));
    const [info] = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[];
    t.same(info.files.map((f) => f.path).sort(), ['README.md', 'maskflow.node', 'package.json'], `${x} tarball contents`);
    optionalDependencies[`@maskflow/native-${x}`] = `file:${join(tarballs, info.filename)}`;
  }

  // An app that lists every platform package as optional, the way the root package will at release.
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, optionalDependencies }));
  const r = run('npm', ['install', '--offline', '--no-audit', '--no-fund'], app);
  t.equal(r.status, 0, explain(r));
  t.same(readdirSync(join(app, 'node_modules', '@maskflow')), [`native-${triple}`], 'only the matching os/cpu/libc was installed');

  const found = locateNative({ packageRoot: app, env: {} });
  t.equal(found.source, 'platform-package');
  t.equal(found.path, join(app, 'node_modules', '@maskflow', `native-${triple}`, 'maskflow.node'));
  t.equal(found.triple, triple);
  t.equal(typeof found.binding.EffectChain, 'function');
});

t.test('a platform package for another machine is refused by npm when asked for directly', async (t) => {
  const other = foreign[0];
  const tarball = readdirSync(join(work, 'tarballs')).find((f) => f.includes(`native-${other}-`));
  t.ok(tarball, `packed ${other}`);
  const app = join(work, 'app-direct');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const r = run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, 'tarballs', tarball!)], app);
  t.not(r.status, 0);
  t.match(r.stderr, /EBADPLATFORM/);
});

t.test('--write-root adds the optionalDependencies and keeps the rest of package.json', async (t) => {
  const copy = join(work, 'root-package.json');
  copyFileSync(join(repo, 'package.json'), copy);
  const r = node('make-platform-packages.mjs', ['--prebuilds', prebuilds, '--out', join(work, 'npm-2'), '--write-root', '--root-package', copy]);
  t.equal(r.status, 0, explain(r));
  t.equal(r.stdout, '', 'nothing printed when writing');
  const before = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, unknown>;
  const after = JSON.parse(readFileSync(copy, 'utf8')) as Record<string, unknown>;
  const { optionalDependencies, ...rest } = after;
  t.same(rest, before);
  t.same(Object.keys(optionalDependencies as object).sort(), [triple, ...foreign].sort().map((x) => `@maskflow/native-${x}`));
});

t.test('a prebuild folder the loader would never look for is rejected before anything is written', async (t) => {
  for (const [bad, why] of [
    ['linux-arm-gnu', /loader would call this platform "linux-arm-gnueabihf"/],
    ['linux-x64', /must end in -gnu or -musl/],
    ['plan9-x64', /not a <platform>-<arch>/],
  ] as const) {
    const dir = join(work, `bad-${bad}`);
    mkdirSync(join(dir, triple), { recursive: true });
    mkdirSync(join(dir, bad), { recursive: true });
    copyFileSync(ownPrebuild, join(dir, triple, 'maskflow.node'));
    copyFileSync(ownPrebuild, join(dir, bad, 'maskflow.node'));
    const out = join(work, `bad-out-${bad}`);
    const r = node('make-platform-packages.mjs', ['--prebuilds', dir, '--out', out]);
    t.equal(r.status, 1, bad);
    t.match(r.stderr, join(dir, bad), `${bad}: names the folder`);
    t.match(r.stderr, why, `${bad}: says why`);
    t.notOk(existsSync(out), `${bad}: nothing written`);
  }
});
