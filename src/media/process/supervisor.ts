// The registry of this thread's live child processes. Every ffmpeg/ffprobe
// maskflow starts is in it from spawn to reap, so any exit path can stop them:
// `stopAll()` kills and reaps them (failure, abort, worker shutdown) and, as a
// last resort, they get SIGKILL when the thread or process exits.
interface Supervised {
  readonly pid: number | undefined;
  readonly name: string;
  readonly what: string;
  kill(reason?: string): Promise<void>;
  killNow(): void;
  peakRssBytes(): number;
}

const live = new Set<Supervised>();
let hooked = false;
let peakOfEnded = 0;

export function register(p: Supervised): void {
  live.add(p);
  if (!hooked) {
    hooked = true;
    // 'exit' handlers must be synchronous: no grace period, just SIGKILL.
    process.on('exit', () => {
      for (const child of live) child.killNow();
    });
  }
}

export function unregister(p: Supervised): void {
  if (live.delete(p)) peakOfEnded = Math.max(peakOfEnded, p.peakRssBytes());
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
