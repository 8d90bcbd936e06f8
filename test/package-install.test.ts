// What a user gets from the npm tarball: real `npm pack` of this repo (with a
// prebuild for this machine added, as `npm run prebuild` does before a release),
// installed into empty projects outside the repo with npm install scripts ON and
// with `--ignore-scripts`, then the installed `maskflow` binary run for real:
// doctor, a short render with the addon from the shipped prebuild, a model run
// once onnxruntime-node is added.
//
// No network to NuGet: this machine has none (onnxruntime-node's postinstall
// downloads CUDA parts from there and fails), and every scripts-on install here
// also routes that installer through a closed loopback port (global-agent's
// GLOBAL_AGENT_HTTPS_PROXY, which only onnxruntime-node's installer reads), so
// the same holds on a machine that has network. A control step runs that
// installer and checks it really fails, so the scripts-on install is known to
// meet the failure the old hard dependency hit.
import t from 'tap';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { ffmpegPaths } from '../src/media/ffmpeg.js';
import { probe } from '../src/media/probe.js';
import { platformTriple } from '../src/native/platform.js';
import type { DoctorReport } from '../src/report/doctor.js';
import { generateFixtures } from './helpers/fixture-models.js';

// Real npm installs of the tarball, its dependencies and onnxruntime-node (~290 MB unpacked) from
// the npm cache: several minutes on 2 shared cores, more than tap's default budget.
t.setTimeout(900_000);

const repo = resolve(import.meta.dirname, '..');
const triple = platformTriple();
const repoTools = ffmpegPaths(); // the repo's own ffmpeg/ffprobe, to check the installed package's output independently

