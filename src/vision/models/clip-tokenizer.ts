// CLIP prompt tokenisation with @huggingface/tokenizers (pure JS, reads tokenizer.json
// as exported by transformers), plus the CLIP framing: <|startoftext|> … <|endoftext|>,
// at most 77 tokens, padded with <|endoftext|> (CLIP's pad token) when the model fixes the length.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer as UntypedTokenizer } from '@huggingface/tokenizers';
import { ModelFileError } from './errors.js';

// The part of @huggingface/tokenizers used here, typed by hand: the package's own
// .d.ts files import each other without file extensions, which NodeNext cannot
// resolve, so the class would otherwise arrive as an unresolved (any) type.
interface Tokenizer {
  token_to_id(token: string): number | undefined;
  encode(text: string, options: { add_special_tokens?: boolean }): { ids: number[] };
}
const Tokenizer = UntypedTokenizer as unknown as new (tokenizer: object, config: object) => Tokenizer;

export const CLIP_START = 49406;
export const CLIP_END = 49407;
export const CLIP_CONTEXT = 77;

export interface TokenizedPrompt {
  ids: number[];
  /** 1 for real tokens, 0 for padding */
  attentionMask: number[];
}

export class ClipTokenizer {
  private constructor(
    readonly file: string,
    private readonly tokenizer: Tokenizer,
    readonly startId: number,
    readonly endId: number,
  ) {}

  static load(file: string): ClipTokenizer {
    if (!existsSync(file)) throw new ModelFileError(file, 'tokenizer.json is missing (expected the Hugging Face tokenizer.json of the CLIP model next to the onnx/ folder)');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ModelFileError(file, `tokenizer.json is not valid JSON: ${(err as Error).message}`);
    }
    const model = (json as { model?: { type?: string; vocab?: unknown } }).model;
    if (!model || typeof model !== 'object' || typeof model.vocab !== 'object') {
      throw new ModelFileError(file, 'tokenizer.json has no "model" with a "vocab" (expected a CLIP BPE tokenizer)');
    }
    const configFile = join(dirname(file), 'tokenizer_config.json');
    let config: object = {};
    if (existsSync(configFile)) {
      try {
        config = JSON.parse(readFileSync(configFile, 'utf8')) as object;
      } catch (err) {
        throw new ModelFileError(configFile, `tokenizer_config.json is not valid JSON: ${(err as Error).message}`);
      }
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json as object, config);
    } catch (err) {
      throw new ModelFileError(file, `could not build the tokenizer: ${(err as Error).message}`);
    }
    const start = tokenizer.token_to_id('<|startoftext|>');
    const end = tokenizer.token_to_id('<|endoftext|>');
    if (start === undefined || end === undefined) {
      throw new ModelFileError(file, `tokenizer.json lacks the CLIP special tokens <|startoftext|> (${CLIP_START}) and <|endoftext|> (${CLIP_END}); found ${start ?? 'none'} and ${end ?? 'none'}`);
    }
    return new ClipTokenizer(file, tokenizer, start, end);
  }

  /**
   * ids framed by start/end tokens; longer prompts are cut to `maxLength` keeping the end
   * token; `padTo` pads with the end token (attention 0) for models with a fixed length.
   */
  encode(prompt: string, options: { maxLength?: number; padTo?: number } = {}): TokenizedPrompt {
    const maxLength = options.maxLength ?? CLIP_CONTEXT;
    let ids = this.tokenizer.encode(prompt, { add_special_tokens: true }).ids;
    // Some tokenizer.json files carry no post-processor: frame the ids ourselves.
    if (ids[0] !== this.startId) ids = [this.startId, ...ids];
    if (ids[ids.length - 1] !== this.endId) ids = [...ids, this.endId];
    if (ids.length > maxLength) ids = [...ids.slice(0, maxLength - 1), this.endId];
    const attentionMask = ids.map(() => 1);
    const padTo = options.padTo;
    if (padTo !== undefined) {
      if (padTo < ids.length) throw new RangeError(`padTo ${padTo} is shorter than the ${ids.length} prompt tokens`);
      while (ids.length < padTo) {
        ids.push(this.endId);
        attentionMask.push(0);
      }
    }
    return { ids, attentionMask };
  }
}
