// CLIP ranker: embeds the prompt once at load, then per keyframe embeds the candidate crops
// and ranks them by cosine similarity (×100, CLIP's trained logit scale, softmax over crops).
// Accepts the Hugging Face / Optimum / transformers.js folder layouts, split or combined.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type ort from 'onnxruntime-node';
import { ClipTokenizer, CLIP_CONTEXT } from './clip-tokenizer.js';
import { clipPixels } from './clip-preprocess.js';
import { ModelFileError } from './errors.js';
import type { RgbImage } from './rgb-resample.js';
import { type LoadContext } from './load-counts.js';
import { createSession, fixedDim, releaseQuietly, requireValue, type Session, type TensorMeta } from './session.js';
import { floatTensor, int64Tensor, readFloats } from './tensors.js';

/** Variant suffixes in order of preference (full precision first: the CPU runs it exactly). */
export const CLIP_VARIANTS = ['', '_quantized', '_fp16', '_int8', '_uint8', '_q4', '_q4f16', '_bnb4'] as const;

export type ClipLayout =
  | { kind: 'split'; vision: string; text: string; tokenizer: string }
  | { kind: 'combined'; model: string; tokenizer: string };

/** Finds the ONNX files of a CLIP folder; errors list every name looked for. */
export function resolveClipLayout(dir: string): ClipLayout {
  if (!existsSync(dir)) throw new ModelFileError(dir, 'ranker folder does not exist (expected a CLIP folder with onnx/vision_model.onnx, onnx/text_model.onnx and tokenizer.json)');
  if (!statSync(dir).isDirectory()) throw new ModelFileError(dir, 'ranker must be a folder (with onnx/vision_model.onnx, onnx/text_model.onnx and tokenizer.json), not a file');
  const tokenizer = join(dir, 'tokenizer.json');
  for (const folder of [join(dir, 'onnx'), dir]) {
    for (const v of CLIP_VARIANTS) {
      const vision = join(folder, `vision_model${v}.onnx`);
      const text = join(folder, `text_model${v}.onnx`);
      if (existsSync(vision) && existsSync(text)) return { kind: 'split', vision, text, tokenizer };
    }
    for (const v of CLIP_VARIANTS) {
      const model = join(folder, `model${v}.onnx`);
      if (existsSync(model)) return { kind: 'combined', model, tokenizer };
    }
  }
  throw new ModelFileError(
    dir,
    `no CLIP ONNX files found: looked for onnx/vision_model{,${CLIP_VARIANTS.slice(1).join(',')}}.onnx with a matching onnx/text_model*.onnx, or onnx/model*.onnx (also at the folder root)`,
  );
}

function l2normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const n = Math.sqrt(sum);
  const out = new Float32Array(v.length);
  // A zero embedding (e.g. a prompt the model cannot place) ranks every crop equally.
  if (n > 1e-12) for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

export interface Ranking {
  /** cosine similarity of each crop with the prompt */
  cosine: number[];
  /** softmax over crops of 100 × cosine */
  probability: number[];
  best: number;
}

interface TextInputs {
  ids: TensorMeta;
  mask?: TensorMeta;
}

function textInputs(session: Session, file: string, role: string): TextInputs {
  const ids = requireValue(session, file, 'input', role, { names: ['input_ids'], types: ['int64'], rank: 2, dims: [1], layout: '[batch,sequence]' });
  const mask = session.inputNames.includes('attention_mask')
    ? requireValue(session, file, 'input', role, { names: ['attention_mask'], types: ['int64'], rank: 2, layout: '[batch,sequence]' })
    : undefined;
  return { ids, mask };
}

function textFeeds(tokenizer: ClipTokenizer, prompt: string, inputs: TextInputs): Record<string, ort.Tensor> {
  const fixed = fixedDim(inputs.ids, 1);
  const tokens = tokenizer.encode(prompt, { maxLength: Math.min(CLIP_CONTEXT, fixed ?? CLIP_CONTEXT), padTo: fixed });
  const dims = [1, tokens.ids.length];
  const feeds: Record<string, ort.Tensor> = { [inputs.ids.name]: int64Tensor(tokens.ids, dims) };
  if (inputs.mask) feeds[inputs.mask.name] = int64Tensor(tokens.attentionMask, dims);
  return feeds;
}

function checkOnly(session: Session, file: string, role: string, allowed: readonly string[]): void {
  const extra = session.inputNames.filter((n) => !allowed.includes(n));
  if (extra.length) throw new ModelFileError(file, `${role}: unexpected input(s) ${extra.join(', ')}; expected only ${allowed.join(', ')}`);
}

export class ClipRanker {
  private constructor(
    readonly layout: ClipLayout,
    private readonly vision: Session,
    private readonly pixelInput: TensorMeta,
    private readonly imageSize: number,
    private readonly batchOne: boolean,
    /** combined models need the prompt fed on every run */
    private readonly extraFeeds: Record<string, ort.Tensor>,
    readonly textEmbedding: Float32Array,
    private readonly sessions: Session[],
  ) {}

