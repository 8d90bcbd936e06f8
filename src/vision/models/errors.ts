// One error type for every model problem, so callers (CLI, analysis) can print the file.
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ModelFileError';
  }
}
