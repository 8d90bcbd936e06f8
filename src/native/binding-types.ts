// The raw shape of the addon's exports. Only src/native/ touches these;
// everything else goes through the checked wrappers.
export interface RawBinding {
  abiTag: string;
  napiVersion: number;
  blendPlane(dst: Uint8Array, src: Uint8Array, mask: Uint8Array): void;
  isShared(view: Uint8Array): boolean;
  addressOf(view: Uint8Array): bigint;
  [name: string]: unknown;
}
