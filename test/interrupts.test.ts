// Ctrl-C and SIGTERM reach every stage: a real CLI child process is signalled
// while it analyses, plans or renders a generated clip. It must stop promptly
// with "interrupted" (exit 130 / 143), leave no temp files and no ffmpeg
// child; a second Ctrl-C exits at once and still removes the temp files.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClip } from '../src/media/demo-clip.js';
import { paths } from './helpers/media.js';

const bin = fileURLToPath(new URL('../bin/maskflow.js', import.meta.url));
/** Generous on a loaded 2-core machine; the target (within a second) is what the comment prints. */
const STOP_LIMIT_MS = 2500;

interface Stopped {
  code: number | null;
  signal: string | null;
  stderr: string;
  /** From the (first) signal to the child's exit. */
  stopMs: number;
}

/**
 * Starts the CLI, waits until stderr matches `when` (or the promise settles),
 * sends `signals` (`gapMs` apart) and waits for the exit.
 */
function interruptAt(args: string[], cwd: string, when: RegExp | Promise<unknown>, signals: NodeJS.Signals[], gapMs = 30, env: NodeJS.ProcessEnv = process.env): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sentAt = 0;
    const what = when instanceof RegExp ? String(when) : 'the trigger';
    const send = (): void => {
      if (sentAt !== 0 || child.exitCode !== null) return;
      sentAt = performance.now();
      child.kill(signals[0]);
    };
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI neither reached ${what} nor exited in 240 s; stderr:\n${stderr}`));
    }, 240_000);
    if (!(when instanceof RegExp)) void when.then(send);
    let second = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (when instanceof RegExp && when.test(stderr)) send();
      // Two signals sent before the first is delivered merge into one, so a repeat waits until the first was seen.
      if (signals.length > 1 && !second && /stopping \(again to exit at once\)/.test(stderr)) {
        second = true;
        setTimeout(() => child.kill(signals[1]), gapMs);
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (sentAt === 0) reject(new Error(`the CLI exited (${code}) before ${what}; stderr:\n${stderr}`));
      else resolve({ code, signal, stderr, stopMs: performance.now() - sentAt });
    });
  });
}

/** Processes (other than this one) whose command line mentions `needle`: leftover ffmpeg children. */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle) && Number(pid) !== process.pid) found.push(`${pid}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function waitGone(needle: string, ms = 5000): Promise<string[]> {
  const until = performance.now() + ms;
  let left = processesMentioning(needle);
  while (left.length && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesMentioning(needle);
  }
  return left;
}

const dir = t.testdir({});
const clip = join(dir, 'interrupt-clip.mp4');
// Every frame a keyframe: analysis of this clip takes many seconds, so the signal lands mid-analysis.
const slowPlan = join(dir, 'slow.json');
const fastPlan = join(dir, 'fast.json');

t.before(async () => {
  await generateClip(paths, { output: clip, width: 480, height: 270, seconds: 12, fps: '25', audio: true });
  writeFileSync(slowPlan, JSON.stringify({ version: 1, subject: { keyframeInterval: 0.04 }, segments: [{ start: 0, effects: [{ type: 'blur-background' }] }] }));
  writeFileSync(fastPlan, JSON.stringify({ version: 1, subject: { keyframeInterval: 2 }, segments: [{ start: 0, effects: [{ type: 'blur-background', radius: 120 }] }] }));
});

function leftovers(): string[] {
  return readdirSync(dir).filter((n) => n.startsWith('.') || n.startsWith('out'));
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  t.test(`${signal} during analysis stops it promptly with "interrupted", exit ${code}`, async (t) => {
    const r = await interruptAt(['render', clip, '-o', 'out.mp4', '--plan', slowPlan, '--no-cache', '--workers', '1'], dir, /^analyse .*keyframes/m, [signal]);
    t.comment(`${signal} → exit in ${r.stopMs.toFixed(0)} ms`);
    t.equal(r.signal, null, 'exited by itself');
    t.equal(r.code, code);
    t.match(r.stderr, /maskflow render: interrupted; nothing was written/);
    t.notMatch(r.stderr, /could not decode|received signal|killed by/, 'the message blames the interrupt, not the input');
    t.ok(r.stopMs < STOP_LIMIT_MS, `stopped in ${r.stopMs.toFixed(0)} ms`);
    t.same(leftovers(), [], 'no output and no temp files');
    t.same(await waitGone(clip), [], 'no ffmpeg left decoding the clip');
  });
}

t.test('SIGINT while planning (an Ollama request that never returns) stops with "interrupted", no fallback', async (t) => {
  // A server on 127.0.0.1 that accepts Ollama's /api/chat and never answers: the request is in flight
  // when the signal comes, so only the AbortSignal can end it (the timeout is an hour).
  let requested!: () => void;
  const inFlight = new Promise<void>((r) => (requested = r));
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    held.push(res);
    if (req.url === '/api/chat') requested();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const res of held) res.destroy();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const r = await interruptAt(['plan', clip, '-o', 'out-plan.json', '--planner', 'ollama', '--ollama-host', `http://127.0.0.1:${port}`, '--ollama-timeout', '3600', '--fallback', 'auto'], dir, inFlight, ['SIGINT']);
  t.comment(`planning stopped in ${r.stopMs.toFixed(0)} ms`);
  t.equal(r.code, 130, r.stderr);
  t.match(r.stderr, /maskflow plan: interrupted; nothing was written/);
  t.notMatch(r.stderr, /automatic plan is used instead/, 'an interrupt is not an Ollama failure to fall back from');
  t.ok(r.stopMs < STOP_LIMIT_MS);
  t.notOk(existsSync(join(dir, 'out-plan.json')));
});

t.test('a second Ctrl-C during rendering exits at once and still removes the temp files', async (t) => {
  // The test-only fault hook makes the first stop provably slow: a hung worker thread gets 5 s to
  // answer before it is terminated, so the second Ctrl-C always comes while the first is under way.
  const r = await interruptAt(['render', clip, '-o', 'out.mp4', '--plan', fastPlan, '--no-cache', '--workers', '2', '--batch-seconds', '2'], dir, /MASKFLOW_FAULT: batch 0 hangs/, ['SIGINT', 'SIGINT'], 20, {
    ...process.env,
    MASKFLOW_FAULT: 'batch:0:hang',
  });
  t.comment(`two Ctrl-C → exit in ${r.stopMs.toFixed(0)} ms`);
  t.equal(r.code, 130);
  t.match(r.stderr, /interrupted again; exited at once/, 'the second Ctrl-C took the immediate exit');
  t.ok(r.stopMs < STOP_LIMIT_MS, `exited in ${r.stopMs.toFixed(0)} ms`);
  t.same(leftovers(), [], 'the hidden batch folder and temp output were removed');
  t.same(await waitGone(clip), [], 'no ffmpeg left behind');
});
