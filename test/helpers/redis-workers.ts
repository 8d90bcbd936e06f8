// Real `maskflow worker` processes (bin/maskflow.js, the compiled CLI) for
// queue tests, with their log lines collected so a test can wait for one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ffmpeg } from './media.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const cliPath = join(root, 'bin', 'maskflow.js');

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
  /** Resolves with the first log line matching `pattern` from line `since` on (rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number, since?: number): Promise<string>;
  stop(): Promise<void>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

export function lineWatcher(streams: NodeJS.ReadableStream[], log: string[]): (pattern: RegExp, ms?: number, since?: number) => Promise<string> {
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  for (const stream of streams) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      rest += chunk.toString();
      const lines = rest.split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        log.push(line);
        for (const w of [...waiters]) {
          if (w.pattern.test(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    });
  }
  return (pattern, ms = 60_000, since = 0) =>
    new Promise((resolve, reject) => {
      const seen = log.slice(since).find((l) => pattern.test(l));
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${ms} ms; got:\n${log.join('\n')}`)), ms);
      waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
}

export async function startWorkerProcess(url: string, name: string, extra: string[] = []): Promise<WorkerProcess> {
  const child = spawnCli(['worker', '--queue', url, '--name', name, '--stalled-seconds', '2', ...extra]);
  const log: string[] = [];
  const waitFor = lineWatcher([child.stdout!, child.stderr!], log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(/waiting for jobs/, 180_000);
  return {
    name,
    child,
    log,
    exited,
    waitFor,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A small H.264 + AAC test clip of `seconds`. */
export function clip(file: string, seconds: number): void {
  ffmpeg([
    '-f', 'lavfi', '-i', `testsrc2=s=320x240:r=25`,
    '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000',
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file,
  ]);
}

export { frameHashes } from './media.js';

/** ffmpeg processes whose command line mentions `dir` (a killed worker's children would). */
export function ffmpegUnder(dir: string): string[] {
  const r = spawnSync('ps', ['-eo', 'pid,stat,args'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes('ffmpeg') && l.includes(dir) && !/\sZ/.test(l));
}

export async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
