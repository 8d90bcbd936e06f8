// The run directory: every local render keeps its batch files and temp output
// in one `.maskflow-run-…` folder beside the output, with a lock file naming
// its process. A real CLI render killed with SIGKILL mid-batch leaves its
// folder behind; the next render to the same output recognises it as dead and
// cleans it (or resumes from it), while the folder of a render still running
// to that output is left alone.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClip } from '../src/media/demo-clip.js';
import { outputKey, runState } from '../src/render/run-dir.js';
import { childrenOf, settleChildren } from './helpers/children.js';
import { paths } from './helpers/media.js';

const bin = fileURLToPath(new URL('../bin/maskflow.js', import.meta.url));
const dir = t.testdir({});
const input = join(dir, 'in.mp4');
const output = join(dir, 'out.mp4');
const plan = join(dir, 'plan.json');
const runDirs = (): string[] => readdirSync(dir).filter((n) => n.startsWith('.maskflow-run-'));
const args = (out: string, ...more: string[]): string[] => ['render', input, '-o', out, '--plan', plan, '--no-cache', '--quiet', '--workers', '1', '--batch-seconds', '1', ...more];

t.before(async () => {
  await generateClip(paths, { output: input, width: 192, height: 108, seconds: 5, fps: '25' });
  writeFileSync(plan, JSON.stringify({ version: 1, subject: { keyframeInterval: 1 }, segments: [{ start: 0, effects: [{ type: 'blur-background', radius: 12 }] }] }));
});

/** Starts the CLI with a fault and resolves once stderr matches `until` (the run is then mid-batch). */
function startUntil(cliArgs: string[], env: NodeJS.ProcessEnv, until: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...cliArgs], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const guard = setTimeout(() => reject(new Error(`no ${String(until)} in 120 s:\n${stderr}`)), 120_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (until.test(stderr)) {
        clearTimeout(guard);
        resolve(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(guard);
      reject(new Error(`the CLI exited (${code}) before ${String(until)}:\n${stderr}`));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

function runCli(cliArgs: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...cliArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

t.test('a kill -9 leaves a dead run folder; the next render cleans it and leaves a live one alone', async (t) => {
  // Run A: killed with SIGKILL while batch 2 hangs (batches 0 and 1 are finished files by then).
  const a = await startUntil(args(output), { MASKFLOW_FAULT: 'batch:2:hang' }, /batch 2 hangs/);
  // Run B: to the same output, started while A runs and still running (hangs on its first batch) while C runs.
  const b = await startUntil(args(output), { MASKFLOW_FAULT: 'batch:0:hang' }, /batch 0 hangs/);
  t.teardown(() => void b.kill('SIGKILL'));
  t.equal(runDirs().length, 2, "B left A's live folder alone and made its own");
  const live = runDirs().find((n) => n.includes(`-${b.pid}-`));
  t.ok(live, 'run B has its own run folder');
  const aChildren = childrenOf(a.pid);
  a.kill('SIGKILL');
  await exited(a);
  // Its ffmpegs are the test's grandchildren now adopted by init: end them so nothing lingers.
  for (const c of aChildren) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadDirs = runDirs().filter((n) => n !== live);
  t.equal(deadDirs.length, 1, 'run A left its run folder behind');
  t.equal(await runState(join(dir, live!)), 'live', "B's is recognised as live");
  const dead = join(dir, deadDirs[0]);
  t.ok(deadDirs[0].startsWith(`.maskflow-run-${outputKey(output)}-${a.pid}-`), 'named after the output and its process');
  const lock = JSON.parse(readFileSync(join(dead, 'lock.json'), 'utf8')) as { pid: number; output: string };
  t.equal(lock.pid, a.pid, 'the lock names run A');
  t.equal(lock.output, output);
  t.ok(readdirSync(dead).some((n) => /^batch-\d+\.mp4$/.test(n)), 'with batch files in it');
  t.equal(await runState(dead), 'dead', 'recognised as dead: its pid is gone');


  // Run C: renders to completion; the dead folder is gone, the live one untouched.
  const report = join(dir, 'c.json');
  const c = await runCli(args(output, '--report', report, '--no-resume'));
  t.equal(c.code, 0, c.stderr);
  t.notOk(existsSync(dead), "run A's dead folder was removed");
  t.ok(existsSync(join(dir, live!)), "run B's live folder was left alone");
  const warnings = (JSON.parse(readFileSync(report, 'utf8')) as { warnings: string[] }).warnings;
  t.ok(warnings.some((w) => w.includes(deadDirs[0]) && w.includes(`pid ${a.pid} is gone`)), 'the report says what was cleaned');
  t.same(runDirs(), [live], 'only the live run folder is there');

  // B stopped: its own exit path removes its folder.
  b.kill('SIGTERM');
  t.equal(await exited(b), 143, 'run B stops on SIGTERM');
  t.same(runDirs(), [], 'and removes its run folder');
  t.same(await settleChildren(() => childrenOf(), 3000), [], 'no child process of the test is left');
});
