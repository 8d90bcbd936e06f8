// One run directory per local render, beside the output (same file system, so
// the final link/rename is atomic): batch files, the join list and the temp
// output live in it. Its name says which output it is for and which process
// owns it, `.maskflow-run-<output hash>-<pid>-<random>`, and a lock file inside
// records the owner, so a later render to the same output can tell the
// directory of a run that died (kill -9, power loss) from one still running:
// a dead one is removed (or, with resume, taken over); a live one is left alone.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { removeQuietly } from '../exit-cleanup.js';

export const RUN_DIR_PREFIX = '.maskflow-run-';
export const LOCK_FILE = 'lock.json';

export interface RunLock {
  pid: number;
  hostname: string;
  /** The owner's start time in clock ticks since boot (/proc/PID/stat field 22): a reused pid has another. */
  startTicks: number | null;
  output: string;
  started: string;
}

export interface RunDir {
  path: string;
  /** The dead run directory this one was taken over from (resume), if any. */
  takenOver?: string;
}

export type RunState = 'live' | 'dead';

/** A dead run's directory found when the run started, and what became of it. */
export interface StaleRun {
  path: string;
  pid: number;
  /** Removed, taken over for resume, or left (it could not be removed). */
  outcome: 'removed' | 'taken-over' | 'left';
  note?: string;
}

/** The short hash naming an output's run directories (of its absolute path). */
export function outputKey(output: string): string {
  return createHash('sha256').update(output).digest('hex').slice(0, 12);
}

const NAME = /^\.maskflow-run-([0-9a-f]{12})-(\d+)-([0-9a-f]+)$/;

function startTicksOf(pid: number): { ticks: number; zombie: boolean } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(fields[19]), zombie: fields[0] === 'Z' || fields[0] === 'X' };
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/**
 * Whether the run owning `dir` is still running. Another host's run (a shared
 * folder) counts as live: its pid means nothing here.
 */
export async function runState(dir: string): Promise<RunState> {
  const m = NAME.exec(basename(dir));
  if (!m) return 'live';
  const pid = Number(m[2]);
  let lock: Partial<RunLock> | undefined;
  try {
    lock = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as Partial<RunLock>;
  } catch {
    lock = undefined; // not written yet, or torn by a crash: the pid in the name decides
  }
  if (lock?.hostname !== undefined && lock.hostname !== hostname()) return 'live';
  if (pid === process.pid) return 'live';
  const proc = startTicksOf(pid);
  if (proc) {
    if (proc.zombie) return 'dead';
    if (lock?.pid === pid && typeof lock.startTicks === 'number' && lock.startTicks !== proc.ticks) return 'dead';
    return 'live';
  }
  return pidAlive(pid) ? 'live' : 'dead';
}

/** Run directories of earlier renders to `output` (same folder, same output hash). */
export async function runDirsFor(output: string): Promise<string[]> {
  const prefix = `${RUN_DIR_PREFIX}${outputKey(output)}-`;
  let names: string[];
  try {
    names = await readdir(dirname(output));
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix) && NAME.test(n)).map((n) => join(dirname(output), n));
}

async function writeLock(dir: string, output: string): Promise<void> {
  const lock: RunLock = { pid: process.pid, hostname: hostname(), startTicks: startTicksOf(process.pid)?.ticks ?? null, output, started: new Date().toISOString() };
  // Written beside and renamed, so a reader never sees half a lock.
  await writeFileAtomic(join(dir, LOCK_FILE), `${JSON.stringify(lock)}\n`);
}

/**
 * Opens this run's directory for `output`. Dead runs' directories for the same
 * output are removed, except one that `reuse` accepts (a resumable manifest):
 * that one is renamed to this run's name (an atomic claim: of two runs racing
 * for it, one rename fails) and returned as taken over. Live runs' directories
 * are left alone.
 */
export async function openRunDir(output: string, reuse?: (dir: string) => Promise<boolean>): Promise<{ dir: RunDir; stale: StaleRun[] }> {
  const own = join(dirname(output), `${RUN_DIR_PREFIX}${outputKey(output)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const stale: StaleRun[] = [];
  let takenOver: string | undefined;
  for (const dir of await runDirsFor(output)) {
    if ((await runState(dir)) !== 'dead') continue;
    const pid = Number(NAME.exec(basename(dir))![2]);
    if (!takenOver && reuse && (await reuse(dir).catch(() => false))) {
      try {
        await rename(dir, own);
        takenOver = dir;
        stale.push({ path: dir, pid, outcome: 'taken-over' });
        continue;
      } catch {
        // Another run claimed it first, or it went away: nothing to resume from here.
        continue;
      }
    }
    const note = await removeQuietly(dir);
    stale.push({ path: dir, pid, outcome: note ? 'left' : 'removed', note });
  }
  if (!takenOver) await mkdir(own);
  await writeLock(own, output);
  return { dir: { path: own, takenOver }, stale };
}

/** A sentence for the report per dead run directory found. */
export function staleRunWarnings(stale: StaleRun[]): string[] {
  return stale.map((s) => {
    if (s.outcome === 'taken-over') return `resumed from the run folder ${s.path} of an earlier render that did not finish (pid ${s.pid} is gone)`;
    if (s.outcome === 'removed') return `removed the run folder ${s.path} of an earlier render that did not finish (pid ${s.pid} is gone)`;
    return `found the run folder ${s.path} of an earlier render that did not finish (pid ${s.pid} is gone), but ${s.note ?? 'could not remove it'}`;
  });
}
