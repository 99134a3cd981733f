// One node for a failing account or listing: what went wrong, with actions to fix the account or retry, instead
// of a storm of pop-ups.
import * as vscode from 'vscode';
import { isOtaError } from '../../../core/errors';
import { redact } from '../../common/log';
import { CloudNode } from './node';
import { spoken, spokenError } from '../../common/spoken';

export class ErrorNode extends CloudNode {
  readonly id: string;
  readonly message: string;
  readonly credentials: boolean;

  constructor(
    parent: CloudNode,
    error: unknown,
    /** What retry reloads. */
    readonly retryTarget: CloudNode,
  ) {
    super(parent);
    this.id = `${parent.id}/error`;
    // Through the log's redaction as well: the tree never shows a secret an error text may have picked up.
    this.message = redact(typeof error === 'string' ? spoken(error) : spokenError(error));
    this.credentials = isOtaError(error) ? error.kind === 'credentials' : typeof error === 'string';
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.tooltip = `${this.message}\n\n${vscode.l10n.t('Click to retry.')}`;
    item.contextValue = this.credentials && this.accountId !== 'sandbox' ? 'error.credentials' : 'error';
    item.command = { command: 'ota.cloud.retry', title: vscode.l10n.t('Retry'), arguments: [this] };
    return item;
  }
}
