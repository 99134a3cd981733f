// An account: Alibaba Cloud (products -> firmware -> jobs -> tasks), IoTaaP (devices, groups) or the local
// sandbox, which emulates both.
import * as vscode from 'vscode';
import type { AccountSession } from '../model/accountSession';
import { ErrorNode } from './errorNode';
import { IotaapListNode } from './iotaapNodes';
import { CloudNode, MessageNode, type TreeContext } from './node';
import { groupByProduct, ProductNode } from './productNode';

export class AccountNode extends CloudNode {
  readonly id: string;

  constructor(
    private readonly ctx: TreeContext,
    readonly accountId: string,
    readonly label: string,
    readonly kind: AccountSession['kind'],
    readonly detail: string,
    private readonly session: () => Promise<AccountSession>,
  ) {
    super(undefined);
    this.id = `account:${accountId}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.label,
      this.kind === 'sandbox' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = this.id;
    item.description = this.detail;
    item.iconPath = new vscode.ThemeIcon(this.kind === 'sandbox' ? 'beaker' : 'cloud');
    item.contextValue = this.kind === 'sandbox' ? 'account.sandbox' : `account.${this.kind}`;
    item.tooltip = `${this.label} (${this.detail})`;
    return item;
  }

  override async getChildren(): Promise<CloudNode[]> {
    let session: AccountSession;
    try {
      session = await this.session();
    } catch (e) {
      return [new ErrorNode(this, e, this.accountId, this)];
    }
    if (session.problem) return [new ErrorNode(this, session.problem, this.accountId, this)];
    const children: CloudNode[] = [];
    if (session.ota) {
      try {
        const firmware = await session.ota.listFirmware();
        for (const p of groupByProduct(firmware)) {
          children.push(new ProductNode(this, this.ctx, session.ota, this.accountId, p.productKey, p.productName, p.firmware));
        }
        if (!firmware.length) children.push(new MessageNode(this, `${this.id}/nofw`, 'No firmware uploaded yet'));
      } catch (e) {
        return [new ErrorNode(this, e, this.accountId, this)];
      }
    }
    if (session.iotaap) {
      if (session.kind === 'sandbox') {
        children.push(new IotaapListNode(this, session.iotaap, this.accountId, 'devices', 'IoTaaP devices'));
      } else {
        children.push(
          new IotaapListNode(this, session.iotaap, this.accountId, 'devices'),
          new IotaapListNode(this, session.iotaap, this.accountId, 'groups'),
        );
      }
    }
    return children;
  }
}
