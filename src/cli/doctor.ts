// `maskflow doctor`: what maskflow found on this machine, for bug reports.
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { collectDecoderGap, collectDoctorReport, type DecoderComparison } from '../report/doctor.js';
import { defaultCacheDir } from '../vision/cache.js';
import { checkCommonOptions, COMMON_OPTION_SPECS, type Command } from './command.js';

/** The doctor line comparing decoders with an ffmpeg on PATH. */
function decodersLine(d: DecoderComparison): string {
  const label = 'decoders'.padEnd(12);
  if (!d.other || !d.missing) return `--  ${label} ${d.note ?? 'not compared'}`;
  if (d.missing.length === 0) return `ok  ${label} ${d.other} (${d.otherVersion}) decodes nothing this ffmpeg cannot`;
  const video = d.missing.filter((c) => c.kind === 'video').map((c) => c.name);
  const rest = d.missing.length - video.length;
  return (
    `--  ${label} ${d.other} (${d.otherVersion}) decodes ${d.missing.length} codecs this ffmpeg cannot` +
    `${video.length ? `; video: ${video.join(', ')}` : ''}${rest ? `; and ${rest} audio/subtitle/data codecs` : ''}` +
    `. Render those with --ffmpeg ${dirname(d.other)} (or MASKFLOW_FFMPEG/MASKFLOW_FFPROBE)`
  );
}

function line(label: string, entry: { ok: boolean; error?: string }, text: string): string {
  return `${entry.ok ? 'ok ' : 'ERR'} ${label.padEnd(12)} ${entry.ok ? text : entry.error}`;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'show the native addon, ffmpeg, ffprobe and onnxruntime maskflow will use',
  usage: `maskflow doctor [--json] [--ffmpeg PATH] [-y] [--quiet] [--verbose]

Checks what maskflow needs and where it found it:
  native addon   path and source (env | prebuild | platform-package | local-build), Node-API version
  ffmpeg/ffprobe path, source (option | env | installer) and version
  decoders       what another ffmpeg on PATH decodes that this one (by default the bundled 4.1) cannot
  onnxruntime    onnxruntime-node version (optional: only models need it)
  platform       napi-rs style triple (e.g. linux-x64-gnu) and CPU count

Options:
  --json         print exactly one JSON object on stdout
  --ffmpeg PATH  folder holding ffmpeg and ffprobe, or the ffmpeg binary
  --quiet        print only what is missing (nothing when all is well)
  --verbose      also print the Node binary and the analysis cache folder
  -y, --yes      accepted for consistency (doctor writes no files)
Exit code 1 when something required is missing.`,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, ffmpeg: { type: 'string' }, ...COMMON_OPTION_SPECS } });
    checkCommonOptions(values);
    const report = collectDoctorReport({ ffmpeg: values.ffmpeg });
    if (report.ffmpeg.ok && report.ffmpeg.path) report.decoders = await collectDecoderGap(report.ffmpeg.path);
    const ok = report.native.ok && report.ffmpeg.ok && report.ffprobe.ok;
    if (values.json) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const n = report.native;
      const lines = [
        line('native', n, `${n.path} (${n.source}, Node-API ${n.napiVersion})`),
        line('ffmpeg', report.ffmpeg, `${report.ffmpeg.path} (${report.ffmpeg.source}, ${report.ffmpeg.version})`),
        line('ffprobe', report.ffprobe, `${report.ffprobe.path} (${report.ffprobe.source}, ${report.ffprobe.version})`),
        `${report.onnxruntime.ok ? 'ok ' : '-- '} ${'onnxruntime'.padEnd(12)} ${report.onnxruntime.ok ? `onnxruntime-node ${report.onnxruntime.version}` : report.onnxruntime.error}`,
        ...(report.decoders ? [decodersLine(report.decoders)] : []),
      ];
      const shown = values.quiet
        ? lines.filter((l) => l.startsWith('ERR'))
        : [
            `maskflow ${report.maskflow} on Node ${report.node}, ${report.platformTriple}, ${report.cpus} CPUs`,
            ...lines,
            ...(values.verbose ? [`    ${'node'.padEnd(12)} ${process.execPath}`, `    ${'cache'.padEnd(12)} ${defaultCacheDir()}`] : []),
          ];
      if (shown.length) io.stdout.write(`${shown.join('\n')}\n`);
    }
    return ok ? 0 : 1;
  },
};
