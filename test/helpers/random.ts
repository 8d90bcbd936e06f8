// Seeded PRNG (the same xorshift32 the fixture models use) so property tests are repeatable.
import { rng } from '../fixture-models/fixture-random.js';

export { rng };

export function randomBytes(length: number, next: () => number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(next() * 256);
  return out;
}
