// `maskflow status`: progress of a queued render (or the recent ones).
import { parseArgs } from 'node:util';
import { ProgressTracker } from '../render/progress.js';
import { formatProgress } from './progress-text.js';
import { recentRenders, renderStatus, type RenderStatus } from '../queue/index.js';
import { checkCommonOptions, COMMON_OPTION_SPECS, COMMON_OPTIONS_HELP, UsageError, type Command } from './command.js';

function describe(s: RenderStatus): string {
  const lines = [
    `render ${s.renderId}: ${s.state}, ${s.frames.done}/${s.frames.total} frames${s.output ? ` → ${s.output}` : ''}`,
    ...(s.submittedAt ? [`  submitted ${s.submittedAt}${s.finishedAt ? `, ended ${s.finishedAt}` : ''}`] : []),
    ...s.batches.map(
      (b) =>
        `  batch ${String(b.index).padStart(3)}: ${b.state.padEnd(16)} ${String(b.frames).padStart(6)}/${b.total} frames` +
        `${b.worker ? `  worker ${b.worker}` : ''}${b.attempts > 1 ? `  attempts ${b.attempts}` : ''}${b.reused ? '  (reused)' : ''}`,
    ),
    ...(s.failedReason ? [`  failed: ${s.failedReason}`] : []),
    `  workers connected: ${s.workers.length > 0 ? s.workers.join(', ') : 'none (start one with maskflow worker --queue URL)'}`,
  ];
  return `${lines.join('\n')}\n`;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'show the progress of a render queued with render --queue',
  usage: `maskflow status [RENDER_ID] --queue redis://HOST:PORT[/DB] [--json] [--follow]

Without an id: the renders submitted in the last 7 days, newest first.
  --queue URL     the Redis server holding the queue (or MASKFLOW_QUEUE)
  --json          print the status as JSON
  --follow        print progress with an ETA until the render ends (Ctrl-C stops
                  watching; it does not cancel the render). Exit 0 when it
                  completed, 1 when it failed or was cancelled.
${COMMON_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { queue: { type: 'string' }, json: { type: 'boolean' }, follow: { type: 'boolean' }, ...COMMON_OPTION_SPECS },
    });
    checkCommonOptions(values);
    const url = values.queue ?? process.env.MASKFLOW_QUEUE;
    if (!url) throw new UsageError('--queue redis://HOST:PORT[/DB] is required (or set MASKFLOW_QUEUE)');
    if (positionals.length > 1) throw new UsageError(`one render id expected, got ${positionals.length}`);
    if (positionals.length === 0) {
      if (values.follow) throw new UsageError('--follow needs a render id');
      const ids = await recentRenders(url);
      const all = [];
      for (const id of ids) all.push(await renderStatus(url, id).catch(() => undefined));
      const found = all.filter((s): s is RenderStatus => s !== undefined);
      if (values.json) io.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
      else if (found.length === 0) io.stdout.write('no renders on this queue in the last 7 days\n');
      else for (const s of found) io.stdout.write(`${s.renderId}  ${s.state.padEnd(9)}  ${s.frames.done}/${s.frames.total} frames  ${s.output ?? ''}\n`);
      return 0;
    }
    const id = positionals[0];
    let status = await renderStatus(url, id);
    if (values.follow) {
      const tracker = new ProgressTracker('render', status.frames.total, (e) => {
        if (!values.quiet) io.stderr.write(`${formatProgress(e)}\n`);
      });
      let stopped = false;
      const stop = (): void => {
        stopped = true;
      };
      process.once('SIGINT', stop);
      try {
        let last = -1;
        while (!stopped && (status.state === 'waiting' || status.state === 'rendering' || status.state === 'finishing')) {
          if (status.frames.done !== last) tracker.update(status.frames.done);
          last = status.frames.done;
          await new Promise((r) => setTimeout(r, 1000));
          status = await renderStatus(url, id);
        }
      } finally {
        process.off('SIGINT', stop);
      }
    }
    io.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : describe(status));
    if (!values.follow) return 0;
    return status.state === 'completed' ? 0 : 1;
  },
};
