// Real `maskflow worker` processes (bin/maskflow.js, the compiled CLI) for
// queue tests, with their log lines collected so a test can wait for one.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

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
