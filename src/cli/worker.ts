// `maskflow worker`: a long-running process that renders batch and finish
// jobs from a Redis queue (see README, "Running on several machines").
import { parseArgs } from 'node:util';
import { startWorker } from '../queue/index.js';
import { checkCommonOptions, COMMON_OPTION_SPECS, COMMON_OPTIONS_HELP, numberOption, UsageError, type Command } from './command.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'render batches of queued renders (BullMQ on Redis) until stopped',
  usage: `maskflow worker --queue redis://HOST:PORT[/DB] [options]

Takes batch jobs (decode, effects, encode one frame range) and finish jobs
(verify the batch files, join them, mux the audio, write the output) of renders
submitted with \`maskflow render --queue\`. Input, batch files and output must be
on storage this machine sees at the same paths as the submitter (a shared
folder or network filesystem). Stops on SIGTERM or Ctrl-C after the running
jobs finish; a second signal hands them back to the queue at once.

Options:
  --queue URL               the Redis server holding the queue (or MASKFLOW_QUEUE)
  --concurrency N           jobs at once in this process (default 1; each batch
                            gets its own render thread, ffmpeg threads are split)
  --name W                  this worker's name in progress, status and errors
                            (default HOSTNAME-PID)
  --stalled-seconds S       a job whose worker has not renewed its lock for S
                            seconds (it died) is handed to another worker (default 30)
  --ffmpeg PATH             folder holding ffmpeg and ffprobe, or the ffmpeg binary
${COMMON_OPTIONS_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        queue: { type: 'string' },
        concurrency: { type: 'string' },
        name: { type: 'string' },
        'stalled-seconds': { type: 'string' },
        ffmpeg: { type: 'string' },
        ...COMMON_OPTION_SPECS,
      },
    });
    checkCommonOptions(values);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const queue = values.queue ?? process.env.MASKFLOW_QUEUE;
    if (!queue) throw new UsageError('--queue redis://HOST:PORT[/DB] is required (or set MASKFLOW_QUEUE)');
    const log = (line: string): void => {
      if (!values.quiet) io.stdout.write(`${new Date().toISOString()} ${line}\n`);
    };
    const worker = await startWorker({
      queue,
      concurrency: numberOption('concurrency', values.concurrency, { min: 1, max: 64, integer: true }),
      name: values.name,
      stalledSeconds: numberOption('stalled-seconds', values['stalled-seconds'], { min: 1, max: 3600, integer: true, unit: 'seconds' }),
      ffmpeg: values.ffmpeg,
      onLog: log,
    });
    await new Promise<void>((resolve) => {
      let signals = 0;
      const stop = (signal: NodeJS.Signals): void => {
        signals++;
        const force = signals > 1;
        log(force ? `${signal} again: handing running jobs back to the queue` : `${signal}: finishing running jobs, then stopping (send it again to hand them back now)`);
        worker.close({ force }).then(resolve, (err: unknown) => {
          log(`stopping failed: ${(err as Error).message}`);
          resolve();
        });
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    log(`worker ${worker.name} stopped`);
    return 0;
  },
};
