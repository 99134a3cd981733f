// How the dashboard's page and view (built without VS Code, so the benchmark and the unit tests run them in plain
// Node) get their words in the display language: the panel passes vscode.l10n.t; without it they stay English.

/** A message with {0}, {1}… placeholders, and its arguments. */
export type Translate = (message: string, ...args: Array<string | number>) => string;

/** A sentence of the core (a summary, a gate's reason) in the display language: extension/common/spoken.ts. */
export type Retell = (text: string) => string;

export const english: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));
