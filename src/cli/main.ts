// maskflow command line: a thin layer over the library. Each command lives in
// its own file; this table is what `maskflow --help` lists.
import { packageVersion } from '../version.js';
import { removeTrackedSync } from '../exit-cleanup.js';
import { InterruptError, SIGNAL_EXIT_CODES, UsageError, type CliIO, type Command, type StopSignal } from './command.js';
import { analyseCommand } from './analyse.js';
import { demoCommand } from './demo.js';
import { doctorCommand } from './doctor.js';
import { modelsCommand } from './models.js';
import { planCommand } from './plan.js';
import { renderCommand } from './render.js';
import { statusCommand } from './status.js';
import { workerCommand } from './worker.js';

export const commands: Command[] = [renderCommand, planCommand, analyseCommand, modelsCommand, demoCommand, doctorCommand, workerCommand, statusCommand];

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `maskflow ${packageVersion()}: subject-aware video effects, rendered fast.

Usage: maskflow <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`maskflow <command> --help\` for a command's options.
Global options:
  --help, -h     show this help
  --version, -v  print the version
`;
}

export async function main(argv: string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(helpText());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    io.stderr.write(`maskflow: unknown command "${first}". Commands: ${commands.map((c) => c.name).join(', ')}.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  // Ctrl-C / SIGTERM: the first stops the command cleanly (temp files removed,
  // an existing output untouched); a second exits at once after removing what it can.
  const controller = new AbortController();
  const onSignal = (signal: StopSignal): void => {
    if (!controller.signal.aborted) {
      io.stderr.write(`\nmaskflow ${command.name}: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping (again to exit at once)\n`);
      controller.abort(new InterruptError(signal));
      return;
    }
    removeTrackedSync();
    io.stderr.write(`maskflow ${command.name}: interrupted again; exited at once\n`);
    process.exit(SIGNAL_EXIT_CODES[signal]);
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await command.run(rest, io, { signal: controller.signal });
  } catch (err) {
    // Once interrupted, whatever failed (ffmpeg killed by the same Ctrl-C, an aborted
    // worker) failed because of the interrupt: say so, not what it broke.
    const reason: unknown = controller.signal.reason;
    if (reason instanceof InterruptError) {
      io.stderr.write(`maskflow ${command.name}: interrupted; nothing was written\n`);
      return SIGNAL_EXIT_CODES[reason.signal];
    }
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`maskflow ${command.name}: ${(err as Error).message}\nRun \`maskflow ${command.name} --help\` for usage.\n`);
      return 2;
    }
    io.stderr.write(`maskflow ${command.name}: ${(err as Error).message ?? String(err)}\n`);
    if (process.env.MASKFLOW_DEBUG) io.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
