// The core's sentences in the display language. The core says them in English through say`…`
// (core/sentences.ts); here each text is retold from its template and values through vscode.l10n.t, so a
// Chinese VS Code shows them in Chinese. Text the core did not say (a device's own words, a service's message)
// stays as it came.
import * as vscode from 'vscode';
import { errorMessage, isOtaError } from '../../core/errors';
import { recogniser, retell, type Recognise } from '../../core/sentences';

const translate = (template: string, ...values: string[]): string => vscode.l10n.t(template, ...values);

let recognise: Recognise | undefined;

/**
 * A sentence of the core, in the display language when it has a translation. Text this process said is retold from
 * how it was made; text from elsewhere (a rollout's reason read from its file) is recognised by the templates of the
 * translation. In English (no bundle) the text is already right.
 */
export function spoken(text: string): string {
  const bundle = vscode.l10n.bundle;
  if (!bundle) return text;
  recognise ??= recogniser(Object.keys(bundle));
  return retell(text, translate, recognise);
}

/** Labelled facts (a device's identity, live statistics), label and value each retold. */
export function spokenFacts<F extends { label: string; value: string }>(facts: readonly F[]): F[] {
  return facts.map((f) => ({ ...f, label: spoken(f.label), value: spoken(f.value) }));
}

/**
 * A thrown error for a person, as errorMessage() says it (message, hint, the service's code and request id for
 * support) with the core's words retold.
 */
export function spokenError(e: unknown): string {
  if (!isOtaError(e)) return spoken(errorMessage(e));
  const message = spoken(e.message);
  let text = message;
  if (e.hint) text += `${/[.!?)。！？）]$/.test(message) ? '' : '.'} ${spoken(e.hint)}`;
  const extra = [
    ...(e.code ? [vscode.l10n.t('code {0}', e.code)] : []),
    ...(e.requestId ? [vscode.l10n.t('request {0}', e.requestId)] : []),
  ];
  if (extra.length) text += ` (${extra.join(', ')})`;
  return text;
}