/**
 * The environment for child runs: none of the parent npm's npm_* settings (they point at the
 * repo), no ONNXRUNTIME_NODE_INSTALL (CI exports =skip, which would hide exactly the failure
 * these tests are about), and NuGet unreachable for onnxruntime-node's installer.
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== 'INIT_CWD' && !k.startsWith('MASKFLOW_') && !k.startsWith('ONNXRUNTIME_NODE_INSTALL') && !k.startsWith('GLOBAL_AGENT_')) env[k] = v;
  }
  return { ...env, GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9', GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9', ...extra };
}

function run(cmd: string, args: string[], cwd: string, extraEnv?: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: cleanEnv(extraEnv), encoding: 'utf8', timeout: 180_000 });
}

function explain(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}\nstdout: ${r.stdout.slice(-4000)}\nstderr: ${r.stderr.slice(-4000)}`;
}

interface PackInfo {
  filename: string;
  files: { path: string }[];
}

function pack(dir: string, destination: string): PackInfo {
  const r = run('npm', ['pack', '--json', '--pack-destination', destination], dir);
  if (r.status !== 0) throw new Error(`npm pack in ${dir} failed: ${explain(r)}`);
  return (JSON.parse(r.stdout) as PackInfo[])[0];
}

/** Mean distance of the chroma planes from neutral grey (128) in the first frame of a video. */
function chromaSpread(file: string, width: number, height: number): number {
  const r = spawnSync(repoTools.ffmpeg, ['-v', 'error', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`could not decode ${file}: ${r.stderr.toString()}`);
  const chroma = r.stdout.subarray(width * height);
  let sum = 0;
  for (const v of chroma) sum += Math.abs(v - 128);
  return sum / chroma.length;
}

// Outside the repo: module resolution from the installed package must never fall back to the repo's node_modules.
const work = mkdtempSync(join(tmpdir(), 'maskflow-install-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const app = join(work, 'app');
const installed = join(app, 'node_modules', 'maskflow');
const maskflowBin = join(app, 'node_modules', '.bin', 'maskflow');
const ortVersion = (JSON.parse(readFileSync(join(repo, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version;

function emptyProject(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
}

/** Every file under `dir`, as paths relative to `from`. */
function filesUnder(dir: string, from: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(from, join(e.parentPath, e.name)));
}

// Test support: the modules under test/fixture-models, test/helpers and test/fixtures (none shares a
// name with a module of src/), recognised in the package by their compiled names.
const testSupport = new Set(
  ['fixture-models', 'helpers', 'fixtures'].flatMap((d) => filesUnder(join(repo, 'test', d), join(repo, 'test', d)).map((p) => basename(p).replace(/\.ts$/, ''))),
);
/** The paths among `paths` that are test support: a compiled test-support module, or anything named fixture. */
function testSupportIn(paths: string[]): string[] {
  return paths.filter((p) => /fixture/i.test(p) || testSupport.has(basename(p).replace(/(\.d)?\.(js|ts)(\.map)?$/, '')));
}

let repoPack: PackInfo | undefined;
const plainTarball = join(work, 'maskflow-without-prebuilds.tgz');
let releasePack: PackInfo | undefined;

t.test('the packed tarball carries the built package and no build trees or tests', async (t) => {
  // Build first (TypeScript, then the prebuild): written to a temp folder, not the repo's prebuilds/,
  // because a prebuild there would shadow build/Release for everyone working in this checkout.
  const prebuilds = join(work, 'prebuilds');
  const pb = run(process.execPath, [join(repo, 'scripts', 'prebuild.mjs'), '--out', prebuilds, '--no-build'], repo);
  t.equal(pb.status, 0, explain(pb));

  repoPack = pack(repo, work);
  const paths = repoPack.files.map((f) => f.path);
  for (const required of ['package.json', 'README.md', 'bin/maskflow.js', 'dist/index.js', 'dist/cli/main.js', 'dist/native/loader.js', 'schema/plan.schema.json', 'scripts/install.mjs', 'scripts/build-native.mjs', 'CMakeLists.txt']) {
    t.ok(paths.includes(required), `carries ${required}`);
  }
  const forbidden = paths.filter((p) => /^(build|node_modules|test|src|npm|\.tap|coverage|bench)\//.test(p) || /CMakeFiles|\.o$|\.tgz$/.test(p));
  t.same(forbidden, [], 'no build tree, dependencies, tests, TypeScript sources or generated packages');
  t.ok(testSupport.has('write-fixtures') && testSupport.has('plan-clips'), 'the test-support module list was read');
  t.same(testSupportIn(paths), [], 'no test support (fixture-model builders, test helpers) in the tarball');
  t.same(testSupportIn(filesUnder(join(repo, 'dist'), repo)), [], 'none in the built dist/ either');

  // The release tarball: the same package with prebuilds/ added, packed again by npm with the same `files` list.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  const untar = run('tar', ['-xzf', join(work, repoPack.filename), '-C', stage], work);
  t.equal(untar.status, 0, explain(untar));
  // Kept under another name: the release tarball gets the same file name from npm.
  renameSync(join(work, repoPack.filename), plainTarball);
  cpSync(prebuilds, join(stage, 'package', 'prebuilds'), { recursive: true });
  releasePack = pack(join(stage, 'package'), work);
  const releasePaths = releasePack.files.map((f) => f.path);
  t.ok(releasePaths.includes(`prebuilds/${triple}/maskflow.node`), `carries prebuilds/${triple}/maskflow.node`);
  t.same(releasePaths.filter((p) => !paths.includes(p)), [`prebuilds/${triple}/maskflow.node`], 'differs only by the prebuild');
});

t.test('the package declares onnxruntime-node an optional peer, not a dependency', async (t) => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, Record<string, unknown> | undefined>;
  t.notOk(pkg.dependencies?.['onnxruntime-node'], 'not in dependencies (its installer must never run for a user who uses no model)');
  t.notOk(pkg.optionalDependencies?.['onnxruntime-node'], 'not in optionalDependencies (npm would still run its installer)');
  t.ok(pkg.peerDependencies?.['onnxruntime-node'], 'a peer dependency');
  t.same(pkg.peerDependenciesMeta?.['onnxruntime-node'], { optional: true }, 'optional, so npm does not install it');
});

t.test('installed with npm install scripts ON and no route to NuGet, the install works and uses the prebuild', async (t) => {
  t.ok(releasePack, 'the release tarball was packed');
  if (!releasePack) return;
  emptyProject(app);
  // --foreground-scripts: the install scripts' output reaches us, which also proves they ran.
  const r = run('npm', ['install', '--foreground-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(work, releasePack.filename)], app);
  t.equal(r.status, 0, explain(r));
  t.match(r.stdout + r.stderr, `maskflow: using the prebuilt addon ${join(installed, 'prebuilds', triple, 'maskflow.node')}`, "maskflow's own install script ran");
  t.notOk(existsSync(join(installed, 'build')), 'nothing was compiled');
  t.notOk(existsSync(join(app, 'node_modules', 'onnxruntime-node')), 'onnxruntime-node is not installed (optional peer)');

  const doctor = run(maskflowBin, ['doctor', '--json'], app);
  t.equal(doctor.status, 0, `doctor passes without onnxruntime-node: ${explain(doctor)}`);
  const report = JSON.parse(doctor.stdout) as DoctorReport;
  t.equal(report.platformTriple, triple);
  t.same(report.native, {
    ok: true,
    path: join(installed, 'prebuilds', triple, 'maskflow.node'),
    source: 'prebuild',
    napiVersion: report.native.napiVersion,
  });
  t.ok(report.ffmpeg.ok, `ffmpeg: ${report.ffmpeg.error ?? report.ffmpeg.path}`);
  t.ok(report.ffprobe.ok, `ffprobe: ${report.ffprobe.error ?? report.ffprobe.path}`);
  t.equal(report.onnxruntime.ok, false);
  t.match(report.onnxruntime.error, /not installed \(optional: only --detector, --ranker and --segmenter need it/);
});

t.test('installed with --ignore-scripts, doctor reports the addon from the prebuild', async (t) => {
  t.ok(releasePack, 'the release tarball was packed');
  if (!releasePack) return;
  const other = join(work, 'app-no-scripts');
  emptyProject(other);
  const r = run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(work, releasePack.filename)], other);
  t.equal(r.status, 0, explain(r));
  const otherInstalled = join(other, 'node_modules', 'maskflow');
  t.notOk(existsSync(join(otherInstalled, 'build')), 'nothing was compiled');
  const doctor = run(join(other, 'node_modules', '.bin', 'maskflow'), ['doctor', '--json'], other);
  t.equal(doctor.status, 0, explain(doctor));
  const report = JSON.parse(doctor.stdout) as DoctorReport;
  t.same([report.native.ok, report.native.source, report.native.path], [true, 'prebuild', join(otherInstalled, 'prebuilds', triple, 'maskflow.node')]);
  rmSync(other, { recursive: true, force: true });
});

t.test('a tarball packed without prebuilds fails its install clearly instead of compiling silently', async (t) => {
  t.ok(existsSync(plainTarball), 'the plain tarball was packed');
  if (!existsSync(plainTarball)) return;
  const other = join(work, 'app-no-prebuild');
  emptyProject(other);
  const r = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', plainTarball], other);
  t.not(r.status, 0, 'the install fails');
  const out = r.stdout + r.stderr;
  t.match(out, `no prebuilt addon for ${triple}`);
  t.match(out, /npm install maskflow --build-from-source/, 'says how to compile');
  t.match(out, /cmake >= 3\.15 and a C\+\+17 compiler/, 'and what that needs');
  t.notMatch(out, /building the native addon from source/, 'no compile was started');
  t.notOk(existsSync(join(other, 'node_modules', 'maskflow', 'build')), 'no build folder');

  rmSync(other, { recursive: true, force: true });
});

t.test('the installed package renders a short clip with the prebuilt addon', async (t) => {
  t.ok(existsSync(maskflowBin), 'maskflow is installed');
  if (!existsSync(maskflowBin)) return;
  // The clip comes from the ffmpeg the installed package depends on.
  const installedFfmpeg = join(app, 'node_modules', '@ffmpeg-installer', `${process.platform}-${process.arch}`, 'ffmpeg');
  const clip = join(app, 'clip.mp4');
  const gen = run(installedFfmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=15', '-t', '1', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', clip], app);
  t.equal(gen.status, 0, explain(gen));

  const out = join(app, 'out.mp4');
  const reportFile = join(app, 'report.json');
  const cacheDir = join(work, 'cache');
  const r = run(maskflowBin, ['render', clip, '-o', out, '--effect', 'grayscale-background', '--workers', '1', '--quiet', '--cache-dir', cacheDir, '--report', reportFile], app);
  t.equal(r.status, 0, explain(r));
  if (r.status !== 0) return;

  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { native: { source: string; path: string }; frames: number };
  t.equal(report.native.source, 'prebuild');
  t.equal(report.native.path, join(installed, 'prebuilds', triple, 'maskflow.node'));

  const info = await probe(out, repoTools);
  t.same([info.width, info.height, info.frames], [160, 120, 15]);
  // Grayscale background: most of the colourful test pattern loses its colour.
  const before = chromaSpread(clip, 160, 120);
  const after = chromaSpread(out, 160, 120);
  t.ok(before > 10, `the source clip is colourful (mean chroma distance ${before.toFixed(1)})`);
  t.ok(after < before * 0.6, `the output is mostly grey (${after.toFixed(1)} vs ${before.toFixed(1)})`);
});

t.test('models: a clear error without onnxruntime-node; its installer fails here (the control); installed without its download, a model runs', async (t) => {
  t.ok(existsSync(maskflowBin), 'maskflow is installed');
  if (!existsSync(maskflowBin)) return;
  const installedFfmpeg = join(app, 'node_modules', '@ffmpeg-installer', `${process.platform}-${process.arch}`, 'ffmpeg');
  const clip = join(app, 'colour.mp4');
  const gen = run(installedFfmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=gray:size=160x120:rate=10,drawbox=x=50:y=30:w=50:h=60:color=red:t=fill', '-t', '1', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', clip], app);
  t.equal(gen.status, 0, explain(gen));
  const fixtures = generateFixtures(t);
  const renderArgs = (out: string): string[] => ['render', clip, '-o', out, '--effect', 'grayscale-background', '--segmenter', fixtures.segmenter, '--workers', '1', '--quiet', '--no-cache', '--report', join(app, 'model-report.json')];

  const missing = run(maskflowBin, renderArgs(join(app, 'no-ort.mp4')), app);
  t.equal(missing.status, 1, explain(missing));
  t.match(missing.stderr, /models need onnxruntime-node, which is not installed/);
  t.match(missing.stderr, /npm install onnxruntime-node@\^1\.30\.0/, 'says how to install it');
  t.match(missing.stderr, /ONNXRUNTIME_NODE_INSTALL=skip/, 'and how to skip its download');
  t.notOk(existsSync(join(app, 'no-ort.mp4')), 'no output written');

  // The control: onnxruntime-node's own installer, with scripts on, fails here. This is what
  // made `npm install maskflow` fail while it was a dependency, and proves the installs above
  // really ran with NuGet out of reach.
  const control = run('npm', ['install', '--foreground-scripts', '--prefer-offline', '--no-audit', '--no-fund', `onnxruntime-node@${ortVersion}`], app);
  t.not(control.status, 0, `onnxruntime-node's postinstall must fail without NuGet: ${explain(control)}`);
  t.match(control.stdout + control.stderr, /onnxruntime-node/);
  t.notOk(existsSync(join(app, 'node_modules', 'onnxruntime-node')), 'the failed install left nothing behind');

  const ort = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `onnxruntime-node@${ortVersion}`], app, { ONNXRUNTIME_NODE_INSTALL: 'skip' });
  t.equal(ort.status, 0, explain(ort));
  const doctor = JSON.parse(run(maskflowBin, ['doctor', '--json'], app).stdout) as DoctorReport;
  t.same(doctor.onnxruntime, { ok: true, version: ortVersion });

  const out = join(app, 'with-ort.mp4');
  const r = run(maskflowBin, renderArgs(out), app);
  t.equal(r.status, 0, explain(r));
  const report = JSON.parse(readFileSync(join(app, 'model-report.json'), 'utf8')) as { models?: { loads?: Record<string, number> } };
  t.same(report.models?.loads, { segmenter: 1 }, 'the segmenter was loaded once');
  const info = await probe(out, repoTools);
  t.same([info.width, info.height, info.frames], [160, 120, 10]);
});

t.test('the install script uses the prebuild, and builds from source (saying so) only when asked and none loads', async (t) => {
  const installScript = join(installed, 'scripts', 'install.mjs');
  t.ok(existsSync(installScript), 'the install script is shipped');
  if (!existsSync(installScript)) return;
  const prebuilt = join(installed, 'prebuilds', triple, 'maskflow.node');
  const withPrebuild = run(process.execPath, [installScript], installed);
  t.equal(withPrebuild.status, 0, explain(withPrebuild));
  t.match(withPrebuild.stderr, `using the prebuilt addon ${prebuilt} (prebuild, ${triple})`);
  t.notOk(existsSync(join(installed, 'build')), 'no build started');

  // As on a platform we ship no prebuild for: take the prebuild away.
  renameSync(join(installed, 'prebuilds'), join(installed, 'prebuilds-away'));
  t.teardown(() => {
    if (existsSync(join(installed, 'prebuilds-away'))) renameSync(join(installed, 'prebuilds-away'), join(installed, 'prebuilds'));
  });

  // Not asked to compile: fail, saying how.
  const notAsked = run(process.execPath, [installScript], installed);
  t.not(notAsked.status, 0, 'no prebuild and no --build-from-source fails the install');
  t.match(notAsked.stderr, `no prebuilt addon for ${triple}`);
  t.match(notAsked.stderr, /--build-from-source/);
  t.notOk(existsSync(join(installed, 'build')), 'no build started');

  // Asked (npm passes --build-from-source as npm_config_build_from_source), without a compiler on
  // PATH: the attempt fails at once, and says what is needed.
  const noCompiler = run(process.execPath, [installScript], installed, { PATH: join(work, 'empty-path'), npm_config_build_from_source: 'true' });
  t.not(noCompiler.status, 0, 'a failed source build fails the install');
  t.match(noCompiler.stderr, `no prebuilt addon for ${triple}`);
  t.match(noCompiler.stderr, /building it from source as asked/);
  t.match(noCompiler.stderr, /cmake >= 3\.15 and a C\+\+17 compiler/);

  // With one, the shipped native/src + CMakeLists.txt really build (cmake-js, about 10-20 s on 2 cores).
  const fromSource = run(process.execPath, [installScript], installed, { MASKFLOW_BUILD_FROM_SOURCE: '1' });
  t.equal(fromSource.status, 0, explain(fromSource));
  t.match(fromSource.stderr, /building it from source/);
  const doctor = run(maskflowBin, ['doctor', '--json'], app);
  const native = (JSON.parse(doctor.stdout) as DoctorReport).native;
  t.same([native.ok, native.source, native.path], [true, 'local-build', join(installed, 'build', 'Release', 'maskflow.node')]);

  // A second install keeps that build (no flag needed).
  const again = run(process.execPath, [installScript], installed);
  t.equal(again.status, 0, explain(again));
  t.notMatch(again.stderr, /building/);
  t.match(again.stderr, 'using the addon built here earlier');
});
