// What is below each node of the Cloud tree, read from the account's model. A failure becomes one error node with
// a retry, never a pop-up.
import * as vscode from 'vscode';
import { TASK_STATUSES } from '../../core/model';
import type { AccountModel } from './model/accountModel';
import { AccountNode } from './nodes/accountNode';
import { ErrorNode } from './nodes/errorNode';
import { FirmwareNode } from './nodes/firmwareNode';
import { DeviceOtaNode, IotaapListNode } from './nodes/iotaapNodes';
import { JobNode } from './nodes/jobNode';
import { type CloudNode, MessageNode } from './nodes/node';
import { groupByProduct, ProductNode } from './nodes/productNode';
import { LoadMoreNode, TaskGroupNode, TaskNode } from './nodes/taskNodes';

export async function childrenOf(node: CloudNode, model: AccountModel): Promise<CloudNode[]> {
  try {
    if (node instanceof AccountNode) return await accountChildren(node, model);
    if (node instanceof ProductNode) {
      const sorted = [...node.firmware].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
      return sorted.map((f) => new FirmwareNode(node, f));
    }
    if (node instanceof FirmwareNode) {
      const jobs = await model.jobsOf(node.firmware.id);
      if (!jobs.length) return [new MessageNode(node, `${node.id}/nojobs`, vscode.l10n.t('No jobs yet'), 'info')];
      return jobs.map((j) => new JobNode(node, model.job(j.id) ?? j));
    }
    if (node instanceof JobNode) {
      const counts = await model.taskCounts(node.job.id);
      const statuses = [...TASK_STATUSES, ...Object.keys(counts).filter((s) => !TASK_STATUSES.includes(s))];
      const groups = statuses.filter((s) => (counts[s] ?? 0) > 0).map((s) => new TaskGroupNode(node, node.job.id, s, counts[s] ?? 0));
      return groups.length ? groups : [new MessageNode(node, `${node.id}/empty`, vscode.l10n.t('No device tasks yet'))];
    }
    if (node instanceof TaskGroupNode) {
      const { tasks, total } = await model.tasks(node.jobId, node.status);
      const nodes: CloudNode[] = tasks.map((t) => new TaskNode(node, t));
      if (total > tasks.length) nodes.push(new LoadMoreNode(node, total - tasks.length));
      return nodes;
    }
    if (node instanceof IotaapListNode) {
      const list = await model.deviceOtas(node.what);
      if (!list.length) return [new MessageNode(node, `${node.id}/empty`, node.what === 'devices' ? vscode.l10n.t('No device OTAs yet') : vscode.l10n.t('No group OTAs yet'))];
      return list.map((d) => new DeviceOtaNode(node, d));
    }
    return [];
  } catch (e) {
    return [new ErrorNode(node, e, node)];
  }
}

async function accountChildren(node: AccountNode, model: AccountModel): Promise<CloudNode[]> {
  const session = await model.session();
  if (session.problem) return [new ErrorNode(node, session.problem, node)];
  const children: CloudNode[] = [];
  if (session.ota) {
    const firmware = await model.firmware();
    for (const p of groupByProduct(firmware)) children.push(new ProductNode(node, p.productKey, p.productName, p.firmware));
    if (!firmware.length) children.push(new MessageNode(node, `${node.id}/nofw`, vscode.l10n.t('No firmware uploaded yet')));
  }
  if (session.iotaap) {
    if (session.kind === 'sandbox') children.push(new IotaapListNode(node, 'devices', vscode.l10n.t('IoTaaP devices')));
    else children.push(new IotaapListNode(node, 'devices'), new IotaapListNode(node, 'groups'));
  }
  return children;
}
