// A firmware package: name and version; type, status and size; every field in the tooltip; its jobs below.
import * as vscode from 'vscode';
import type { Firmware } from '../../../core/model';
import type { ModelChange } from '../model/accountModel';
import { fieldsTooltip, firmwareFields, firmwareIcon, firmwareStatusText, formatSize, firmwareTypeText } from '../format';
import { CloudNode } from './node';

export class FirmwareNode extends CloudNode {
  readonly id: string;
  constructor(
    parent: CloudNode,
    readonly firmware: Firmware,
  ) {
    super(parent);
    this.id = `${parent.id}/fw:${firmware.id}`;
  }

  override get scope(): ModelChange {
    return { kind: 'jobs', firmwareId: this.firmware.id };
  }

  toTreeItem(): vscode.TreeItem {
    const f = this.firmware;
    const item = new vscode.TreeItem(`${f.name} ${f.version}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const type = firmwareTypeText(f);
    item.description = [type, firmwareStatusText(f.status), formatSize(f.size)].join(' · ');
    item.iconPath = firmwareIcon(f.status);
    item.tooltip = fieldsTooltip(`${f.name} ${f.version}`, firmwareFields(f));
    item.contextValue = 'firmware';
    return item;
  }
}
