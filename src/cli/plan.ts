// `maskflow plan <input> -o plan.json`: write a plan to edit or render later.
import { existsSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ffmpegPaths } from '../media/ffmpeg.js';
import { probe } from '../media/probe.js';
import { makePlan, type PlannerOptions } from '../plan/planner.js';
import { DEFAULT_OLLAMA_HOST, DEFAULT_OLLAMA_MODEL, DEFAULT_OLLAMA_TIMEOUT_MS } from '../plan/ollama.js';
import { resolvePlan, roundSeconds, timeOf } from '../plan/resolve.js';
import { UsageError, type Command } from './command.js';

export { planFor, type PlannerOptions } from '../plan/planner.js';

/** Writes `text` to `file` through a temp file in the same folder and a rename, so readers never see half a file. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'write a plan (segments and effects) for a video, from its scene cuts or an Ollama model',
  usage: `maskflow plan <input> -o plan.json [options]

Detects the hard cuts of <input>, makes one segment per shot and assigns effects,
then writes the plan as JSON (edit it, then \`maskflow render --plan plan.json\`).

Options:
  -o, --output FILE       where to write the plan (required)
  --planner auto|ollama   auto (default): rules over the detected shots;
                          ollama: ask a local Ollama model (structured output)
  --ollama-host URL       Ollama server (default ${DEFAULT_OLLAMA_HOST})
  --ollama-model NAME     model to ask (default ${DEFAULT_OLLAMA_MODEL})
  --ollama-timeout SEC    seconds to wait per request (default ${DEFAULT_OLLAMA_TIMEOUT_MS / 1000})
  --fallback auto         if Ollama fails, write the automatic plan (with a warning)
  --subject TEXT          what the subject is, e.g. "a person"
  --ffmpeg PATH           folder holding ffmpeg and ffprobe, or the ffmpeg binary
  -y, --yes               overwrite the output file if it exists`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        planner: { type: 'string' },
        'ollama-host': { type: 'string' },
        'ollama-model': { type: 'string' },
        'ollama-timeout': { type: 'string' },
        fallback: { type: 'string' },
        subject: { type: 'string' },
        ffmpeg: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
      },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'an input video is required' : `expected one input video, got ${positionals.length}`);
    const input = positionals[0];
    if (!values.output) throw new UsageError('an output file is required (-o plan.json)');
    const planner = values.planner ?? 'auto';
    if (planner !== 'auto' && planner !== 'ollama') throw new UsageError(`--planner must be "auto" or "ollama", got "${planner}"`);
    if (values.fallback !== undefined && values.fallback !== 'auto') throw new UsageError(`--fallback must be "auto", got "${values.fallback}"`);
    const ollamaOnly = (['ollama-host', 'ollama-model', 'ollama-timeout', 'fallback'] as const).filter((k) => values[k] !== undefined);
    if (planner === 'auto' && ollamaOnly.length) throw new UsageError(`--${ollamaOnly[0]} only applies with --planner ollama`);
    let ollamaTimeout: number | undefined;
    if (values['ollama-timeout'] !== undefined) {
      ollamaTimeout = Number(values['ollama-timeout']);
      if (!(ollamaTimeout > 0 && ollamaTimeout <= 3600)) throw new UsageError(`--ollama-timeout must be seconds from 0 to 3600, got "${values['ollama-timeout']}"`);
    }
    const output = resolve(values.output);
    if (existsSync(output) && statSync(output).isDirectory()) throw new UsageError(`${values.output} is a folder; expected a file name such as plan.json`);
    if (existsSync(output) && !values.yes) throw new Error(`${values.output} already exists; pass -y to overwrite it`);
    if (!existsSync(dirname(output))) throw new UsageError(`the folder of ${values.output} does not exist`);

    const paths = ffmpegPaths(values.ffmpeg);
    const info = await probe(input, paths);
    const options: PlannerOptions = {
      planner,
      ollamaHost: values['ollama-host'],
      ollamaModel: values['ollama-model'],
      ollamaTimeout,
      fallback: values.fallback as 'auto' | undefined,
      subject: values.subject,
    };
    const result = await makePlan(info, paths, options);
    // Check it fits this video before writing (it always should; this catches planner bugs).
    const resolved = resolvePlan(result.plan, info, 'generated plan');
    for (const w of [...result.warnings, ...resolved.warnings]) io.stderr.write(`maskflow plan: warning: ${w}\n`);
    await writeFileAtomic(output, `${JSON.stringify(result.plan, null, 2)}\n`);
    const cutTimes = result.cuts.map((c) => roundSeconds(timeOf(c, info)));
    io.stdout.write(
      `wrote ${values.output}: ${result.plan.segments.length} segment${result.plan.segments.length === 1 ? '' : 's'} ` +
        `(${result.planner} planner; ${result.cuts.length} cut${result.cuts.length === 1 ? '' : 's'}${cutTimes.length ? ` at ${cutTimes.join(', ')} s` : ''})\n`,
    );
    return 0;
  },
};
