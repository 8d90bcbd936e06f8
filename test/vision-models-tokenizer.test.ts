import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClipTokenizer, CLIP_CONTEXT, CLIP_END, CLIP_START } from '../src/vision/models/clip-tokenizer.js';
import { buildClipTokenizerFixture, bytesToUnicode } from './fixture-models/clip-fixture.js';

const fixture = buildClipTokenizerFixture();
const dir = t.testdir({ 'tokenizer.json': JSON.stringify(fixture.json) });
const tokenizer = ClipTokenizer.load(join(dir, 'tokenizer.json'));
const id = (token: string): number => {
  const v = fixture.vocab[token];
  if (v === undefined) throw new Error(`fixture vocab has no ${token}`);
  return v;
};

t.test('the fixture vocabulary follows CLIP: byte symbols, then </w> symbols, specials at 49406/49407', async (t) => {
  const symbols = bytesToUnicode();
  t.equal(symbols.length, 256);
  t.equal(new Set(symbols).size, 256);
  t.equal(id('!'), 0);
  t.equal(id('a</w>'), 320, '"a</w>" has the id the real CLIP vocabulary gives it');
  t.equal(id('<|startoftext|>'), 49406);
  t.equal(id('<|endoftext|>'), 49407);
  t.equal(tokenizer.startId, CLIP_START);
  t.equal(tokenizer.endId, CLIP_END);
});

t.test('a prompt is lower-cased, split into words and framed by start/end tokens', async (t) => {
  const expected = [49406, id('a</w>'), id('red</w>'), id('ball</w>'), 49407];
  t.same(tokenizer.encode('a red ball').ids, expected);
  t.same(tokenizer.encode('  A   RED\tBall ').ids, expected, 'case and whitespace are normalised');
  t.same(tokenizer.encode('a red ball').attentionMask, [1, 1, 1, 1, 1]);
  // A word outside the tiny vocabulary falls back to its characters (BPE never fails).
  const zebra = tokenizer.encode('zebra').ids;
  t.same(zebra, [49406, id('z'), id('e'), id('b'), id('r'), id('a</w>'), 49407]);
  t.same(tokenizer.encode('red!').ids, [49406, id('red</w>'), id('!</w>'), 49407], 'punctuation is its own word');
});

t.test('long prompts are cut to 77 tokens ending with <|endoftext|>; padTo pads with it (mask 0)', async (t) => {
  const long = tokenizer.encode(Array.from({ length: 120 }, () => 'red').join(' '));
  t.equal(long.ids.length, CLIP_CONTEXT);
  t.equal(long.ids[0], 49406);
  t.equal(long.ids[76], 49407);
  t.equal(long.ids[75], id('red</w>'));
  const padded = tokenizer.encode('a blue cube', { padTo: 77 });
  t.equal(padded.ids.length, 77);
  t.same(padded.ids.slice(0, 5), [49406, id('a</w>'), id('blue</w>'), id('cube</w>'), 49407]);
  t.ok(padded.ids.slice(5).every((v) => v === 49407));
  t.same(padded.attentionMask.slice(0, 6), [1, 1, 1, 1, 1, 0]);
  t.equal(padded.attentionMask.reduce((a, b) => a + b, 0), 5);
  t.throws(() => tokenizer.encode('a red ball', { padTo: 3 }), RangeError);
});

t.test('missing, broken or non-CLIP tokenizer files give errors naming the file', async (t) => {
  const bad = t.testdir({
    'broken.json': '{ not json',
    'novocab.json': JSON.stringify({ model: { type: 'BPE' } }),
  });
  t.throws(() => ClipTokenizer.load(join(bad, 'tokenizer.json')), { name: 'ModelFileError', message: /tokenizer\.json: tokenizer\.json is missing/ });
  t.throws(() => ClipTokenizer.load(join(bad, 'broken.json')), /broken\.json: tokenizer\.json is not valid JSON/);
  t.throws(() => ClipTokenizer.load(join(bad, 'novocab.json')), /novocab\.json: tokenizer\.json has no "model" with a "vocab"/);
  // A BPE tokenizer without the CLIP specials.
  const json = structuredClone(fixture.json) as { added_tokens: unknown[]; post_processor: unknown; model: { vocab: Record<string, number> } };
  json.added_tokens = [];
  json.post_processor = null;
  delete json.model.vocab['<|startoftext|>'];
  const other = join(bad, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'tokenizer.json'), JSON.stringify(json));
  t.throws(() => ClipTokenizer.load(join(other, 'tokenizer.json')), /lacks the CLIP special tokens <\|startoftext\|> \(49406\)/);
});
