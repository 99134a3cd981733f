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

/** How the core made this text, when it said it recently. */
export function saidAs(text: string): Said | undefined {
  return recent.get(text);
}

/** A translator in the form of vscode.l10n.t: a template and the values for its numbered places. */
export type Translate = (template: string, ...values: string[]) => string;

/**
 * The text in the translator's language: a sentence the core said is rebuilt from its translated template and its
 * values, each retold in turn when the core said it too (other values are data: ports, numbers, names); any other
 * text is looked up whole (a fixed sentence stored before it was said here, such as a reason read back from a
 * rollout's state file) and otherwise comes back unchanged.
 */
export function retell(text: string, translate: Translate): string {
  const said = recent.get(text);
  if (said) return translate(said.template, ...said.values.map((v) => retellValue(v, translate, 1)));
  return text === '' || /\{\d+\}/.test(text) ? text : translate(text);
}

/** A value inside a sentence: retold when the core said it, otherwise data (a port, a number, a name) left alone. */
function retellValue(value: string, translate: Translate, depth: number): string {
  const said = depth < 8 ? recent.get(value) : undefined;
  return said ? translate(said.template, ...said.values.map((v) => retellValue(v, translate, depth + 1))) : value;
}
