// One supervised child process (ffmpeg or ffprobe): spawned with plain
// arguments, registered with the supervisor, killed politely then firmly,
// always reaped, and watched: a process that makes no progress for the
// watchdog's time is killed and its `done` fails naming what it was doing.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { register, unregister } from './supervisor.js';

/** Default seconds without progress before the watchdog kills a process. */
export const DEFAULT_WATCHDOG_SECONDS = 120;
/** Milliseconds between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 3000;

export type ProcessFailure = 'exit' | 'signal' | 'spawn' | 'watchdog' | 'killed';

export class ProcessError extends Error {
  constructor(
    message: string,
    /** How it ended: a non-zero exit, an outside signal, could not start, the watchdog, or killed by us. */
    readonly failure: ProcessFailure,
    /** The last line the process wrote to stderr (empty when none). */
    readonly lastLine: string,
    readonly exitCode: number | null = null,
    readonly exitSignal: NodeJS.Signals | null = null,
  ) {
    super(message);
    this.name = 'ProcessError';
  }

  /** Whether trying again could succeed: the process was killed or hung, not refused its input. */
  get transient(): boolean {
    return this.failure === 'signal' || this.failure === 'watchdog';
  }
}

export interface SuperviseOptions {
  /** What the process is doing, for messages, e.g. "ffmpeg could not decode in.mp4". */
  what: string;
  stdin?: 'pipe' | 'ignore';
  stdout?: 'pipe' | 'ignore';
  /** Seconds without progress before it is killed; 0 turns the watchdog off. Default: MASKFLOW_WATCHDOG_SECONDS or 120. */
  watchdogSeconds?: number;
}

export interface ProcessHandle {
  /** "ffmpeg" or "ffprobe". */
  readonly name: string;
  readonly pid: number | undefined;
  readonly what: string;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  /** Settles once the process exited and was reaped: resolves on exit code 0, else rejects with a ProcessError. Never unhandled. */
  readonly done: Promise<void>;
  /** SIGTERM (and SIGCONT, so a stopped process can act on it), SIGKILL after a grace period; resolves once reaped. */
  kill(reason?: string): Promise<void>;
  /** Highest resident set size seen (bytes, sampled from /proc; 0 where there is no /proc). */
  peakRssBytes(): number;
}

/** The watchdog time from MASKFLOW_WATCHDOG_SECONDS, else the default. */
export function watchdogSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MASKFLOW_WATCHDOG_SECONDS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_WATCHDOG_SECONDS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new RangeError(`MASKFLOW_WATCHDOG_SECONDS must be a number of seconds (0 turns the watchdog off), got "${raw}"`);
  }
  return n;
}

interface ProcSample {
  state: string;
  cpuTicks: number;
  peakRssBytes: number;
}

/** State, CPU ticks and peak RSS of a live process from /proc (Linux); undefined elsewhere or once gone. */
function sampleProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return { state: fields[0], cpuTicks: Number(fields[11]) + Number(fields[12]), peakRssBytes: hwm ? Number(hwm[1]) * 1024 : 0 };
  } catch {
    return undefined;
  }
}

function lastLines(name: string, text: string): string {
  return text
    .trim()
    .split(/[\r\n]+/)
    .slice(-4)
    .map((l) => `  ${name}: ${l}`)
    .join('\n');
}

