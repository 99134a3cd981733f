// Answers of Alibaba-compatible endpoints come in PascalCase (`FirmwareInfo.DestVersion`, Alibaba itself) or
// lowerCamelCase (`firmwareInfo.destVersion`, seed 001), and some documents spell `FirmwareID`/`RequestID`. Keys
// are normalised to Alibaba's spelling once, so that everything after reads one form.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function normalizeKey(key: string): string {
  const upper = key.charAt(0).toUpperCase() + key.slice(1);
  return upper.replace(/([a-z])ID$/, '$1Id');
}

export function normalizeKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(normalizeKeys);
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    const rankOf = new Map<string, number>();
    for (const [k, v] of Object.entries(value)) {
      const key = normalizeKey(k);
      // Should several spellings be present, Alibaba's exact one wins, then any PascalCase one.
      const rank = k === key ? 2 : /^[A-Z]/.test(k) ? 1 : 0;
      if ((rankOf.get(key) ?? -1) < rank) {
        out[key] = normalizeKeys(v);
        rankOf.set(key, rank);
      }
    }
    return out;
  }
  return value;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The records of a list answer: `Outer.Inner[]`, a single `Outer.Inner` object, `Outer[]`, or nothing -> []. */
export function listAt(root: JsonObject, outer: string, inner: string): JsonObject[] {
  const container = root[outer];
  const value = isObject(container) ? container[inner] : container;
  if (Array.isArray(value)) return value.filter(isObject);
  if (isObject(value)) return [value];
  return [];
}

/** A string field; numbers are turned into text, empty strings and anything else into null. */
export function text(obj: JsonObject, key: string): string | null {
  const v = obj[key];
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** A number field; numeric strings ("12.50") count, anything else is null. */
export function num(obj: JsonObject, key: string): number | null {
  const v = obj[key];
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function bool(obj: JsonObject, key: string): boolean | null {
  const v = obj[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  if (v === 1 || v === 0) return v === 1;
  return null;
}
