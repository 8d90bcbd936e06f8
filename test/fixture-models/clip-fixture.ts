// Test fixtures with the signatures of Hugging Face / Optimum CLIP ONNX exports plus a tiny
// CLIP-style tokenizer.json. NOT a trained model: both towers embed into a 3-D "colour"
// space (r, g, b minus their mean) lifted to 512-D by one fixed orthonormal projection,
// so cosine similarity is the agreement of colours:
//   vision  pixel_values → undo CLIP normalisation → mean colour of the crop minus its grey level
//   text    sum over tokens of a per-token colour vector (colour words: red, green, blue, yellow,
//           cyan, magenta, orange, purple; every other token, specials included, is 0)
// "a red ball" therefore scores a red crop above a blue one. Split models are not normalised
// (like the real exports); the combined model normalises and adds logits (×100).
import { GraphBuilder } from './onnx-builder.js';
import { rng } from './fixture-random.js';

export const CLIP_EMBED_DIM = 512;
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];
const TEXT_TABLE_ROWS = 1024; // ids ≥ 1023 (the specials 49406/49407) read the zero last row

const COLOUR_WORDS: Record<string, [number, number, number]> = {
  red: [1, 0, 0],
  green: [0, 1, 0],
  blue: [0, 0, 1],
  yellow: [1, 1, 0],
  cyan: [0, 1, 1],
  magenta: [1, 0, 1],
  orange: [1, 0.5, 0],
  purple: [0.5, 0, 1],
};
const OTHER_WORDS = ['a', 'an', 'the', 'ball', 'cube', 'box', 'person', 'dog', 'cat', 'car', 'photo', 'of', 'grey', 'gray', 'white', 'black', 'background'];

/** GPT-2/CLIP byte→unicode table: printable bytes map to themselves, the rest to U+0100 onwards. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Array<string>(256);
  const order: number[] = [...printable];
  let extra = 0;
  for (const b of printable) table[b] = String.fromCodePoint(b);
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) {
      table[b] = String.fromCodePoint(256 + extra++);
      order.push(b);
    }
  }
  // Return in vocabulary order (the order CLIP assigns ids 0..255).
  return order.map((b) => table[b]);
}

function applyMerges(symbols: string[], ranks: Map<string, number>): string[] {
  const parts = [...symbols];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = ranks.get(`${parts[i]} ${parts[i + 1]}`);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) return parts;
    parts.splice(best, 2, parts[best] + parts[best + 1]);
  }
}

export interface ClipTokenizerFixture {
  json: Record<string, unknown>;
  vocab: Record<string, number>;
}

/**
 * A tiny but structurally real CLIP tokenizer.json: ids 0..255 are the byte symbols and
 * 256..511 the same with `</w>` (as in CLIP, so e.g. "a</w>" is 320), merges that spell
 * a few words follow from 512, and the specials sit at the real ids 49406/49407.
 */
