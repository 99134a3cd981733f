// Keep secrets and walls of text out of messages: every excerpt of a server's answer goes through here.

/** Replace every occurrence of each secret (and its URL-encoded form) with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}

/** A short one-line excerpt of a response body: an HTML page's title, or its first characters without tags. */
export function excerpt(body: string, secrets: readonly (string | undefined)[] = [], max = 120): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1];
  const text = (title ?? body.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  const clean = redact(text, secrets);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
