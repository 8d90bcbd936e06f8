// `maskflow demo`: the quick start. Generates a clip (a red disc moving over a
// busy test pattern, with a tone), renders it with several effects using the
// model-free subject finder, and prints where the result is.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { removeOnExit } from '../exit-cleanup.js';
import { ffmpegPaths } from '../media/ffmpeg.js';
import { generateClip } from '../media/demo-clip.js';
import { parsePlan } from '../plan/parse.js';
import { render } from '../render/render.js';
import { checkCommonOptions, COMMON_OPTION_SPECS, COMMON_OPTIONS_HELP, numberOption, STDOUT, viaStdout, type Command } from './command.js';
import { progressPrinter } from './progress-printer.js';
import { summarise } from './render.js';

export const DEMO_PLAN = {
  version: 1,
  subject: { prompt: 'a red ball', keyframeInterval: 0.5 },
  output: { codec: 'libx264', crf: 20, preset: 'veryfast', aspect: 'source' },
  segments: [
    { start: 0, end: 2, effects: [{ type: 'blur-background', radius: 24 }] },
    { start: 2, end: 4, effects: [{ type: 'grayscale-background' }, { type: 'vignette', strength: 0.4 }] },
    { start: 4, end: 6, effects: [{ type: 'dim-background', amount: 0.6 }, { type: 'zoom', factor: 1.3 }] },
  ],
};

export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate a clip, render it with several effects, print the report',
  usage: `maskflow demo [-o FILE] [--workers N] [--keep-input FILE] [-y] [--quiet] [--verbose]

Generates a 6-second 640x360 clip (a red disc moving over a busy test pattern,
with a tone), renders it with blur-background, grayscale-background + vignette,
and dim-background + zoom, using the model-free subject finder, and writes
maskflow-demo.mp4 in the current folder (replacing an earlier demo output).

Options:
  -o, --output FILE         where to write the result (default ./maskflow-demo.mp4; "-": stdout)
  --workers N               render worker threads (default: chosen from the frame size and cores)
  --keep-input FILE         also keep the generated input clip at FILE
${COMMON_OPTIONS_HELP}
The demo output is always replaced (-y is accepted for consistency).`,
  async run(args, io, context) {
    const { values } = parseArgs({
      args,
      options: {
        output: { type: 'string', short: 'o' },
        workers: { type: 'string' },
        'keep-input': { type: 'string' },
        ...COMMON_OPTION_SPECS,
      },
    });
    checkCommonOptions(values);
    const workers = numberOption('workers', values.workers, { min: 1, max: 64, integer: true });
    const toStdout = values.output === STDOUT;
    const say = toStdout ? io.stderr : io.stdout;
    const output = resolve(values.output ?? 'maskflow-demo.mp4');
    const paths = ffmpegPaths();
    const dir = await mkdtemp(join(tmpdir(), 'maskflow-demo-'));
    const forget = removeOnExit(dir);
    try {
      const input = values['keep-input'] ? resolve(values['keep-input']) : join(dir, 'demo-input.mp4');
      if (!values.quiet) io.stderr.write(`generating a 6 s demo clip with ffmpeg…\n`);
      await generateClip(paths, { output: input, width: 640, height: 360, seconds: 6, fps: '30', audio: true, crf: 20 });
      const printer = progressPrinter(io.stderr);
      const run = (file: string) =>
        render({
          input,
          output: file,
          plan: parsePlan(DEMO_PLAN, 'demo plan'),
          workers,
          overwrite: true,
          cacheDir: join(dir, 'cache'),
          onProgress: values.quiet ? undefined : printer.onProgress,
          signal: context?.signal,
        });
      const report = toStdout ? await viaStdout(io, 'maskflow-demo.mp4', run) : await run(output);
      printer.done();
      if (!values.quiet) say.write(`${summarise(report)}\n\n${toStdout ? 'The video went to stdout.' : `Open ${output} to see it.`}\n`);
      if (values.verbose) say.write(`  ffmpeg: ${report.ffmpeg.path} (${report.ffmpeg.source}, ${report.ffmpeg.version}); native: ${report.native.path} (${report.native.source})\n`);
      return 0;
    } finally {
      await rm(dir, { recursive: true, force: true });
      forget();
    }
  },
};
