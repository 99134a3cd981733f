// Sentences the core says to a person, in English, that a front end can say in the person's own language.
//
// The core writes every such sentence as a tagged template, say`Opening ${port} at ${baud} baud`. The tag returns
// the English text, so the core, its tests and the CLI (which stays English) deal only in plain strings, and it
// remembers how that text was made: the template with numbered places, 'Opening {0} at {1} baud' (the form
// vscode.l10n.t takes as a key), and the values. The VS Code front end hands each text it shows to `retell`, which
// finds how it was made, retells its values the same way (a sentence inside a sentence is translated too) and asks
// the translator for the template. A text the core did not say (a device's own words, a file name) or said too long
// ago to be remembered comes back as it is, in English: never wrong, at worst untranslated.

export interface Said {
  /** The English template with numbered places: 'Opening {0} at {1} baud'. */
  readonly template: string;
  /** The values, as text, in place order. */
  readonly values: readonly string[];
  /** The text is the sentence without its final full stop (see withoutFullStop): so is its translation. */
  readonly cut?: boolean;
}

/** Enough for every sentence a long flash session or rollout shows while it is on screen, and a few MB at most. */
const REMEMBERED = 20_000;
const recent = new Map<string, Said>();

function remember(text: string, said: Said): void {
  // A Map iterates in insertion order: deleting first makes this the newest, and the oldest is the first key.
  recent.delete(text);
  recent.set(text, said);
  if (recent.size > REMEMBERED) {
    const oldest = recent.keys().next();
    if (!oldest.done) recent.delete(oldest.value);
  }
}

/** The template of a tagged template literal: its literal parts joined by {0}, {1}… */
export function templateOf(parts: readonly string[]): string {
  return parts.reduce((acc, part, i) => (i === 0 ? part : `${acc}{${i - 1}}${part}`), '');
}

/** Tag for a sentence meant for a person: returns the English text and remembers how it was made. */
export function say(parts: TemplateStringsArray, ...values: readonly (string | number | bigint)[]): string {
  const texts = values.map(String);
  const text = parts.reduce((acc, part, i) => (i === 0 ? part : acc + texts[i - 1] + part), '');
  remember(text, { template: templateOf(parts), values: texts });
  return text;
}

/**
 * A sentence without its final full stop, to go on inside another ("Deploy stopped while uploading: <reason>. …"):
 * still retold, its translation cut the same way.
 */
export function withoutFullStop(text: string): string {
  if (!text.endsWith('.')) return text;
  const cut = text.slice(0, -1);
  const said = recent.get(text);
  if (said) remember(cut, { ...said, cut: true });
  return cut;
}

/**
 * Several things said one after another, `a, b, c` (or `a; b; c`): each item is retold in turn, and so is each
 * separator, one pair at a time ('{0}, {1}' is 、 in Chinese). One item is the item itself; none is ''.
 */
export function sayList(items: readonly string[], separator: ', ' | '; ' = ', '): string {
  if (items.length === 0) return '';
  return items.reduce((acc, item) => (separator === '; ' ? say`${acc}; ${item}` : say`${acc}, ${item}`));
}

/** How the core made this text, when it said it recently. */
export function saidAs(text: string): Said | undefined {
  return recent.get(text);
}

/** A translator in the form of vscode.l10n.t: a template and the values for its numbered places. */
export type Translate = (template: string, ...values: string[]) => string;

/** Finds how a text was made when it was not said in this process (read from a file, or said too long ago). */
export type Recognise = (text: string) => Said | undefined;

/**
 * A recogniser for texts made from these templates: a text that a template's words frame exactly gives that
 * template and the values in its places. Templates with no word of their own ('{0} {1}', '{0}: {1}') frame anything
 * and are left out; where several match, the one with the most letters of its own wins.
 */
export function recogniser(templates: Iterable<string>): Recognise {
  const known: { template: string; re: RegExp; letters: number; order: number[]; head: string; tail: string }[] = [];
  for (const template of templates) {
    const parts = template.split(/\{\d+\}/);
    if (parts.length < 2) continue;
    const letters = parts.join('').replace(/[^\p{L}]/gu, '').length;
    if (letters < 2) continue;
    const order = [...template.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1]));
    const body = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('([\\s\\S]+?)');
    known.push({ template, re: new RegExp(`^${body}$`), letters, order, head: parts[0], tail: parts[parts.length - 1] });
  }
  known.sort((a, b) => b.letters - a.letters);
  const seen = new Map<string, Said | null>();
  return (text) => {
    const hit = seen.get(text);
    if (hit !== undefined) return hit ?? undefined;
    let found: Said | null = null;
    for (const k of known) {
      // Most templates fail on their first or last words: no regular expression for those.
      if (!text.startsWith(k.head) || !text.endsWith(k.tail)) continue;
      const m = k.re.exec(text);
      if (!m) continue;
      const values: string[] = [];
      k.order.forEach((place, i) => (values[place] = m[i + 1]));
      found = { template: k.template, values };
      break;
    }
    if (seen.size >= 2000) seen.clear();
    seen.set(text, found);
    return found ?? undefined;
  };
}

/**
 * The text in the translator's language: a sentence the core said (or one `recognise` knows) is rebuilt from its
 * translated template and its values, each retold in turn; any other text is looked up whole and otherwise comes
 * back unchanged.
 */
export function retell(text: string, translate: Translate, recognise?: Recognise): string {
  const said = recent.get(text) ?? recognise?.(text);
  if (said) return told(said, translate(said.template, ...said.values.map((v) => retellValue(v, translate, recognise, 1))));
  return text === '' || /\{\d+\}/.test(text) ? text : translate(text);
}

/**
 * A value inside a sentence: retold when the core said it (or `recognise` knows it); a name of several words that the
 * translation has whole ("STM32 system bootloader (USART, AN3155)") is translated; other values are data (a port, a
 * number, a file, one word) and stay as they are.
 */
function retellValue(value: string, translate: Translate, recognise: Recognise | undefined, depth: number): string {
  // Deep enough for a list of many items (each pair one level); the bound stops a text that holds itself.
  const said = depth < 64 ? (recent.get(value) ?? recognise?.(value)) : undefined;
  if (said) return told(said, translate(said.template, ...said.values.map((v) => retellValue(v, translate, recognise, depth + 1))));
  return / \p{L}/u.test(value) && !/\{\d+\}/.test(value) ? translate(value) : value;
}

/** A translation cut like its text. */
function told(said: Said, translation: string): string {
  return said.cut ? translation.replace(/[.。]$/, '') : translation;
}
