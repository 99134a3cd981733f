// How cloud records look in the tree: labels, icons per status, and markdown tooltips with every field.
import * as vscode from 'vscode';
import type { DeviceOta, Firmware, Job, Task } from '../../core/model';
import { formatBytes } from '../../shared/units';
import { escapeMarkdown } from '../common/markdown';

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

export function formatSize(bytes: number | null): string {
  return bytes === null ? '—' : formatBytes(bytes);
}

const FIRMWARE_STATUS: Record<string, { text: string; icon: string; color?: string }> = {
  NO_VERIFICATION_NEEDED: { text: 'no verification needed', icon: 'package' },
  UNVERIFIED: { text: 'unverified', icon: 'circle-large-outline' },
  VERIFIED: { text: 'verified', icon: 'verified-filled', color: 'testing.iconPassed' },
  VERIFYING: { text: 'verifying', icon: 'loading~spin' },
  VERIFICATION_FAILED: { text: 'verification failed', icon: 'error', color: 'testing.iconFailed' },
};

export function firmwareStatusText(status: string): string {
  return FIRMWARE_STATUS[status]?.text ?? `status ${status}`;
}

export function firmwareIcon(status: string): vscode.ThemeIcon {
  const s = FIRMWARE_STATUS[status];
  if (!s) return new vscode.ThemeIcon('question');
  return new vscode.ThemeIcon(s.icon, s.color ? new vscode.ThemeColor(s.color) : undefined);
}

const JOB_STATUS: Record<string, { icon: string; color?: string }> = {
  PLANNED: { icon: 'calendar' },
  IN_PROGRESS: { icon: 'sync~spin', color: 'charts.blue' },
  COMPLETED: { icon: 'pass', color: 'testing.iconPassed' },
  CANCELED: { icon: 'circle-slash', color: 'disabledForeground' },
};

export function jobIcon(status: string): vscode.ThemeIcon {
  const s = JOB_STATUS[status] ?? { icon: 'question' };
  return new vscode.ThemeIcon(s.icon, s.color ? new vscode.ThemeColor(s.color) : undefined);
}

const TASK_STATUS: Record<string, { icon: string; color?: string; text: string }> = {
  CONFIRM: { icon: 'question', text: 'waiting for confirmation', color: 'charts.yellow' },
  QUEUED: { icon: 'clock', text: 'queued' },
  NOTIFIED: { icon: 'bell', text: 'notified', color: 'charts.blue' },
  IN_PROGRESS: { icon: 'sync~spin', text: 'in progress', color: 'charts.blue' },
  SUCCEEDED: { icon: 'pass-filled', text: 'succeeded', color: 'testing.iconPassed' },
  FAILED: { icon: 'error', text: 'failed', color: 'testing.iconFailed' },
  CANCELED: { icon: 'circle-slash', text: 'canceled', color: 'disabledForeground' },
};

export function taskIcon(status: string): vscode.ThemeIcon {
  const s = TASK_STATUS[status] ?? { icon: 'question' };
  return new vscode.ThemeIcon(s.icon, s.color ? new vscode.ThemeColor(s.color) : undefined);
}

export function taskStatusText(status: string): string {
  return TASK_STATUS[status]?.text ?? status.toLowerCase();
}

export function selectionText(job: Job): string {
  const parts: string[] = [];
  if (job.selection) parts.push(job.selection.toLowerCase());
  if (job.targetSelection) {
    let t = job.targetSelection.toLowerCase();
    if (job.targetSelection === 'GRAY' && job.grayPercent) t += ` ${job.grayPercent} %`;
    if (job.targetSelection === 'GROUP' && job.groupId) t += ` ${job.groupId}`;
    parts.push(t);
  }
  return parts.join(', ');
}

/** A markdown table of every field, for tooltips. Values are escaped: they come from the cloud. */
export function fieldsTooltip(title: string, fields: [string, unknown][]): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown(`**${escapeMarkdown(title)}**\n\n| | |\n|---|---|\n`);
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    let text: string;
    if (value === null || value === '') text = '—';
    else if (Array.isArray(value)) text = value.length ? value.map(String).join(', ') : '—';
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') text = String(value);
    else text = JSON.stringify(value);
    md.appendMarkdown(`| ${escapeMarkdown(name)} | ${escapeMarkdown(text)} |\n`);
  }
  return md;
}

export function firmwareFields(f: Firmware): [string, unknown][] {
  return [
    ['ID', f.id],
    ['Name', f.name],
    ['Version', f.version],
    ['Source version', f.srcVersion],
    ['Type', f.type],
    ['Status', firmwareStatusText(f.status)],
    ['Verify progress', f.verifyProgress === undefined || f.verifyProgress === null ? undefined : `${f.verifyProgress} %`],
    ['Size', f.size === null ? null : `${formatSize(f.size)} (${f.size} bytes)`],
    ['Sign method', f.signMethod],
    ['Sign', f.sign],
    ['Product', f.productName ? `${f.productName} (${f.productKey ?? ''})` : f.productKey],
    ['Module', f.moduleName],
    ['Description', f.description],
    ['Created', formatTime(f.createdAt)],
    ['Modified', formatTime(f.modifiedAt)],
  ];
}

export function jobFields(j: Job): [string, unknown][] {
  return [
    ['Job ID', j.id],
    ['Firmware ID', j.firmwareId],
    ['Status', j.status],
    ['Type', j.type],
    ['Selection', j.selection],
    ['Target', j.targetSelection],
    ['Gray percent', j.grayPercent],
    ['Group', j.groupId],
    ['Destination version', j.destVersion],
    ['Source versions', j.srcVersions],
    ['Retry interval (min)', j.retryInterval],
    ['Retry count', j.retryCount],
    ['Timeout (min)', j.timeoutInMinutes],
    ['Push rate (per min)', j.maximumPerMinute],
    ['Needs confirmation', j.needConfirm],
    ['Created', formatTime(j.createdAt)],
    ['Started', formatTime(j.startedAt)],
    ['Ended', formatTime(j.endedAt)],
  ];
}

export function taskFields(t: Task): [string, unknown][] {
  return [
    ['Device', t.deviceName],
    ['Task ID', t.id],
    ['Status', t.status],
    ['Progress', `${t.progress} %`],
    ['Reason', t.description],
    ['From version', t.srcVersion],
    ['To version', t.destVersion],
    ['Product', t.productKey],
    ['IotId', t.iotId],
    ['Modified', formatTime(t.modifiedAt)],
  ];
}

export function deviceOtaFields(d: DeviceOta): [string, unknown][] {
  return [
    ['Device', d.device],
    ['Group', d.group],
    ['Version', d.version],
    ['Last updated', formatTime(d.lastUpdated)],
    ['Path', d.path],
    ['OTA ID', d.id],
  ];
}
