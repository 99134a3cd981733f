// The spellings a server may echo a secret in (the ones src/core/net/redact.ts replaces), for the tests that prove
// no secret reaches an error or a log: the unit tests of redact and the extension's log inside VS Code.

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const json = (s: string): string => JSON.stringify(s).slice(1, -1);

/** Every spelling of `secret` by name: as sent, URI- and form-encoded, JSON- and HTML-escaped, nested, reformatted. */
export function spellings(secret: string): Record<string, string> {
  return {
    raw: secret,
    uri: encodeURIComponent(secret),
    'uri lower-case hex': encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    form: new URLSearchParams({ p: secret }).toString().slice(2),
    json: json(secret),
    'json as PHP': json(secret).replace(/\//g, '\\/').replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    html: escapeHtml(secret),
    'html numeric': secret.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
    'json in html': escapeHtml(json(secret)),
    'json in json': json(json(secret)),
    'whitespace reformatted': secret.replace(/\s+/g, '   '),
    'whitespace folded': secret.replace(/\s+/g, ' '),
  };
}

/** The pieces of `secret` between the characters that get escaped, at least `min` long: none may survive. */
export function leakedPieces(text: string, secret: string, min = 2): string[] {
  const pieces = secret.split(/[\s"\\<>&/'+]+/).filter((p) => p.length >= min);
  return pieces.filter((p) => text.includes(p));
}

/** The names of the spellings of `secret` found in `text`. */
export function spellingsIn(text: string, secret: string): string[] {
  return Object.entries(spellings(secret))
    .filter(([, form]) => text.includes(form))
    .map(([name]) => name);
}
