import t, { type Test } from 'tap';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateNative, NativeLoadError, loadNative } from '../src/native/loader.js';
import { detectLibc, elfInterpreter, readLibc, libcOfInterpreter, platformTriple } from '../src/native/platform.js';

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

/** A minimal 64-bit little-endian ELF file whose only program header is PT_INTERP naming `interp`. */
function elfWithInterpreter(interp: string): Buffer {
  const text = Buffer.from(`${interp}\0`, 'latin1');
  const file = Buffer.alloc(64 + 56 + text.length);
  file.writeUInt32BE(0x7f454c46, 0);
  file[4] = 2; // 64-bit
  file[5] = 1; // little-endian
  file.writeBigUInt64LE(64n, 32); // e_phoff
  file.writeUInt16LE(56, 54); // e_phentsize
  file.writeUInt16LE(1, 56); // e_phnum
  file.writeUInt32LE(3, 64); // p_type PT_INTERP
  file.writeBigUInt64LE(120n, 64 + 8); // p_offset
  file.writeBigUInt64LE(BigInt(text.length), 64 + 32); // p_filesz
  text.copy(file, 120);
  return file;
}

t.test('glibc vs musl comes from the ELF interpreter of the running node, without a process report', async (t) => {
  const dir = t.testdir({});
  const musl = join(dir, 'node-musl');
  writeFileSync(musl, elfWithInterpreter('/lib/ld-musl-x86_64.so.1'));
  t.equal(elfInterpreter(musl), '/lib/ld-musl-x86_64.so.1');
  t.equal(libcOfInterpreter(elfInterpreter(musl)), 'musl');
  const gnu = join(dir, 'node-gnu');
  writeFileSync(gnu, elfWithInterpreter('/lib64/ld-linux-x86-64.so.2'));
  t.equal(libcOfInterpreter(elfInterpreter(gnu)), 'gnu');
  const notElf = join(dir, 'script');
  writeFileSync(notElf, '#!/bin/sh\necho hi\n'.padEnd(200, ' '));
  t.equal(elfInterpreter(notElf), undefined);
  t.equal(elfInterpreter(join(dir, 'missing')), undefined);
  t.equal(libcOfInterpreter('/lib/ld.so'), undefined, 'an unknown loader says nothing');

  const real = elfInterpreter(process.execPath);
  t.match(real, /^\/.*ld-(linux|musl)/, `this node's loader: ${real}`);
  // process.report.getReport() collects the whole process state (and looks up the network); it must not run.
  const report = process.report as { getReport: (...a: unknown[]) => unknown };
  const original = report.getReport;
  let calls = 0;
  report.getReport = (...a: unknown[]) => {
    calls++;
    return original.apply(process.report, a);
  };
  try {
    t.equal(readLibc(), libcOfInterpreter(real));
    t.equal(detectLibc(), libcOfInterpreter(real));
  } finally {
    report.getReport = original;
  }
  t.equal(calls, 0, 'no process report generated');
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
  let error: unknown;
  try {
    locateNative({ packageRoot: root, env: {} });
  } catch (err) {
    error = err;
  }
  t.ok(error instanceof NativeLoadError, 'throws NativeLoadError');
  const e = error as NativeLoadError;
  t.same(
    e.attempts.map((a) => a.source),
    ['prebuild', 'platform-package', 'local-build'],
  );
  t.match(e.message, join(root, 'prebuilds', triple, 'maskflow.node'));
  t.match(e.message, /failed to load/);
  t.match(e.message, `@maskflow/native-${triple}`);
  t.match(e.message, join(root, 'build', 'Release', 'maskflow.node'));
  t.match(e.message, /no such file/);
  t.match(e.message, /npm run build:native/);
  t.comment(e.message);
});

/** A package root where every fallback place holds a working addon. */
function rootWithEveryFallback(t: Test): string {
  const root = t.testdir({});
  mkdirSync(join(root, 'prebuilds', triple), { recursive: true });
  copyFileSync(built, join(root, 'prebuilds', triple, 'maskflow.node'));
  mkdirSync(join(root, 'build', 'Release'), { recursive: true });
  copyFileSync(built, join(root, 'build', 'Release', 'maskflow.node'));
  t.equal(locateNative({ packageRoot: root, env: {} }).source, 'prebuild', 'without the variable the prebuild loads');
  return root;
}

t.test('an explicit MASKFLOW_NATIVE_PATH that does not exist fails naming it, with working addons elsewhere', async (t) => {
  const root = rootWithEveryFallback(t);
  const missing = join(root, 'nowhere.node');
  const e = t.throws(() => locateNative({ packageRoot: root, env: { MASKFLOW_NATIVE_PATH: missing } })) as NativeLoadError;
  t.ok(e instanceof NativeLoadError);
  t.same(e.attempts.map((a) => a.source), ['env'], 'no other place tried');
  t.equal(e.message.split('\n').length, 1, 'one line: no list of other places');
  t.match(e.message, `MASKFLOW_NATIVE_PATH=${missing}: no such file`);
  t.match(e.message, /unset MASKFLOW_NATIVE_PATH/);
});

t.test('an explicit MASKFLOW_NATIVE_PATH that does not load fails naming it and the reason (no fallback)', async (t) => {
  const root = rootWithEveryFallback(t);
  const corrupt = join(root, 'corrupt.node');
  writeFileSync(corrupt, Buffer.alloc(4096, 7));
  const e = t.throws(() => locateNative({ packageRoot: root, env: { MASKFLOW_NATIVE_PATH: corrupt } })) as NativeLoadError;
  t.ok(e instanceof NativeLoadError);
  t.same(e.attempts.map((a) => a.source), ['env']);
  t.match(e.message, `MASKFLOW_NATIVE_PATH=${corrupt}: failed to load`);
  // A relative path is taken from the working folder and named as resolved.
  const rel = t.throws(() => locateNative({ packageRoot: root, env: { MASKFLOW_NATIVE_PATH: 'rel/none.node' } })) as NativeLoadError;
  t.match(rel.message, `MASKFLOW_NATIVE_PATH=${join(process.cwd(), 'rel', 'none.node')}: no such file`);
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
