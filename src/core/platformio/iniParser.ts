// A reader for INI text with the rules of Python's configparser, which PlatformIO uses for `platformio.ini`:
// `=` or `:` between name and value, option names lower-cased, values continued on more-indented lines, full-line
// comments starting with `;` or `#`, inline comments only after whitespace, `%%` for a literal percent sign and
// `%(name)s` for another option of the same section. Later text merges into earlier sections (as configparser does
// when it reads several files).
import { OtaError } from '../errors';
import { say } from '../sentences';

/** Section name -> option name -> raw value (continuation lines joined with "\n"), in file order. */
export type IniSections = Map<string, Map<string, string>>;

const SECTION_HEADER = /^\[(.+)\]/;
const OPTION_LINE = /^(.*?)\s*([=:])\s*(.*)$/;

/** Index where an inline comment starts (`;` or `#` at the start or after whitespace), or -1. */
function inlineCommentStart(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if ((c === ';' || c === '#') && (i === 0 || /\s/.test(line[i - 1]))) return i;
  }
  return -1;
}

/**
 * Parses INI text into `into` (a fresh map when omitted) and returns it. `source` names the file in error messages.
 * Throws an OtaError 'invalid-input' for an option before any section header or a line that is neither.
 */
export function parseIni(text: string, source = 'platformio.ini', into: IniSections = new Map()): IniSections {
  const pending = new Map<Map<string, string>, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  let optionName: string | undefined;
  let indentLevel = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);

  lines.forEach((line, index) => {
    const fullComment = /^\s*[;#]/.test(line);
    const commentAt = fullComment ? 0 : inlineCommentStart(line);
    const value = (commentAt >= 0 ? line.slice(0, commentAt) : line).trim();
    if (!value) {
      // An empty line inside a multi-line value belongs to it; a comment line does not.
      if (commentAt < 0 && current && optionName) current.get(optionName)?.push('');
      return;
    }
    const indent = line.search(/\S/);
    if (current && optionName && indent > indentLevel) {
      current.get(optionName)!.push(value);
      return;
    }
    indentLevel = indent;
    const header = SECTION_HEADER.exec(value);
    if (header) {
      const name = header[1];
      let section = into.get(name);
      if (!section) {
        section = new Map();
        into.set(name, section);
      }
      let lists = pending.get(section);
      if (!lists) {
        lists = new Map();
        pending.set(section, lists);
      }
      current = lists;
      optionName = undefined;
      return;
    }
    if (!current) {
      throw new OtaError('invalid-input', say`${source} line ${index + 1}: "${value}" comes before any [section] header.`, {
        hint: say`Put options under a section such as [env:NAME].`,
      });
    }
    const option = OPTION_LINE.exec(value);
    if (!option || !option[1]) {
      throw new OtaError('invalid-input', say`${source} line ${index + 1}: "${value}" is neither a [section] nor "name = value".`);
    }
    optionName = option[1].toLowerCase();
    current.set(optionName, [option[3]]);
  });

  for (const [section, lists] of pending) {
    for (const [name, parts] of lists) section.set(name, parts.join('\n').trimEnd());
  }
  return into;
}

/**
 * The value as configparser's get() returns it: `%%` becomes `%` and `%(name)s` is replaced by that option of the
 * same section (recursively, at most 10 levels deep).
 */
export function interpolatePercent(raw: string, section: ReadonlyMap<string, string>, depth = 0): string {
  if (!raw.includes('%')) return raw;
  return raw.replace(/%%|%\(([^)]+)\)s/g, (match, name: string | undefined) => {
    if (match === '%%') return '%';
    const other = section.get(name!.toLowerCase());
    if (other === undefined || depth >= 10) return match;
    return interpolatePercent(other, section, depth + 1);
  });
}