  /** Loads sessions, validates signatures, embeds `prompt` once (the text session is released after). */
  static async load(dir: string, prompt: string, context: LoadContext = {}): Promise<ClipRanker> {
    const layout = resolveClipLayout(dir);
    const tokenizer = ClipTokenizer.load(layout.tokenizer);
    const sessions: Session[] = [];
    try {
      if (layout.kind === 'split') {
        const vision = await createSession('ranker.vision', layout.vision, context);
        sessions.push(vision);
        const text = await createSession('ranker.text', layout.text, context);
        sessions.push(text);
        const pixels = requireValue(vision, layout.vision, 'input', 'CLIP vision model', { names: ['pixel_values'], types: ['float32', 'float16'], rank: 4, dims: [undefined, 3], layout: '[batch,3,224,224]' });
        checkOnly(vision, layout.vision, 'CLIP vision model', ['pixel_values']);
        requireValue(vision, layout.vision, 'output', 'CLIP vision model', { names: ['image_embeds'], types: ['float32', 'float16'], rank: 2, layout: '[batch,512]' });
        const inputs = textInputs(text, layout.text, 'CLIP text model');
        checkOnly(text, layout.text, 'CLIP text model', ['input_ids', 'attention_mask']);
        requireValue(text, layout.text, 'output', 'CLIP text model', { names: ['text_embeds'], types: ['float32', 'float16'], rank: 2, layout: '[batch,512]' });
        const out = await text.run(textFeeds(tokenizer, prompt, inputs));
        const embedding = l2normalise(readFloats(out.text_embeds, `${layout.text} text_embeds`));
        // The text session is done after the prompt is embedded; free it now.
        await text.release();
        sessions.splice(sessions.indexOf(text), 1);
        return new ClipRanker(layout, vision, pixels, fixedDim(pixels, 2) ?? 224, fixedDim(pixels, 0) === 1, {}, embedding, sessions);
      }
      const model = await createSession('ranker', layout.model, context);
      sessions.push(model);
      const role = 'CLIP combined model';
      const pixels = requireValue(model, layout.model, 'input', role, { names: ['pixel_values'], types: ['float32', 'float16'], rank: 4, dims: [undefined, 3], layout: '[batch,3,224,224]' });
      const inputs = textInputs(model, layout.model, role);
      checkOnly(model, layout.model, role, ['input_ids', 'attention_mask', 'pixel_values']);
      requireValue(model, layout.model, 'output', role, { names: ['text_embeds'], types: ['float32', 'float16'], rank: 2, layout: '[text_batch,512]' });
      requireValue(model, layout.model, 'output', role, { names: ['image_embeds'], types: ['float32', 'float16'], rank: 2, layout: '[image_batch,512]' });
      const feeds = textFeeds(tokenizer, prompt, inputs);
      const size = fixedDim(pixels, 2) ?? 224;
      // The combined graph needs an image to run at all: embed the prompt next to a grey one.
      const grey = floatTensor(pixels.type, new Float32Array(3 * size * size), [1, 3, size, size]);
      const out = await model.run({ ...feeds, [pixels.name]: grey });
      const embedding = l2normalise(readFloats(out.text_embeds, `${layout.model} text_embeds`));
      return new ClipRanker(layout, model, pixels, size, fixedDim(pixels, 0) === 1, feeds, embedding, sessions);
    } catch (err) {
      await releaseQuietly(sessions);
      throw err;
    }
  }

  private get visionFile(): string {
    return this.layout.kind === 'split' ? this.layout.vision : this.layout.model;
  }

  /** Normalised image embeddings of `crops`, one Float32Array each. */
  async embed(crops: readonly RgbImage[]): Promise<Float32Array[]> {
    const size = this.imageSize;
    const per = 3 * size * size;
    const groups = this.batchOne ? crops.map((c) => [c]) : [crops];
    const result: Float32Array[] = [];
    for (const group of groups) {
      const data = new Float32Array(per * group.length);
      group.forEach((crop, i) => clipPixels(crop, size, data, i * per));
      const out = await this.vision.run({ ...this.extraFeeds, [this.pixelInput.name]: floatTensor(this.pixelInput.type, data, [group.length, 3, size, size]) });
      const embeds = readFloats(out.image_embeds, `${this.visionFile} image_embeds`);
      const dim = embeds.length / group.length;
      if (dim !== this.textEmbedding.length) {
        throw new ModelFileError(this.visionFile, `image_embeds has ${dim} values per image but the text embedding has ${this.textEmbedding.length}`);
      }
      for (let i = 0; i < group.length; i++) result.push(l2normalise(embeds.subarray(i * dim, (i + 1) * dim)));
    }
    return result;
  }

  async rank(crops: readonly RgbImage[]): Promise<Ranking> {
    if (crops.length === 0) return { cosine: [], probability: [], best: -1 };
    const embeds = await this.embed(crops);
    const cosine = embeds.map((e) => e.reduce((acc, v, i) => acc + v * this.textEmbedding[i], 0));
    const probability = softmax(cosine.map((c) => 100 * c));
    let best = 0;
    for (let i = 1; i < cosine.length; i++) if (cosine[i] > cosine[best]) best = i;
    return { cosine, probability, best };
  }

  async release(): Promise<void> {
    await releaseQuietly(this.sessions);
  }
}
