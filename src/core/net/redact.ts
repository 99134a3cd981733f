// Keep secrets and walls of text out of messages: every excerpt of a server's answer, and every line the extension
// logs, goes through here.
//
// A secret can come back in many spellings: as sent, URL-encoded (in a query, a form, upper- or lower-case hex),
// JSON-escaped (a `"`, `\` or tab in a password; `\/` and `\uXXXX` as PHP writes them), HTML-escaped (`&lt;b&gt;`),
// one inside another (JSON in an HTML page), or reformatted (its whitespace turned into other whitespace). Each
// spelling is replaced, on the text as it arrived, before anything else (tag stripping, whitespace folding) could
// turn a spelling into one not recognised any more.

type Transform = (s: string) => string;

const lowerHex = (s: string): string => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const uri: Transform = (s) => encodeURIComponent(s);
/** application/x-www-form-urlencoded: spaces as `+`, and `!'()*` encoded too. */
const form: Transform = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
const json: Transform = (s) => JSON.stringify(s).slice(1, -1);
/** JSON as PHP and others write it: `/` as `\/`, everything outside ASCII as `\uXXXX`. */
const jsonAscii: Transform = (s) =>
  json(s)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
/** How HTML writes each character it escapes; a page may mix them. */
const HTML_ENTITIES: Record<string, readonly string[]> = {
  '&': ['&amp;', '&#38;', '&#038;', '&#x26;'],
  '<': ['&lt;', '&#60;', '&#060;', '&#x3c;', '&#x3C;'],
  '>': ['&gt;', '&#62;', '&#062;', '&#x3e;', '&#x3E;'],
  '"': ['&quot;', '&#34;', '&#034;', '&#x22;'],
  "'": ['&#39;', '&#039;', '&#x27;', '&apos;'],
};

const TRANSFORMS: readonly Transform[] = [(s) => s, uri, (s) => lowerHex(uri(s)), form, (s) => lowerHex(form(s)), json, jsonAscii];

/** Every spelling of `secret` looked for apart from HTML escaping: each transform, and each pair of them. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>();
  for (const outer of TRANSFORMS) for (const inner of TRANSFORMS) forms.add(outer(inner(secret)));
  return [...forms];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A pattern for one spelling: each character HTML escapes also matches its entities (any mix of them), and each
 * run of whitespace matches any run of whitespace (a reformatted copy).
 */
function spellingPattern(form: string): string {
  let out = '';
  for (const part of form.split(/(\s+)/)) {
    if (/^\s+$/.test(part)) {
      out += '\\s+';
      continue;
    }
    for (const c of part) {
      const entities = HTML_ENTITIES[c];
      out += entities ? `(?:${[c, ...entities].map(escapeRegExp).join('|')})` : escapeRegExp(c);
    }
  }
  return out;
}

const patterns = new Map<string, RegExp>();
const MAX_CACHED = 256;

function patternFor(secrets: readonly string[]): RegExp {
  const key = JSON.stringify(secrets);
  let re = patterns.get(key);
  if (!re) {
    const alternatives = new Set<string>();
    for (const secret of secrets) for (const f of secretForms(secret)) alternatives.add(spellingPattern(f));
    // Longest first, so a spelling that contains another is replaced whole.
    re = new RegExp([...alternatives].sort((a, b) => b.length - a.length).join('|'), 'g');
    if (patterns.size >= MAX_CACHED) patterns.clear();
    patterns.set(key, re);
  }
  return re;
}

/** Replace every spelling of each secret (see above) with `***`. Empty and missing secrets are skipped. */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  const wanted = [...new Set([...secrets].filter((s): s is string => !!s && s.trim() !== ''))];
  if (!wanted.length || !text) return text;
  return text.replace(patternFor(wanted), '***');
}

/**
 * A short one-line excerpt of a response body: an HTML page's title, or its first characters without tags. Secrets
 * are redacted in the body as it came, before its tags are stripped and its whitespace folded.
 */
export function excerpt(body: string, secrets: readonly (string | undefined)[] = [], max = 120): string {
  const safe = redact(body, secrets);
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(safe)?.[1];
  const text = (title ?? safe.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  const clean = redact(text, secrets);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
