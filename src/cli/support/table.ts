// Aligned plain-text tables for human output: a header row, columns padded to their widest cell, numbers aligned
// right, nothing cut. Cells are single-line (runs of whitespace become one space).

export interface Column {
  header: string;
  /** Default left. */
  align?: 'left' | 'right';
}

const GAP = '  ';

function cell(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** The table as lines of text, each ending in a newline, without trailing spaces. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((_, i) => cell(r[i] ?? '')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const lines = cells.map((r) =>
    r
      .map((value, i) => {
        const last = i === columns.length - 1;
        if (columns[i].align === 'right') return value.padStart(widths[i]);
        return last ? value : value.padEnd(widths[i]);
      })
      .join(GAP)
      .trimEnd(),
  );
  return lines.map((l) => `${l}\n`).join('');
}

/** "Label:  value" lines for one record, labels padded to the longest. Values may span lines (indented). */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length + 1));
  return fields
    .map(([label, value]) => {
      const lines = value.split(/\r?\n/);
      const head = `${`${label}:`.padEnd(width)}${GAP}${lines[0]}`.trimEnd();
      const rest = lines.slice(1).map((l) => `${' '.repeat(width)}${GAP}${l}`.trimEnd());
      return [head, ...rest].map((l) => `${l}\n`).join('');
    })
    .join('');
}
