// A product, as its firmware names it (the OTA API has no product listing).
import * as vscode from 'vscode';
import type { Firmware } from '../../../core/model';
import { escapeMarkdown } from '../../common/markdown';
import { CloudNode } from './node';

export class ProductNode extends CloudNode {
  readonly id: string;
  constructor(
    parent: CloudNode,
    readonly productKey: string,
    readonly productName: string | null,
    readonly firmware: Firmware[],
  ) {
    super(parent);
    this.id = `${parent.id}/product:${productKey}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.productName ?? this.productKey, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = `${this.productName ? `${this.productKey} · ` : ''}${vscode.l10n.t('{0} firmware', this.firmware.length)}`;
    item.iconPath = new vscode.ThemeIcon('circuit-board');
    item.contextValue = 'product';
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${escapeMarkdown(this.productName ?? this.productKey)}**\n\nProductKey: ${escapeMarkdown(this.productKey)}`);
    item.tooltip = md;
    return item;
  }
}

/** Groups firmware by product, products sorted by name. */
export function groupByProduct(firmware: Firmware[]): { productKey: string; productName: string | null; firmware: Firmware[] }[] {
  const map = new Map<string, { productKey: string; productName: string | null; firmware: Firmware[] }>();
  for (const f of firmware) {
    const key = f.productKey ?? vscode.l10n.t('(no product)');
    let entry = map.get(key);
    if (!entry) {
      entry = { productKey: key, productName: f.productName, firmware: [] };
      map.set(key, entry);
    }
    if (!entry.productName && f.productName) entry.productName = f.productName;
    entry.firmware.push(f);
  }
  return [...map.values()].sort((a, b) => (a.productName ?? a.productKey).localeCompare(b.productName ?? b.productKey));
}