export function buildClipTokenizerFixture(): ClipTokenizerFixture {
  const symbols = bytesToUnicode();
  const vocab: Record<string, number> = {};
  symbols.forEach((s, i) => (vocab[s] = i));
  symbols.forEach((s, i) => (vocab[`${s}</w>`] = 256 + i));
  const merges: string[] = [];
  const ranks = new Map<string, number>();
  let next = 512;
  for (const word of [...Object.keys(COLOUR_WORDS), ...OTHER_WORDS]) {
    const chars = [...word];
    let parts = applyMerges([...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`], ranks);
    // Appended merges rank after all earlier ones, so earlier words keep their segmentation.
    while (parts.length > 1) {
      const pair = `${parts[0]} ${parts[1]}`;
      ranks.set(pair, merges.length);
      merges.push(pair);
      const joined = parts[0] + parts[1];
      if (vocab[joined] === undefined) vocab[joined] = next++;
      parts = applyMerges(parts, ranks);
    }
  }
  vocab['<|startoftext|>'] = 49406;
  vocab['<|endoftext|>'] = 49407;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(49406, '<|startoftext|>'), special(49407, '<|endoftext|>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', 49407], cls: ['<|startoftext|>', 49406], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
  return { json, vocab };
}

/** The 3 orthonormal 512-D rows that lift the colour space (seeded, so files are reproducible). */
function projection(): number[] {
  const next = rng(0xc11f);
  const rows: number[][] = [];
  for (let r = 0; r < 3; r++) {
    let v = Array.from({ length: CLIP_EMBED_DIM }, () => next() * 2 - 1);
    for (const u of rows) {
      const d = v.reduce((acc, x, i) => acc + x * u[i], 0);
      v = v.map((x, i) => x - d * u[i]);
    }
    const n = Math.hypot(...v);
    rows.push(v.map((x) => x / n));
  }
  return rows.flat();
}

function textTable(vocab: Record<string, number>): number[] {
  const table = new Array<number>(TEXT_TABLE_ROWS * 3).fill(0);
  for (const [word, rgb] of Object.entries(COLOUR_WORDS)) {
    const id = vocab[`${word}</w>`];
    if (id === undefined || id >= TEXT_TABLE_ROWS - 1) throw new Error(`fixture tokenizer has no single token for "${word}"`);
    const mean = (rgb[0] + rgb[1] + rgb[2]) / 3;
    for (let c = 0; c < 3; c++) table[id * 3 + c] = rgb[c] - mean;
  }
  return table;
}

function imageTower(g: GraphBuilder, pixels: string, proj: string): string {
  const rgb = g.op('Add', [g.op('Mul', [pixels, g.floats(CLIP_STD, [1, 3, 1, 1], 'std')]), g.floats(CLIP_MEAN, [1, 3, 1, 1], 'mean')]);
  const mean = g.op('ReduceMean', [rgb], { axes: [2, 3], keepdims: 0 }); // [B, 3]
  const chroma = g.op('Sub', [mean, g.op('ReduceMean', [mean], { axes: [1], keepdims: 1 })]);
  return g.op('MatMul', [chroma, proj]);
}

function textTower(g: GraphBuilder, ids: string, proj: string, vocab: Record<string, number>, mask?: string): string {
  const clamped = g.op('Cast', [g.op('Min', [g.op('Cast', [ids], { to: 1 }), g.floats([TEXT_TABLE_ROWS - 1], [], 'c')])], { to: 7 });
  let rows = g.op('Gather', [g.floats(textTable(vocab), [TEXT_TABLE_ROWS, 3], 'table'), clamped], { axis: 0 }); // [B, S, 3]
  if (mask) rows = g.op('Mul', [rows, g.op('Unsqueeze', [g.op('Cast', [mask], { to: 1 }), g.ints([2])])]);
  return g.op('MatMul', [g.op('ReduceSum', [rows, g.ints([1])], { keepdims: 0 }), proj]);
}

function l2(g: GraphBuilder, v: string): string {
  const norm = g.op('Sqrt', [g.op('Add', [g.op('ReduceSumSquare', [v], { axes: [1], keepdims: 1 }), g.floats([1e-12], [], 'c')])]);
  return g.op('Div', [v, norm]);
}

const META = { description: 'maskflow test fixture with a CLIP ONNX signature (colour agreement, not a trained model)' };

export function buildClipVisionFixture(options: { inputName?: string; size?: number } = {}): Uint8Array {
  const size = options.size ?? 224;
  const g = new GraphBuilder('maskflow_fixture_clip_vision');
  const pixels = g.input(options.inputName ?? 'pixel_values', 'float32', ['batch_size', 3, size, size]);
  const out = imageTower(g, pixels, g.floats(projection(), [3, CLIP_EMBED_DIM], 'proj'));
  g.op('Identity', [out], undefined, 'image_embeds');
  g.output('image_embeds', 'float32', ['batch_size', CLIP_EMBED_DIM]);
  return g.encode({ metadata: META });
}

export function buildClipTextFixture(vocab: Record<string, number>, options: { attentionMask?: boolean } = {}): Uint8Array {
  const g = new GraphBuilder('maskflow_fixture_clip_text');
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const mask = options.attentionMask ? g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']) : undefined;
  const out = textTower(g, ids, g.floats(projection(), [3, CLIP_EMBED_DIM], 'proj'), vocab, mask);
  g.op('Identity', [out], undefined, 'text_embeds');
  g.output('text_embeds', 'float32', ['batch_size', CLIP_EMBED_DIM]);
  return g.encode({ metadata: META });
}

export function buildClipCombinedFixture(vocab: Record<string, number>): Uint8Array {
  const g = new GraphBuilder('maskflow_fixture_clip');
  const ids = g.input('input_ids', 'int64', ['text_batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['text_batch_size', 'sequence_length']);
  const pixels = g.input('pixel_values', 'float32', ['image_batch_size', 3, 224, 224]);
  const proj = g.floats(projection(), [3, CLIP_EMBED_DIM], 'proj');
  const text = l2(g, textTower(g, ids, proj, vocab, mask));
  const image = l2(g, imageTower(g, pixels, proj));
  g.op('Identity', [text], undefined, 'text_embeds');
  g.op('Identity', [image], undefined, 'image_embeds');
  const perText = g.op('Mul', [g.op('MatMul', [text, g.op('Transpose', [image], { perm: [1, 0] })]), g.floats([100], [], 'scale')], undefined, 'logits_per_text');
  g.op('Transpose', [perText], { perm: [1, 0] }, 'logits_per_image');
  g.output('logits_per_image', 'float32', ['image_batch_size', 'text_batch_size']);
  g.output('logits_per_text', 'float32', ['text_batch_size', 'image_batch_size']);
  g.output('text_embeds', 'float32', ['text_batch_size', CLIP_EMBED_DIM]);
  g.output('image_embeds', 'float32', ['image_batch_size', CLIP_EMBED_DIM]);
  return g.encode({ metadata: META });
}
