// Input checks for the account forms, with messages that say what is accepted.
import * as vscode from 'vscode';

export function validateEndpoint(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return vscode.l10n.t('Enter a full URL such as https://iot.cn-shanghai.aliyuncs.com/ (or leave empty)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return vscode.l10n.t('The endpoint must be an http:// or https:// URL');
  if (url.username || url.password) return vscode.l10n.t('Do not put credentials in the endpoint URL');
  return undefined;
}

