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

// Texts are functions: translated when shown (vscode.l10n), not when the module loads.
const FIRMWARE_STATUS: Record<string, { text: () => string; icon: string; color?: string }> = {
  NO_VERIFICATION_NEEDED: { text: () => vscode.l10n.t('no verification needed'), icon: 'package' },
  UNVERIFIED: { text: () => vscode.l10n.t('unverified'), icon: 'circle-large-outline' },
  VERIFIED: { text: () => vscode.l10n.t('verified'), icon: 'verified-filled', color: 'testing.iconPassed' },
  VERIFYING: { text: () => vscode.l10n.t('verifying'), icon: 'loading~spin' },
  VERIFICATION_FAILED: { text: () => vscode.l10n.t('verification failed'), icon: 'error', color: 'testing.iconFailed' },
};

export function firmwareStatusText(status: string): string {
  return FIRMWARE_STATUS[status]?.text() ?? vscode.l10n.t('status {0}', status);
}

/** "full", "delta" or "delta from 1.2.0". */
export function firmwareTypeText(f: Pick<Firmware, 'type' | 'srcVersion'>): string {
  if (f.type === 'delta') return f.srcVersion ? vscode.l10n.t('delta from {0}', f.srcVersion) : vscode.l10n.t('delta');
  return f.type === 'full' ? vscode.l10n.t('full') : f.type;
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

const TASK_STATUS: Record<string, { icon: string; color?: string; text: () => string }> = {
  CONFIRM: { icon: 'question', text: () => vscode.l10n.t('waiting for confirmation'), color: 'charts.yellow' },
  QUEUED: { icon: 'clock', text: () => vscode.l10n.t('queued') },
  NOTIFIED: { icon: 'bell', text: () => vscode.l10n.t('notified'), color: 'charts.blue' },
  IN_PROGRESS: { icon: 'sync~spin', text: () => vscode.l10n.t('in progress'), color: 'charts.blue' },
  SUCCEEDED: { icon: 'pass-filled', text: () => vscode.l10n.t('succeeded'), color: 'testing.iconPassed' },
  FAILED: { icon: 'error', text: () => vscode.l10n.t('failed'), color: 'testing.iconFailed' },
  CANCELED: { icon: 'circle-slash', text: () => vscode.l10n.t('canceled'), color: 'disabledForeground' },
};

export function taskIcon(status: string): vscode.ThemeIcon {
  const s = TASK_STATUS[status] ?? { icon: 'question' };
  return new vscode.ThemeIcon(s.icon, s.color ? new vscode.ThemeColor(s.color) : undefined);
}

export function taskStatusText(status: string): string {
  return TASK_STATUS[status]?.text() ?? status.toLowerCase();
}

const JOB_STATUS_TEXT: Record<string, () => string> = {
  PLANNED: () => vscode.l10n.t('planned'),
  IN_PROGRESS: () => vscode.l10n.t('in progress'),
  COMPLETED: () => vscode.l10n.t('completed'),
  CANCELED: () => vscode.l10n.t('canceled'),
};

export function jobStatusText(status: string): string {
  return JOB_STATUS_TEXT[status]?.() ?? status.toLowerCase().replace(/_/g, ' ');
}

const SELECTION_TEXT: Record<string, () => string> = {
  STATIC: () => vscode.l10n.t('static'),
  DYNAMIC: () => vscode.l10n.t('dynamic'),
  ALL: () => vscode.l10n.t('all'),
  SPECIFIC: () => vscode.l10n.t('specific'),
  GRAY: () => vscode.l10n.t('gray'),
  GROUP: () => vscode.l10n.t('group'),
};

const selectionWord = (value: string): string => SELECTION_TEXT[value]?.() ?? value.toLowerCase();

export function selectionText(job: Job): string {
  const parts: string[] = [];
  if (job.selection) parts.push(selectionWord(job.selection));
  if (job.targetSelection) {
    let t = selectionWord(job.targetSelection);
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
    [vscode.l10n.t('ID'), f.id],
    [vscode.l10n.t('Name'), f.name],
    [vscode.l10n.t('Version'), f.version],
    [vscode.l10n.t('Source version'), f.srcVersion],
    [vscode.l10n.t('Type'), f.type],
    [vscode.l10n.t('Status'), firmwareStatusText(f.status)],
    [vscode.l10n.t('Verify progress'), f.verifyProgress === undefined || f.verifyProgress === null ? undefined : `${f.verifyProgress} %`],
    [vscode.l10n.t('Size'), f.size === null ? null : vscode.l10n.t('{0} ({1} bytes)', formatSize(f.size), f.size)],
    [vscode.l10n.t('Sign method'), f.signMethod],
    [vscode.l10n.t('Sign'), f.sign],
    [vscode.l10n.t('Product'), f.productName ? `${f.productName} (${f.productKey ?? ''})` : f.productKey],
    [vscode.l10n.t('Module'), f.moduleName],
    [vscode.l10n.t('Description'), f.description],
    [vscode.l10n.t('Created'), formatTime(f.createdAt)],
    [vscode.l10n.t('Modified'), formatTime(f.modifiedAt)],
  ];
}

export function jobFields(j: Job): [string, unknown][] {
  return [
    [vscode.l10n.t('Job ID'), j.id],
    [vscode.l10n.t('Firmware ID'), j.firmwareId],
    [vscode.l10n.t('Status'), j.status],
    [vscode.l10n.t('Type'), j.type],
    [vscode.l10n.t('Selection'), j.selection],
    [vscode.l10n.t('Target'), j.targetSelection],
    [vscode.l10n.t('Gray percent'), j.grayPercent],
    [vscode.l10n.t('Group'), j.groupId],
    [vscode.l10n.t('Destination version'), j.destVersion],
    [vscode.l10n.t('Source versions'), j.srcVersions],
    [vscode.l10n.t('Retry interval (min)'), j.retryInterval],
    [vscode.l10n.t('Retry count'), j.retryCount],
    [vscode.l10n.t('Timeout (min)'), j.timeoutInMinutes],
    [vscode.l10n.t('Push rate (per min)'), j.maximumPerMinute],
    [vscode.l10n.t('Needs confirmation'), j.needConfirm],
    [vscode.l10n.t('Created'), formatTime(j.createdAt)],
    [vscode.l10n.t('Started'), formatTime(j.startedAt)],
    [vscode.l10n.t('Ended'), formatTime(j.endedAt)],
  ];
}

export function taskFields(t: Task): [string, unknown][] {
  return [
    [vscode.l10n.t('Device'), t.deviceName],
    [vscode.l10n.t('Task ID'), t.id],
    [vscode.l10n.t('Status'), t.status],
    [vscode.l10n.t('Progress'), `${t.progress} %`],
    [vscode.l10n.t('Reason'), t.description],
    [vscode.l10n.t('From version'), t.srcVersion],
    [vscode.l10n.t('To version'), t.destVersion],
    [vscode.l10n.t('Product'), t.productKey],
    [vscode.l10n.t('IotId'), t.iotId],
    [vscode.l10n.t('Modified'), formatTime(t.modifiedAt)],
  ];
}

export function deviceOtaFields(d: DeviceOta): [string, unknown][] {
  return [
    [vscode.l10n.t('Device'), d.device],
    [vscode.l10n.t('Group'), d.group],
    [vscode.l10n.t('Version'), d.version],
    [vscode.l10n.t('Last updated'), formatTime(d.lastUpdated)],
    [vscode.l10n.t('Path'), d.path],
    [vscode.l10n.t('OTA ID'), d.id],
  ];
}
