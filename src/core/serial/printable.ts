// Anything a device sends is shown to people (log, panel, terminal) only through this: printable ASCII stays,
// everything else becomes an escape, and long runs are cut.

/** Escapes control and non-ASCII bytes (`\r`, `\n`, `\t`, `\xNN`) and cuts the text after `max` input bytes. */
export function printable(data: Uint8Array | string, max = 160): string {
  const length = data.length;
  const byteAt = (i: number): number => (typeof data === 'string' ? data.charCodeAt(i) & 0xffff : data[i]);
  let out = '';
  const shown = Math.min(length, max);
  for (let i = 0; i < shown; i++) {
    const b = byteAt(i);
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else if (b <= 0xff) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += '\\u' + b.toString(16).padStart(4, '0');
  }
  if (length > shown) out += `… (${length - shown} more)`;
  return out;
}
