// maskflow library entry point.
export { packageVersion as version } from './version.js';
export { locateNative, loadNative, NativeLoadError, type LoadedBinding, type BindingSource } from './native/loader.js';
export { platformTriple, detectLibc } from './native/platform.js';
export { collectDoctorReport, type DoctorReport } from './cli/doctor.js';
