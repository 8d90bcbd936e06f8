// The mask atlas travels with the flow once, not once per batch: small atlases
// (≤ 8 MiB, about a minute of video at the default keyframe interval) as bytes
// in one Redis key; larger ones as a content-addressed file in the render's
// folder, so Redis never holds hundreds of megabytes. Either way the bytes are
// checked against their SHA-256 on arrival.
import type { Redis } from 'ioredis';
import { ATLAS_IN_REDIS_MAX_BYTES, atlasKey, sha256, type AtlasRef } from './flow.js';
import type { RenderStorage } from './storage.js';

/** Seconds an atlas stays in Redis: long enough for a queued render to wait for workers. */
const ATLAS_TTL_SECONDS = 7 * 24 * 3600;

export async function publishAtlas(redis: Redis, storage: RenderStorage, renderId: string, workDir: string, atlas: Uint8Array): Promise<AtlasRef> {
  const hash = sha256(atlas);
  if (atlas.byteLength <= ATLAS_IN_REDIS_MAX_BYTES) {
    const key = atlasKey(renderId);
    await redis.set(key, Buffer.from(atlas.buffer, atlas.byteOffset, atlas.byteLength), 'EX', ATLAS_TTL_SECONDS);
    return { where: 'redis', key, sha256: hash, bytes: atlas.byteLength };
  }
  const file = await storage.putBlob(workDir, `atlas-${hash}.bin`, atlas);
  return { where: 'file', file, sha256: hash, bytes: atlas.byteLength };
}

export class AtlasTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AtlasTransportError';
  }
}

/** Fetches the atlas into a SharedArrayBuffer (what the render workers read in place). */
export async function fetchAtlas(redis: Redis, storage: RenderStorage, ref: AtlasRef): Promise<SharedArrayBuffer> {
  let bytes: Uint8Array;
  if (ref.where === 'redis') {
    const b = await redis.getBuffer(ref.key);
    if (!b) throw new AtlasTransportError(`the mask atlas ${ref.key} is no longer in Redis (expired or flushed); submit the render again`);
    bytes = b;
  } else {
    bytes = await storage.getBlob(ref.file);
  }
  if (bytes.byteLength !== ref.bytes || sha256(bytes) !== ref.sha256) {
    throw new AtlasTransportError(`the mask atlas arrived damaged (${bytes.byteLength} bytes, expected ${ref.bytes} with SHA-256 ${ref.sha256.slice(0, 12)}…); submit the render again`);
  }
  const shared = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(shared).set(bytes);
  return shared;
}

/** Removes the atlas once the render is over (the Redis copy would expire anyway). */
export async function dropAtlas(redis: Redis, storage: RenderStorage, ref: AtlasRef): Promise<void> {
  if (ref.where === 'redis') await redis.del(ref.key);
  else await storage.remove(ref.file);
}
