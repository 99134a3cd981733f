// The words of the flash panel's browser side, in English. The host translates each (vscode.l10n) and hands them to
// the webview in the page (data-strings on <body>); the webview falls back to these when one is missing.
export const FLASH_PANEL_STRINGS = {
  waiting: 'Waiting for the device',
  negotiating: 'Negotiating',
  transferring: 'Transferring',
  verifying: 'Verifying',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  refused: 'Refused by the device',
  sentUnverified: 'Sent, not verified by the device',
  doneVerified: 'Done, verified by the device',
  /** {0} port, {1} protocol, {2} baud rate. */
  target: '{0} · {1} · {2} baud',
  /** {0} bytes done, {1} bytes in all. */
  bytesOf: '{0} of {1}',
} as const;

export type FlashPanelStrings = Record<keyof typeof FLASH_PANEL_STRINGS, string>;

/** Fills {0}, {1}... of a panel string. */
export function fill(text: string, ...values: (string | number)[]): string {
  return text.replace(/\{(\d+)\}/g, (m, i: string) => (values[Number(i)] !== undefined ? String(values[Number(i)]) : m));
}
