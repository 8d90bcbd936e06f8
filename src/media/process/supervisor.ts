// The registry of this thread's live child processes. Every ffmpeg/ffprobe
// maskflow starts is in it from spawn to reap, so any exit path can stop them:
// `stopAll()` kills and reaps them (failure, abort, worker shutdown) and, as a
// last resort, they get SIGKILL when the thread or process exits.
import { readFileSync } from 'node:fs';

interface Supervised {
  readonly pid: number | undefined;
  readonly name: string;
  readonly what: string;
  kill(reason?: string): Promise<void>;
  killNow(): void;
  peakRssBytes(): number;
}

/** A child as other threads hear of it: a worker forwards its children to the pool this way. */
export interface ChildInfo {
  pid: number;
  name: string;
  what: string;
  /** Peak RSS in bytes (on 'reaped': the process's whole life). */
  peakRssBytes: number;
}

export type ChildListener = (event: 'spawned' | 'reaped', child: ChildInfo) => void;

const live = new Set<Supervised>();
// Children of other threads of this process (a render worker's ffmpegs), known by pid only.
const adopted = new Map<number, ChildInfo>();
let listener: ChildListener | undefined;
let hooked = false;
let peakOfEnded = 0;
// Memory of all children together: the highest sum of their peak sizes so far. A child's peak
// only grows while it lives, so the sum is highest just before one ends: sampled then too.
const lastPeak = new Map<number, number>();
let togetherPeak = 0;

function childPeak(pid: number, known: number): number {
  const peak = Math.max(known, lastPeak.get(pid) ?? 0, procPeakRss(pid));
  lastPeak.set(pid, peak);
  return peak;
}

function sampleTogether(): number {
  let sum = 0;
  for (const p of live) if (p.pid !== undefined) sum += childPeak(p.pid, p.peakRssBytes());
  for (const c of adopted.values()) sum += childPeak(c.pid, c.peakRssBytes);
  togetherPeak = Math.max(togetherPeak, sum);
  return sum;
}

function infoOf(p: Supervised): ChildInfo {
  return { pid: p.pid ?? -1, name: p.name, what: p.what, peakRssBytes: p.peakRssBytes() };
}

/** Tells `l` about every child this thread spawns and reaps (undefined: stop telling). */
export function watchChildren(l: ChildListener | undefined): void {
  listener = l;
}

/** Counts a child another thread spawned in this thread's memory figures until it is released. */
export function adoptChild(child: ChildInfo): void {
  adopted.set(child.pid, child);
}

export function releaseChild(child: ChildInfo): void {
  if (adopted.has(child.pid)) {
    adopted.set(child.pid, child); // its own thread's last figure
    sampleTogether();
  }
  adopted.delete(child.pid);
  lastPeak.delete(child.pid);
  peakOfEnded = Math.max(peakOfEnded, child.peakRssBytes);
}

export function register(p: Supervised): void {
  live.add(p);
  listener?.('spawned', infoOf(p));
  if (!hooked) {
    hooked = true;
    // 'exit' handlers must be synchronous: no grace period, just SIGKILL.
    process.on('exit', () => {
      for (const child of live) child.killNow();
    });
  }
}

export function unregister(p: Supervised): void {
  if (!live.has(p)) return;
  sampleTogether();
  live.delete(p);
  if (p.pid !== undefined) lastPeak.delete(p.pid);
  peakOfEnded = Math.max(peakOfEnded, p.peakRssBytes());
  listener?.('reaped', infoOf(p));
}

/** The child processes of this thread that have not been reaped yet. */
export function liveProcesses(): { pid: number | undefined; name: string; what: string }[] {
  return [...live].map((p) => ({ pid: p.pid, name: p.name, what: p.what }));
}

/** Kills every live child of this thread (SIGTERM, then SIGKILL) and resolves once all are reaped. */
export async function stopAll(reason = 'maskflow is stopping'): Promise<void> {
  await Promise.all([...live].map((p) => p.kill(reason)));
}

/**
 * Highest peak RSS (bytes) of any child of this thread since the last call,
 * live or ended; resets the count. Sampled from /proc, so 0 where there is none.
 */
export function takePeakChildRss(): number {
  let peak = peakOfEnded;
  for (const p of live) peak = Math.max(peak, p.peakRssBytes());
  peakOfEnded = 0;
  return peak;
}

/** Peak RSS (VmHWM, bytes) of a live process from /proc; 0 when it is gone or there is no /proc. */
export function procPeakRss(pid: number): number {
  try {
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return hwm ? Number(hwm[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Memory of all of this process's ffmpeg/ffprobe children at once (this
 * thread's and adopted ones): the highest sum of their peak RSS since the last
 * call, sampled now and whenever one ended; resets the count. Where children
 * run side by side (one decoder and one encoder per worker) the sum is what
 * the machine must hold.
 */
export function takeChildrenRss(): number {
  const now = sampleTogether();
  const peak = togetherPeak;
  togetherPeak = now;
  return peak;
}

/**
 * Last resort for a child whose thread died without reaping it (a worker that
 * crashed): SIGKILL by pid, only if /proc still shows it as a live child of
 * this process (so a reused pid is never hit). Node cannot reap another
 * thread's child, so it stays a zombie until this process exits; it no longer
 * runs or holds memory. Returns whether it was killed.
 */
export function killOrphanChild(child: ChildInfo): boolean {
  adopted.delete(child.pid);
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) !== process.pid || state === 'Z') return false;
    process.kill(child.pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
