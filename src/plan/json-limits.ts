// Limits on the shape of plan JSON, checked before the schema sees it. The
// walk is iterative, so no input (however deep, wide or cyclic) can overflow
// the stack; everything after it may then recurse safely.
import type { JsonPath } from './errors.js';

/** A real plan nests 5 levels (plan → segments → [i] → effects → [j]); 64 leaves room for editor hints. */
export const MAX_PLAN_DEPTH = 64;

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: PropertyKey | undefined;
}

function pathOf(frame: Frame): JsonPath {
  const path: PropertyKey[] = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) path.push(f.key as PropertyKey);
  return path.reverse();
}

/**
 * The path of the first value nested deeper than `limit` levels (a cycle
 * counts as endlessly deep), or undefined when the whole value is within it.
 */
export function firstTooDeep(root: unknown, limit = MAX_PLAN_DEPTH): JsonPath | undefined {
  const stack: Frame[] = [{ value: root, depth: 0, parent: undefined, key: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const { value, depth } = frame;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= limit) return pathOf(frame);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const item: unknown = value[i];
        if (item !== null && typeof item === 'object') stack.push({ value: item, depth: depth + 1, parent: frame, key: i });
      }
    } else {
      // Object.keys works on null-prototype objects too.
      for (const key of Object.keys(value).reverse()) {
        const item = (value as Record<string, unknown>)[key];
        if (item !== null && typeof item === 'object') stack.push({ value: item, depth: depth + 1, parent: frame, key });
      }
    }
  }
  return undefined;
}
