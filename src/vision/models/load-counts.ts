// Process-wide count of model sessions created, per kind, and how one load
// creates sessions. Apart from the session code so it can be read without
// loading onnxruntime, and so the model classes' declarations (public through
// SubjectModels) do not need onnxruntime's types.

/** How sessions are created for one loadSubjectModels call: threads, and a per-call tally. */
export interface LoadContext {
  threads?: number;
  /** onnxruntime execution provider (default cpu). */
  executionProvider?: string;
  tally?: Record<string, number>;
}
const loadCounts: Record<string, number> = {};

export function countLoad(kind: string): void {
  loadCounts[kind] = (loadCounts[kind] ?? 0) + 1;
}

/** Process-wide number of sessions created, per model kind (e.g. detector, ranker.vision). */
export function modelLoadCounts(): Record<string, number> {
  return { ...loadCounts };
}
