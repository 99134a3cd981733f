// IoTaaP: each device with the version and date of its last OTA (IoTaaP keeps only the last), and group OTAs.
import * as vscode from 'vscode';
import type { DeviceOta } from '../../../core/model';
import type { ModelChange } from '../model/accountModel';
import { deviceOtaFields, fieldsTooltip, formatTime } from '../format';
import { CloudNode } from './node';

export class DeviceOtaNode extends CloudNode {
  readonly id: string;
  constructor(
    parent: CloudNode,
    readonly ota: DeviceOta,
  ) {
    super(parent);
    this.id = `${parent.id}/${ota.group ? 'group' : 'device'}:${ota.group ?? ota.device}`;
  }

  toTreeItem(): vscode.TreeItem {
    const d = this.ota;
    const item = new vscode.TreeItem(d.group ?? d.device, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${d.version ?? vscode.l10n.t('no version')} · ${formatTime(d.lastUpdated)}`;
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
    readonly what: 'devices' | 'groups',
    private readonly label?: string,
  ) {
    super(parent);
    this.id = `${parent.id}/iotaap-${what}`;
  }

  override get scope(): ModelChange {
    return { kind: 'deviceOtas', what: this.what };
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label ?? (this.what === 'devices' ? vscode.l10n.t('Devices') : vscode.l10n.t('Groups')), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.what === 'devices' ? 'device-desktop' : 'organization');
    item.contextValue = `iotaap.${this.what}`;
    return item;
  }
}
