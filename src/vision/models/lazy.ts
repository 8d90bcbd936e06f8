// The model entry points for the library's index: onnxruntime is imported on
// the first call, not whenever maskflow is imported (most renders use no model).
type Models = typeof import('./index.js');
const models = (): Promise<Models> => import('./index.js');

export async function loadSubjectModels(...args: Parameters<Models['loadSubjectModels']>): ReturnType<Models['loadSubjectModels']> {
  return (await models()).loadSubjectModels(...args);
}

export async function findSubject(...args: Parameters<Models['findSubject']>): ReturnType<Models['findSubject']> {
  return (await models()).findSubject(...args);
}

export async function releaseSubjectModels(...args: Parameters<Models['releaseSubjectModels']>): ReturnType<Models['releaseSubjectModels']> {
  return (await models()).releaseSubjectModels(...args);
}
