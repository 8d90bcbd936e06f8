// maskflow library entry point.
export { packageVersion as version } from './version.js';
export { locateNative, loadNative, NativeLoadError, type LoadedBinding, type BindingSource } from './native/loader.js';
export { platformTriple, detectLibc } from './native/platform.js';
export { collectDoctorReport, type DoctorReport } from './cli/doctor.js';
export * from './plan/index.js';
export { EFFECTS, EFFECT_NAMES, type EffectName, type EffectSpec } from './effects/catalog.js';
export { ProbeError, type ProbeInfo } from './media/probe.js';
export { probe, plan, analyse, type MediaOptions } from './api.js';
export { ffmpegPaths, type FfmpegPaths } from './media/ffmpeg.js';
export { render, RenderError, type RenderOptions } from './render/render.js';
export type { ProgressEvent, Stage } from './render/progress.js';
export type { Report } from './report/report.js';
export { analyseVideo, type AnalyseOptions, type AnalysisResult, type KeyframeResult } from './vision/analyse.js';
export { computeCropPath } from './vision/crop-path.js';
export { readAtlas, writeAtlas, AtlasError } from './vision/atlas.js';
export { defaultCacheDir } from './vision/cache.js';
export {
  loadSubjectModels,
  findSubject,
  releaseSubjectModels,
  modelLoadCounts,
  ModelFileError,
  type ModelPaths,
  type SubjectModels,
  type SubjectFinding,
  type RgbImage,
} from './vision/models/index.js';
export { EffectChain, FrameResampler, yuvFromColor, frameBytes } from './native/effects.js';
