// The shape every CLI command has. main.ts holds the table of commands, so
// `maskflow --help` lists exactly the commands that exist.
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Command {
  name: string;
  /** One line for `maskflow --help`. */
  summary: string;
  /** Full text for `maskflow <command> --help`. */
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** A user mistake on the command line: printed without a stack, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
