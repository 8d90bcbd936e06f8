// Queue overhead: the same 1080p clip rendered locally and through the queue
// (a real redis-server started here, real `maskflow worker` processes), with
// 1 and 2 workers on each side: local --workers 1 vs one worker process,
// local --workers 2 vs two worker processes. Figures: queue overhead per batch
// (queued render+finish stages minus local ones, per batch), the end-to-end
// wall and CPU ratios, and the finish job's share of the queued render.
// CPU seconds include every process involved: the submitter, the workers and
// their ffmpeg children, and redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeClip, root, scratchDir } from './lib.mjs';

const cli = join(root, 'bin', 'maskflow.js');
const TICK = 100; // USER_HZ on Linux

/** utime+stime of a process plus its reaped children, in seconds (from /proc). */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
}

/** Runs a command under a shell that prints its own children's CPU time when the command ends. */
function timedWithCpu(args) {
  const t = performance.now();
  const r = spawnSync('sh', ['-c', '"$@"; s=$?; cat /proc/$$/stat >&2; exit $s', 'sh', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stderr}`);
  const stat = r.stderr.trim().split('\n').pop();
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ms, cpu: (Number(f[13]) + Number(f[14])) / TICK };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(dir) {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
    throw new Error('the queue bench needs redis-server (apt-get install redis-server)');
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, child, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) };
}

function startWorker(url, name) {
  const child = spawn(process.execPath, [cli, 'worker', '--queue', url, '--name', name], { stdio: ['ignore', 'pipe', 'inherit'] });
  let log = '';
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      log += d;
      if (log.includes('waiting for jobs')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}):\n${log}`)));
  });
  return {
    child,
    ready,
    cpu: () => cpuSeconds(child.pid),
    stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))),
  };
}

function render(input, dir, tag, extra) {
  const report = join(dir, `report-${tag}.json`);
  const args = [process.execPath, cli, 'render', input, '-o', join(dir, `out-${tag}.mp4`), '--no-cache', '--effect', 'blur-background', '--batch-seconds', '2', '--report', report, '-y', '--quiet', ...extra];
  const run = timedWithCpu(args);
  return { ...run, report: JSON.parse(readFileSync(report, 'utf8')) };
}

export async function run({ quick = false } = {}) {
  const width = quick ? 1280 : 1920;
  const height = quick ? 720 : 1080;
  const seconds = quick ? 6 : 10;
  const dir = scratchDir('queue');
  process.stderr.write(`queue: generating a ${width}x${height} ${seconds} s clip…\n`);
  const input = await makeClip(dir, 'in.mp4', { width, height, seconds });
  const redis = await startRedis(dir);
  const workers = [];
  try {
    const rows = [];
    const detail = {};
    for (const n of [1, 2]) {
      const local = render(input, dir, `local${n}`, ['--workers', String(n)]);
      while (workers.length < n) {
        const w = startWorker(redis.url, `bench-w${workers.length + 1}`);
        await w.ready;
        workers.push(w);
      }
      const before = workers.map((w) => w.cpu());
      const redisBefore = cpuSeconds(redis.child.pid);
      // --workers n: the same batch cuts as the local render.
      const queued = render(input, dir, `queued${n}`, ['--workers', String(n), '--queue', redis.url]);
      const workerCpu = workers.reduce((s, w, i) => s + w.cpu() - before[i], 0);
      const queuedCpu = queued.cpu + workerCpu + cpuSeconds(redis.child.pid) - redisBefore;
      const batches = queued.report.batches.length;
      const localWork = local.report.stages.render + local.report.stages.finish;
      const queuedWork = queued.report.stages.render + queued.report.stages.finish;
      const overheadPerBatch = (queuedWork - localWork) / batches;
      detail[`${n}`] = {
        batches,
        localMs: local.ms,
        queuedMs: queued.ms,
        localCpuSeconds: local.cpu,
        queuedCpuSeconds: queuedCpu,
        localStages: local.report.stages,
        queuedStages: queued.report.stages,
        finishJob: { verifyMs: queued.report.queue.verifyMs, joinMs: queued.report.queue.joinMs, worker: queued.report.queue.finishWorker },
        workersUsed: queued.report.queue.workers,
      };
      rows.push(
        { name: `queue overhead per batch, ${n} worker${n > 1 ? 's' : ''} (ms)`, value: overheadPerBatch, ratio: (queuedWork - localWork) / local.ms, better: 'lower', tolerance: 1, target: '≤ 5 % of the local render (ratio column)' },
        { name: `end-to-end wall, queued / local, ${n} worker${n > 1 ? 's' : ''}`, ratio: queued.ms / local.ms, better: 'lower', tolerance: 0.15, target: '≤ 1.05' },
        { name: `end-to-end CPU, queued / local, ${n} worker${n > 1 ? 's' : ''}`, ratio: queuedCpu / local.cpu, better: 'lower', tolerance: 0.15, target: '≤ 1.05' },
        { name: `finish join share of the queued render, ${n} worker${n > 1 ? 's' : ''}`, ratio: queued.report.stages.finish / queued.report.stages.total, better: 'lower', tolerance: 1, target: '≤ 0.02' },
      );
    }
    return { suite: 'queue', clip: { width, height, seconds }, detail, results: rows };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
  }
}
