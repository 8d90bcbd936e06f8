// `maskflow analyse`: what the subject finder sees, as a table, JSON, a
// preview video and/or the per-frame matte.
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-write.js';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ffmpegPaths } from '../media/ffmpeg.js';
import { probe } from '../media/probe.js';
import { analyseVideo, unusedSubjectWarning, type AnalysisResult } from '../vision/analyse.js';
import { seedFlag } from '../vision/subject-seed.js';
import { isMatteFile, writeMatte } from '../vision/matte.js';
import { renderPreview } from '../vision/preview.js';
import { checkCommonOptions, COMMON_OPTION_SPECS, COMMON_OPTIONS_HELP, STDOUT, UsageError, type Command } from './command.js';
import { MODEL_OPTION_SPECS, MODEL_OPTIONS_HELP, modelOptions, seedAsUsage } from './model-options.js';

function table(result: AnalysisResult): string {
  const rows = result.keyframes.map((k) => {
    const box = `[${k.box.map((v) => String(Math.round(v))).join(', ')}]`;
    return `${String(k.frame).padStart(7)}  ${k.time.toFixed(2).padStart(8)}  ${box.padEnd(24)}  ${k.score.toFixed(3)}  ${k.source}`;
  });
  return [`  frame    time s  box [x, y, w, h]          score  finder`, ...rows].join('\n');
}

export const analyseCommand: Command = {
  name: 'analyse',
  summary: 'find the subject in a video and show it (table, JSON, preview video)',
  usage: `maskflow analyse <input> [options]

Finds the subject at keyframes and prints, per keyframe: frame index, time,
box [x, y, w, h] in input pixels, score (0..1) and the finder used.

Options:
  --json FILE               write the result as JSON ("-": stdout; the table then goes to stderr)
  --preview FILE.mp4        render the video with the mask and box drawn on it
  --matte FILE.mkv          write the subject mask of every frame as a lossless gray video
                            (FFV1 gray8, the input's size and frame rate; 255 = subject)
${MODEL_OPTIONS_HELP}
${COMMON_OPTIONS_HELP}
With no model the model-free finder is used (saliency + motion).`,
  async run(args, io, context) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'string' },
        preview: { type: 'string' },
        matte: { type: 'string' },
        ...MODEL_OPTION_SPECS,
        ...COMMON_OPTION_SPECS,
      },
    });
    checkCommonOptions(values);
    const jsonToStdout = values.json === STDOUT;
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one input file, got ${positionals.length}` : 'missing the input video');
    const { models, cacheDir, keyframeSchedule, keyframeInterval, subjectSeed } = modelOptions(values);
    const outputs = [jsonToStdout ? undefined : values.json, values.preview, values.matte].filter((f): f is string => !!f).map((f) => resolve(f));
    if (new Set(outputs).size !== outputs.length) throw new UsageError('--json, --preview and --matte must name different files');
    if (values.preview && !/\.(mp4|mov|m4v)$/i.test(values.preview)) throw new UsageError(`--preview must be an .mp4/.mov/.m4v file, got "${values.preview}"`);
    if (values.matte !== undefined && !isMatteFile(values.matte)) throw new UsageError(`--matte must be an .mkv file (FFV1 gray), got "${values.matte}"`);
    for (const out of outputs) {
      if (existsSync(out) && !values.yes) throw new UsageError(`${out} exists; pass -y to overwrite it`);
    }
    const paths = ffmpegPaths(values.ffmpeg);
    const info = await probe(positionals[0], paths);
    const result = await seedAsUsage(analyseVideo(info, {
      paths,
      keyframeInterval,
      keyframeSchedule,
      prompt: values.subject,
      seed: subjectSeed,
      ...(subjectSeed ? { seedName: seedFlag(subjectSeed) } : {}),
      models,
      cacheDir,
      signal: context?.signal,
    }), subjectSeed);
    const subjectWarning = unusedSubjectWarning(values.subject, models);
    for (const w of [...(subjectWarning ? [subjectWarning] : []), ...result.warnings]) io.stderr.write(`maskflow analyse: warning: ${w}\n`);
    // With the JSON on stdout, the human-readable lines go to stderr.
    const say = jsonToStdout ? io.stderr : io.stdout;
    if (!values.quiet) say.write(
      `${info.file}: ${info.width}x${info.height}, ${info.frames} frames at ${info.fps.toFixed(3)} fps\n` +
        `finder: ${result.finder}; ${result.keyframes.length} keyframes (${result.keyframeSchedule}); masks ${result.maskWidth}x${result.maskHeight}; ` +
        `${result.cached ? 'from cache' : `analysed in ${(result.ms / 1000).toFixed(2)} s`}` +
        `${Object.keys(result.loads).length ? `; model loads ${JSON.stringify(result.loads)}` : ''}\n${table(result)}\n`,
    );
    if (values.json) {
      const file = resolve(values.json);
      const json = {
        input: info.file,
        width: info.width,
        height: info.height,
        frames: info.frames,
        fps: info.fps,
        finder: result.finder,
        keyframeSchedule: result.keyframeSchedule,
        inferences: result.inferences,
        msPerInference: result.msPerInference,
        cached: result.cached,
        loads: result.loads,
        maskWidth: result.maskWidth,
        maskHeight: result.maskHeight,
        keyframes: result.keyframes,
      };
      if (jsonToStdout) {
        io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        await writeFileAtomic(file, `${JSON.stringify(json, null, 2)}\n`);
        if (!values.quiet) say.write(`wrote ${file}\n`);
      }
    }
    if (values.preview) {
      const file = resolve(values.preview);
      const frames = await renderPreview(info, result.atlas, file, { paths });
      if (!values.quiet) say.write(`wrote ${file} (${frames} frames)\n`);
    }
    if (values.matte) {
      const file = resolve(values.matte);
      const frames = await writeMatte(info, result.atlas, file, { paths, signal: context?.signal });
      if (!values.quiet) say.write(`wrote ${file} (${frames} frames, matte ${info.width}x${info.height})\n`);
    }
    return 0;
  },
};
