// Process-wide count of model sessions created, per kind. Apart from the
// session code so it can be read without loading onnxruntime.
const loadCounts: Record<string, number> = {};

export function countLoad(kind: string): void {
  loadCounts[kind] = (loadCounts[kind] ?? 0) + 1;
}

/** Process-wide number of sessions created, per model kind (e.g. detector, ranker.vision). */
export function modelLoadCounts(): Record<string, number> {
  return { ...loadCounts };
}