class SupervisedProcess implements ProcessHandle {
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly done: Promise<void>;
  private readonly child: ChildProcess;
  private readonly reaped: Promise<void>;
  private tail = '';
  private exited = false;
  private killedWith: ProcessError | undefined;
  private peak = 0;
  private lastActivity = Date.now();
  private lastCpu = -1;
  private lastStdinPending = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    readonly options: SuperviseOptions,
  ) {
    this.child = spawn(command, args, { stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'pipe'] });
    this.pid = this.child.pid;
    this.stdin = this.child.stdin;
    this.stdout = this.child.stdout;
    // A dead process surfaces through `done`; EPIPE on its stdin must not become an uncaught error.
    this.stdin?.on('error', () => undefined);
    this.stdout?.on('data', () => this.touch());
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.tail = `${this.tail}${chunk.toString()}`.slice(-4000);
      this.touch();
    });
    let spawnError: Error | undefined;
    this.reaped = new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', (err) => {
        spawnError = err;
        if (this.child.pid === undefined) resolve();
      });
    });
    const stderrClosed = new Promise<void>((resolve) => {
      if (!this.child.stderr) resolve();
      this.child.stderr?.once('close', () => resolve());
      this.child.stderr?.once('error', () => resolve());
    });
    this.done = new Promise<void>((resolve, reject) => {
      void this.reaped.then(async () => {
        this.exited = true;
        this.stop();
        // The last stderr lines arrive after the exit; give them a moment, not forever.
        await Promise.race([stderrClosed, new Promise((r) => setTimeout(r, 500).unref())]);
        const code = this.child.exitCode;
        const signal = this.child.signalCode;
        const lastLine = this.tail.trim().split(/[\r\n]+/).pop()?.trim() ?? '';
        const detail = this.tail.trim() ? `\n${lastLines(name, this.tail)}` : '';
        if (this.killedWith) reject(this.killedWith);
        else if (spawnError && this.pid === undefined) reject(new ProcessError(`${options.what}: could not start ${command}: ${spawnError.message}`, 'spawn', '', null, null));
        else if (code === 0) resolve();
        else if (signal) reject(new ProcessError(`${options.what}: ${name} was killed by ${signal}${detail}`, 'signal', lastLine, code, signal));
        else reject(new ProcessError(`${options.what}: ${name} exited with code ${code}${detail}`, 'exit', lastLine, code, signal));
      });
    });
    this.done.catch(() => undefined);
    if (this.pid !== undefined) {
      register(this);
      const seconds = options.watchdogSeconds ?? watchdogSecondsFromEnv();
      const tickMs = seconds > 0 ? Math.max(100, Math.min(1000, (seconds * 1000) / 4)) : 1000;
      this.timer = setInterval(() => this.tick(seconds), tickMs);
      this.timer.unref();
      // One early sample so short processes still report their size.
      setTimeout(() => this.tick(0), 50).unref();
    }
  }

  get what(): string {
    return this.options.what;
  }

  peakRssBytes(): number {
    return this.peak;
  }

  kill(reason?: string): Promise<void> {
    if (!this.exited && this.pid !== undefined) {
      this.killedWith ??= new ProcessError(`${this.options.what}: ${reason ?? `${this.name} was stopped`}`, 'killed', '');
      this.signalNow('SIGTERM');
      const firm = setTimeout(() => this.signalNow('SIGKILL'), KILL_GRACE_MS);
      void this.reaped.then(() => clearTimeout(firm));
    }
    return this.reaped;
  }

  /** Last resort on process exit: no time for a grace period. */
  killNow(): void {
    if (!this.exited) this.signalNow('SIGKILL');
  }

  private signalNow(signal: NodeJS.Signals): void {
    this.stdin?.destroy();
    this.stdout?.destroy();
    try {
      this.child.kill(signal);
      if (signal === 'SIGTERM') this.child.kill('SIGCONT');
    } catch {
      // Already gone.
    }
  }

  private touch(): void {
    this.lastActivity = Date.now();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    unregister(this);
  }

  private tick(seconds: number): void {
    if (this.exited || this.pid === undefined) return;
    const s = sampleProc(this.pid);
    if (s) {
      this.peak = Math.max(this.peak, s.peakRssBytes);
      if (s.cpuTicks !== this.lastCpu) {
        this.lastCpu = s.cpuTicks;
        if (s.state !== 'T' && s.state !== 't') this.touch();
      }
    }
    if (seconds <= 0 || this.killedWith) return;
    // Idle is fine while we are the slow side: nothing queued for its stdin, or
    // its stdout backed up because our consumer is busy.
    const pending = this.stdin && !this.stdin.writableEnded ? this.stdin.writableLength : -1;
    const waitingForUs = pending === 0 || (this.stdout !== null && (this.stdout.isPaused() || this.stdout.readableLength >= this.stdout.readableHighWaterMark));
    if (pending !== this.lastStdinPending) {
      this.lastStdinPending = pending;
      this.touch();
    }
    if (waitingForUs) {
      this.touch();
      return;
    }
    const idle = (Date.now() - this.lastActivity) / 1000;
    if (idle >= seconds) {
      const stopped = s && (s.state === 'T' || s.state === 't') ? ' (it was stopped)' : '';
      this.killedWith = new ProcessError(
        `${this.options.what}: ${this.name} (pid ${this.pid}) made no progress for ${Math.round(idle)} s${stopped} and was killed; ` +
          'set MASKFLOW_WATCHDOG_SECONDS to wait longer (0 turns the watchdog off)',
        'watchdog',
        '',
      );
      this.signalNow('SIGTERM');
      const firm = setTimeout(() => this.signalNow('SIGKILL'), KILL_GRACE_MS);
      void this.reaped.then(() => clearTimeout(firm));
    }
  }
}

/** Spawns `command args` under supervision. */
export function superviseProcess(name: string, command: string, args: string[], options: SuperviseOptions): ProcessHandle & { killNow(): void } {
  return new SupervisedProcess(name, command, args, options);
}
