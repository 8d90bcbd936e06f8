// maskflow library entry point.
export { packageVersion as version } from './version.js';
export { locateNative, loadNative, NativeLoadError, type LoadedBinding, type BindingSource } from './native/loader.js';
export { platformTriple, detectLibc } from './native/platform.js';
export { collectDoctorReport, type DoctorReport } from './cli/doctor.js';
export * from './plan/index.js';
export { EFFECTS, EFFECT_NAMES, type EffectName, type EffectSpec } from './effects/catalog.js';
export { probe, ProbeError, type ProbeInfo } from './media/probe.js';
export { ffmpegPaths, type FfmpegPaths } from './media/ffmpeg.js';
export { render, RenderError, type RenderOptions } from './render/render.js';
export type { ProgressEvent, Stage } from './render/progress.js';
export type { Report } from './report/report.js';
