// A firmware package: name and version; type, status and size; every field in the tooltip; its jobs below.
import * as vscode from 'vscode';
import type { Firmware } from '../../../core/model';
import type { OtaService } from '../../../core/cloud/provider';
import { fieldsTooltip, firmwareFields, firmwareIcon, firmwareStatusText, formatSize } from '../format';
import { ErrorNode } from './errorNode';
import { JobNode } from './jobNode';
import { CloudNode, MessageNode, type TreeContext } from './node';

export class FirmwareNode extends CloudNode {
  readonly id: string;
  constructor(
    parent: CloudNode,
    private readonly ctx: TreeContext,
    readonly ota: OtaService,
    readonly accountId: string,
    readonly firmware: Firmware,
  ) {
    super(parent);
    this.id = `${parent.id}/fw:${firmware.id}`;
  }

  toTreeItem(): vscode.TreeItem {
    const f = this.firmware;
    const item = new vscode.TreeItem(`${f.name} ${f.version}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const type = f.type === 'delta' && f.srcVersion ? `delta from ${f.srcVersion}` : f.type;
    item.description = [type, firmwareStatusText(f.status), formatSize(f.size)].join(' · ');
    item.iconPath = firmwareIcon(f.status);
    item.tooltip = fieldsTooltip(`${f.name} ${f.version}`, firmwareFields(f));
    item.contextValue = 'firmware';
    return item;
  }

  override async getChildren(): Promise<CloudNode[]> {
    try {
      const jobs = await this.ota.listJobsByFirmware(this.firmware.id);
      jobs.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
      if (!jobs.length) return [new MessageNode(this, `${this.id}/nojobs`, 'No jobs yet', 'info')];
      return jobs.map((j) => new JobNode(this, this.ctx, this.ota, this.accountId, j));
    } catch (e) {
      return [new ErrorNode(this, e, this.accountId, this)];
    }
  }
}
