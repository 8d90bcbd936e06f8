// Messages that name the cause: a full disk is "disk full at PATH", a cleanup
// failure never replaces the real error, and the bundled ffmpeg/ffprobe are
// made executable for every user (or the message says what to run).
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureExecutable, resolveBinary } from '../src/media/binaries.js';
import { generateClip } from '../src/media/demo-clip.js';
import { runCli } from './helpers/cli.js';
import { paths } from './helpers/media.js';

/** A folder on a tiny tmpfs of `size`, or undefined without mount rights (the case is then skipped). */
function smallDisk(t: Test, size: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'maskflow-small-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    t.comment(`skipped: cannot mount a tmpfs here (${String(r.stderr).trim()})`);
    return undefined;
  }
  t.teardown(() => {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

t.test('a render onto a full disk says "disk full at PATH", keeps ffmpeg\'s reason and leaves nothing', async (t) => {
  const dir = t.testdir({});
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 320, height: 180, seconds: 4, fps: '25' });
  // 40k fills while the batches are encoded; 90k only when the joined output is written.
  for (const size of ['40k', '90k']) {
    const disk = smallDisk(t, size);
    if (!disk) return;
    const r = await runCli(['render', clip, '-o', join(disk, 'out.mp4'), '--no-cache', '--quiet', '--workers', '1']);
    t.equal(r.code, 1, `${size}: ${r.stderr}`);
    t.match(r.stderr, new RegExp(`^maskflow render: disk full at ${disk}: `), `${size}: the first words name the full disk`);
    t.match(r.stderr, /no space left on device/i, `${size}: the system's words are kept`);
    t.same(readdirSync(disk), [], `${size}: no output, batch folder or temp file left`);
  }
});

t.test('a cleanup failure does not replace the real error', async (t) => {
  const dir = t.testdir({ 'bg.png': 'this is not an image' });
  const clip = join(dir, 'clip.mp4');
  await generateClip(paths, { output: clip, width: 160, height: 90, seconds: 1, fps: '25' });
  // Outside the test folder: it must lose its append-only flag before anything removes it.
  const out = mkdtempSync(join(tmpdir(), 'maskflow-append-only-'));
  // Append-only: entries can be created but not removed, even by root, so the batch folder's rmdir fails.
  const locked = spawnSync('chattr', ['+a', out]);
  if (locked.status !== 0) {
    t.comment(`skipped: chattr +a is not available here (${String(locked.stderr).trim()})`);
    return;
  }
  t.teardown(() => {
    spawnSync('chattr', ['-a', out]);
    rmSync(out, { recursive: true, force: true });
  });
  const plan = join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, segments: [{ start: 0, effects: [{ type: 'replace-background', image: join(dir, 'bg.png') }] }] }));
  const r = await runCli(['render', clip, '-o', join(out, 'out.mp4'), '--plan', plan, '--no-cache', '--quiet', '--workers', '1']);
  t.equal(r.code, 1);
  t.match(r.stderr, /^maskflow render: ffmpeg could not decode .*bg\.png: ffmpeg exited with code 1\n/, 'the real error comes first');
  t.match(r.stderr, /\(also: could not remove the temp files .*maskflow-run-[\w-]+ \(EPERM\); remove them by hand\)/, 'the cleanup problem is a note below it');
  t.notMatch(r.stderr.split('\n')[0], /EPERM|EACCES|rmdir/);
});

const nobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];
function asNobody(cmd: string, args: string[]) {
  return spawnSync('setpriv', [...nobody, cmd, ...args], { encoding: 'utf8' });
}

t.test('the bundled binaries are made executable for every user that can read them', async (t) => {
  // The real bundled ffprobe ships rwxr--r--; once resolved it is executable by group and others too.
  const bundled = resolveBinary('ffprobe');
  t.equal(bundled.source, 'installer');
  t.equal(statSync(bundled.path).mode & 0o111, 0o111, `${bundled.path} is a+x`);
  t.equal(statSync(resolveBinary('ffmpeg').path).mode & 0o111, 0o111);

  // The transition on a copy, as an installed-by-root package would have it.
  const dir = mkdtempSync(join(tmpdir(), 'maskflow-exec-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const copy = join(dir, 'ffprobe');
  copyFileSync(bundled.path, copy);
  chmodSync(copy, 0o744);
  if (asNobody('/bin/true', []).status !== 0) {
    t.comment('skipped: cannot run as another user here (setpriv needs root)');
    return;
  }
  ensureExecutable(copy);
  t.equal(statSync(copy).mode & 0o777, 0o755);
  const ran = asNobody(copy, ['-version']);
  t.equal(ran.status, 0, ran.stderr);
  t.match(ran.stdout, /^ffprobe version/);

  // Unreadable for others: not ours to fix as that user, so the message says what to run.
  chmodSync(copy, 0o700);
  const binaries = fileURLToPath(new URL('../dist/media/binaries.js', import.meta.url));
  const r = asNobody(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(binaries)}).then((m) => m.resolveBinary('ffprobe', ${JSON.stringify(dir)})).catch((e) => { console.error(e.message); process.exit(1); })`]);
  t.equal(r.status, 1);
  t.match(r.stderr, `${copy} is not executable for this user (mode 700, owner uid 0); run: sudo chmod a+rx '${copy}'`);
});
