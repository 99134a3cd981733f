// What every webview page of the extension shares: a fresh nonce, the strict Content Security Policy (only the
// nonce'd script runs; styles, fonts and images come only from the extension, through asWebviewUri) and HTML
// escaping. No vscode import, so a benchmark can serve the very same page from a plain browser.
import { randomBytes } from 'node:crypto';

/** A nonce for one page load. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The Content-Security-Policy of a page: nothing but the extension's own assets and the nonce'd script. */
export function strictCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/** Text made safe for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
