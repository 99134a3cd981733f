// IoTaaP: each device with the version and date of its last OTA (IoTaaP keeps only the last), and group OTAs.
import * as vscode from 'vscode';
import type { DeviceOta } from '../../../core/model';
import type { IotaapClient } from '../../../core/cloud/iotaap';
import { deviceOtaFields, fieldsTooltip, formatTime } from '../format';
import { ErrorNode } from './errorNode';
import { CloudNode, MessageNode } from './node';

export class DeviceOtaNode extends CloudNode {
  readonly id: string;
  constructor(
    parent: CloudNode,
    readonly ota: DeviceOta,
    readonly accountId: string,
  ) {
    super(parent);
    this.id = `${parent.id}/${ota.group ? 'group' : 'device'}:${ota.group ?? ota.device}`;
  }

  toTreeItem(): vscode.TreeItem {
    const d = this.ota;
    const item = new vscode.TreeItem(d.group ?? d.device, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${d.version ?? 'no version'} · ${formatTime(d.lastUpdated)}`;
    item.iconPath = new vscode.ThemeIcon(d.group ? 'organization' : 'device-desktop');
    item.tooltip = fieldsTooltip(d.group ?? d.device, deviceOtaFields(d));
    item.contextValue = d.group ? 'iotaapGroup' : 'iotaapDevice';
    return item;
  }
}

/** "Devices" or "Groups" under an IoTaaP account. */
export class IotaapListNode extends CloudNode {
  readonly id: string;
  constructor(
    parent: CloudNode,
    private readonly client: IotaapClient,
    readonly accountId: string,
    readonly what: 'devices' | 'groups',
    private readonly label?: string,
  ) {
    super(parent);
    this.id = `${parent.id}/iotaap-${what}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label ?? (this.what === 'devices' ? 'Devices' : 'Groups'), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.what === 'devices' ? 'device-desktop' : 'organization');
    item.contextValue = `iotaap.${this.what}`;
    return item;
  }

  override async getChildren(): Promise<CloudNode[]> {
    try {
      const list = this.what === 'devices' ? await this.client.listAllDeviceOtas() : await this.client.listAllGroupOtas();
      if (!list.length) return [new MessageNode(this, `${this.id}/empty`, this.what === 'devices' ? 'No device OTAs yet' : 'No group OTAs yet')];
      return list.map((d) => new DeviceOtaNode(this, d, this.accountId));
    } catch (e) {
      return [new ErrorNode(this, e, this.accountId, this)];
    }
  }
}
