// `maskflow plan <input> -o plan.json`: write a plan to edit or render later.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { parseArgs } from 'node:util';
import { ffmpegPaths } from '../media/ffmpeg.js';
import { probe } from '../media/probe.js';
import { makePlan, type PlannerOptions } from '../plan/planner.js';
import { resolvePlan, roundSeconds, timeOf } from '../plan/resolve.js';
import { checkCommonOptions, COMMON_OPTION_SPECS, COMMON_OPTIONS_HELP, STDOUT, UsageError, type Command } from './command.js';
import { OLLAMA_OPTIONS_HELP, PLANNER_OPTION_SPECS, plannerOptions } from './planner-options.js';

export { planFor, type PlannerOptions } from '../plan/planner.js';


export const planCommand: Command = {
  name: 'plan',
  summary: 'write a plan (segments and effects) for a video, from its scene cuts or an Ollama model',
  usage: `maskflow plan <input> -o plan.json [options]

Detects the hard cuts of <input>, makes one segment per shot and assigns effects,
then writes the plan as JSON (edit it, then \`maskflow render --plan plan.json\`).

Options:
  -o, --output FILE         where to write the plan (required; "-": stdout)
  --planner auto|ollama     auto (default): rules over the detected shots;
                            ollama: ask a local Ollama model (structured output)
${OLLAMA_OPTIONS_HELP}
  --subject TEXT            what the subject is, e.g. "a person"
  --ffmpeg PATH             folder holding ffmpeg and ffprobe, or the ffmpeg binary
${COMMON_OPTIONS_HELP}`,
  async run(args, io, context) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        ...PLANNER_OPTION_SPECS,
        subject: { type: 'string' },
        ffmpeg: { type: 'string' },
        ...COMMON_OPTION_SPECS,
      },
    });
    checkCommonOptions(values);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'an input video is required' : `expected one input video, got ${positionals.length}`);
    const input = positionals[0];
    if (!values.output) throw new UsageError('an output file is required (-o plan.json)');
    const planning = plannerOptions(values, 'auto')!;
    const toStdout = values.output === STDOUT;
    const output = resolve(values.output);
    if (!toStdout) {
      if (existsSync(output) && statSync(output).isDirectory()) throw new UsageError(`${values.output} is a folder; expected a file name such as plan.json`);
      if (existsSync(output) && !values.yes) throw new Error(`${values.output} already exists; pass -y to overwrite it`);
      if (!existsSync(dirname(output))) throw new UsageError(`the folder of ${values.output} does not exist`);
    }

    const paths = ffmpegPaths(values.ffmpeg);
    const info = await probe(input, paths);
    const options: PlannerOptions = { ...planning, signal: context?.signal };
    const result = await makePlan(info, paths, options);
    // Check it fits this video before writing (it always should; this catches planner bugs).
    const resolved = resolvePlan(result.plan, info, 'generated plan');
    for (const w of [...result.warnings, ...resolved.warnings]) io.stderr.write(`maskflow plan: warning: ${w}\n`);
    const json = `${JSON.stringify(result.plan, null, 2)}\n`;
    if (toStdout) io.stdout.write(json);
    else await writeFileAtomic(output, json);
    const cutTimes = result.cuts.map((c) => roundSeconds(timeOf(c, info)));
    // With the plan on stdout, the summary goes to stderr.
    if (!values.quiet) (toStdout ? io.stderr : io.stdout).write(
      `wrote ${toStdout ? 'the plan to stdout' : values.output}: ${result.plan.segments.length} segment${result.plan.segments.length === 1 ? '' : 's'} ` +
        `(${result.planner} planner; ${result.cuts.length} cut${result.cuts.length === 1 ? '' : 's'}${cutTimes.length ? ` at ${cutTimes.join(', ')} s` : ''})\n`,
    );
    return 0;
  },
};
