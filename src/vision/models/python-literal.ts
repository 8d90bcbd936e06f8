// Parses the Python literal Ultralytics writes into ONNX metadata for class names:
// str(dict) such as {0: 'person', 1: "people's"} (not JSON), or a list repr.

function fail(text: string, at: number, what: string): never {
  const near = text.slice(Math.max(0, at - 10), at + 10);
  throw new SyntaxError(`cannot parse class names: expected ${what} at offset ${at} (near ${JSON.stringify(near)})`);
}

class Cursor {
  i = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i++;
  }
  peek(): string {
    this.skipSpace();
    return this.text[this.i] ?? '';
  }
  expect(ch: string): void {
    if (this.peek() !== ch) fail(this.text, this.i, `'${ch}'`);
    this.i++;
  }
}

const simpleEscapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };

function parseString(c: Cursor): string {
  const quote = c.peek();
  if (quote !== "'" && quote !== '"') fail(c.text, c.i, 'a quoted string');
  c.i++;
  let out = '';
  for (;;) {
    if (c.i >= c.text.length) fail(c.text, c.i, `closing ${quote}`);
    const ch = c.text[c.i++];
    if (ch === quote) return out;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = c.text[c.i++];
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen) {
      const hex = c.text.slice(c.i, c.i + hexLen);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLen) fail(c.text, c.i, `${hexLen} hex digits`);
      out += String.fromCodePoint(parseInt(hex, 16));
      c.i += hexLen;
    } else if (e in simpleEscapes) {
      out += simpleEscapes[e];
    } else {
      out += `\\${e}`; // Python keeps unknown escapes verbatim
    }
  }
}

function parseInt10(c: Cursor): number {
  c.skipSpace();
  const m = /^-?\d+/.exec(c.text.slice(c.i));
  if (!m) fail(c.text, c.i, 'an integer key');
  c.i += m[0].length;
  return Number(m[0]);
}

/** Returns names indexed by class id; gaps (if any) become `class<id>`. */
export function parseClassNames(text: string): string[] {
  const c = new Cursor(text.trim());
  const byId = new Map<number, string>();
  const open = c.peek();
  if (open === '{') {
    c.i++;
    while (c.peek() !== '}') {
      const key = parseInt10(c);
      c.expect(':');
      byId.set(key, parseString(c));
      if (c.peek() === ',') c.i++;
      else if (c.peek() !== '}') fail(c.text, c.i, "',' or '}'");
    }
    c.i++;
  } else if (open === '[') {
    c.i++;
    let id = 0;
    while (c.peek() !== ']') {
      byId.set(id++, parseString(c));
      if (c.peek() === ',') c.i++;
      else if (c.peek() !== ']') fail(c.text, c.i, "',' or ']'");
    }
    c.i++;
  } else {
    fail(c.text, c.i, "'{' or '['");
  }
  if (c.peek() !== '') fail(c.text, c.i, 'end of text');
  const ids = [...byId.keys()];
  if (ids.some((k) => k < 0)) throw new SyntaxError('cannot parse class names: negative class id');
  const count = ids.length ? Math.max(...ids) + 1 : 0;
  return Array.from({ length: count }, (_, i) => byId.get(i) ?? `class${i}`);
}
