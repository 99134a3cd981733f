// cbor2 is an ES module; the CommonJS code of the extension, the CLI and the compiled tests loads it once with a
// dynamic import (esbuild inlines it into the bundles).

import type * as Cbor from 'cbor2' with { 'resolution-mode': 'import' };

export type CborModule = typeof Cbor;

let loading: Promise<CborModule> | null = null;

export function loadCbor(): Promise<CborModule> {
  loading ??= import('cbor2');
  return loading;
}

/** A decoded SMP body: a CBOR map with text keys. */
export type SmpBody = Record<string, unknown>;

/** Decodes a CBOR map; anything else (or broken CBOR) is null. */
export function decodeMap(cbor: CborModule, bytes: Uint8Array): SmpBody | null {
  if (bytes.length === 0) return {};
  try {
    const value: unknown = cbor.decode(bytes);
    if (value instanceof Map) {
      const out: SmpBody = {};
      for (const [k, v] of value as Map<unknown, unknown>) if (typeof k === 'string') out[k] = v;
      return out;
    }
    return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array) ? (value as SmpBody) : null;
  } catch {
    return null;
  }
}
