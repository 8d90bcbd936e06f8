import t from 'tap';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateNative, NativeLoadError, loadNative } from '../src/native/loader.js';
import { platformTriple } from '../src/native/platform.js';

const built = loadNative().path;
const triple = platformTriple();

t.test('platformTriple names platforms the way napi-rs does', async (t) => {
  t.equal(platformTriple({ platform: 'linux', arch: 'x64', libc: 'gnu' }), 'linux-x64-gnu');
  t.equal(platformTriple({ platform: 'linux', arch: 'x64', libc: 'musl' }), 'linux-x64-musl');
  t.equal(platformTriple({ platform: 'linux', arch: 'arm64', libc: 'gnu' }), 'linux-arm64-gnu');
  t.equal(platformTriple({ platform: 'linux', arch: 'arm', libc: 'gnu' }), 'linux-arm-gnueabihf');
  t.equal(platformTriple({ platform: 'darwin', arch: 'arm64' }), 'darwin-arm64');
  t.equal(platformTriple({ platform: 'win32', arch: 'x64' }), 'win32-x64-msvc');
  t.equal(platformTriple({ platform: 'android', arch: 'arm' }), 'android-arm-eabi');
  t.match(triple, /^linux-x64-(gnu|musl)$/);
});

t.test('MASKFLOW_NATIVE_PATH wins over every other place', async (t) => {
  const root = t.testdir({});
  const found = locateNative({ packageRoot: root, env: { MASKFLOW_NATIVE_PATH: built } });
  t.equal(found.source, 'env');
  t.equal(found.path, built);
  t.equal(typeof found.binding.EffectChain, 'function');
});

t.test('a prebuild for this platform is used before a local build', async (t) => {
  const root = t.testdir({});
  mkdirSync(join(root, 'prebuilds', triple), { recursive: true });
  copyFileSync(built, join(root, 'prebuilds', triple, 'maskflow.node'));
  mkdirSync(join(root, 'build', 'Release'), { recursive: true });
  copyFileSync(built, join(root, 'build', 'Release', 'maskflow.node'));
  const found = locateNative({ packageRoot: root, env: {} });
  t.equal(found.source, 'prebuild');
  t.equal(found.path, join(root, 'prebuilds', triple, 'maskflow.node'));
});

t.test('the optional platform package @maskflow/native-<triple> is found in node_modules', async (t) => {
  const root = t.testdir({ 'package.json': JSON.stringify({ name: 'app', version: '1.0.0' }) });
  const pkgDir = join(root, 'node_modules', '@maskflow', `native-${triple}`);
  mkdirSync(pkgDir, { recursive: true });
  writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: `@maskflow/native-${triple}`, version: '0.0.0', main: 'maskflow.node' }));
  copyFileSync(built, join(pkgDir, 'maskflow.node'));
  const found = locateNative({ packageRoot: root, env: {} });
  t.equal(found.source, 'platform-package');
  t.equal(found.path, join(pkgDir, 'maskflow.node'));
});

t.test('the local cmake-js build is the last resort', async (t) => {
  const root = t.testdir({});
  mkdirSync(join(root, 'build', 'Release'), { recursive: true });
  copyFileSync(built, join(root, 'build', 'Release', 'maskflow.node'));
  const found = locateNative({ packageRoot: root, env: {} });
  t.equal(found.source, 'local-build');
});

t.test('a corrupt .node file is skipped with its reason, and failure lists every place tried', async (t) => {
  const root = t.testdir({ 'package.json': '{"name":"app","version":"1.0.0"}' });
  mkdirSync(join(root, 'prebuilds', triple), { recursive: true });
  writeFileSync(join(root, 'prebuilds', triple, 'maskflow.node'), 'this is not a shared library');
  const bogusEnv = join(root, 'nowhere.node');
  let error: unknown;
  try {
    locateNative({ packageRoot: root, env: { MASKFLOW_NATIVE_PATH: bogusEnv } });
  } catch (err) {
    error = err;
  }
  t.ok(error instanceof NativeLoadError, 'throws NativeLoadError');
  const e = error as NativeLoadError;
  t.same(
    e.attempts.map((a) => a.source),
    ['env', 'prebuild', 'platform-package', 'local-build'],
  );
  t.match(e.message, bogusEnv);
  t.match(e.message, /no such file/);
  t.match(e.message, join(root, 'prebuilds', triple, 'maskflow.node'));
  t.match(e.message, /failed to load/);
  t.match(e.message, `@maskflow/native-${triple}`);
  t.match(e.message, join(root, 'build', 'Release', 'maskflow.node'));
  t.match(e.message, /npm run build:native/);
  t.comment(e.message);
});

t.test('a corrupt prebuild falls through to a working local build', async (t) => {
  const root = t.testdir({});
  mkdirSync(join(root, 'prebuilds', triple), { recursive: true });
  writeFileSync(join(root, 'prebuilds', triple, 'maskflow.node'), Buffer.alloc(4096, 7));
  mkdirSync(join(root, 'build', 'Release'), { recursive: true });
  copyFileSync(built, join(root, 'build', 'Release', 'maskflow.node'));
  const found = locateNative({ packageRoot: root, env: {} });
  t.equal(found.source, 'local-build');
});
