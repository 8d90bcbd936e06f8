// The segmenter normalisation presets, in a module of their own so the CLI can
// list and check them without loading onnxruntime.
export type SegmenterPreset = 'u2net' | 'isnet' | 'modnet';
export const SEGMENTER_PRESETS: readonly SegmenterPreset[] = ['u2net', 'isnet', 'modnet'];
