// Staged rollouts in the editor: start one from the palette (a firmware, a wave preset and a failure limit, or a
// plan file), open the dashboard of a rollout of the workspace (`.ota/rollouts/*.json`, the same files the CLI
// follows) or of a plain job. One panel per rollout or job; opening it again reveals it.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { AliyunOtaClient } from '../../core/cloud/aliyun';
import type { Firmware } from '../../core/model';
import { AliyunRolloutCloud } from '../../core/rollout/aliyunCloud';
import { createRollout, type RolloutContext } from '../../core/rollout/engine';
import { NAME_PATTERN } from '../../core/rollout/plan';
import { listRollouts, readRolloutFile, rolloutPath } from '../../core/rollout/planFile';
import { FirmwareNode } from '../cloud/nodes/firmwareNode';
import { JobNode } from '../cloud/nodes/jobNode';
import type { CloudView } from '../cloud/registerCloudView';
import { chooseAliyunAccount, guardCommand } from '../deploy/commandSupport';
import { need } from '../deploy/deployPrompts';
import type { Log } from '../common/log';
import { SANDBOX_ACCOUNT_ID } from '../accounts/accountTypes';
import type { SandboxHost } from '../sandbox/sandboxHost';
import { DashboardPanel } from './dashboardPanel';
import { JobSource } from './jobSource';
import { RolloutSource } from './rolloutSource';

export interface Rollouts {
  /** Opens (or reveals) the dashboard of the rollout file. */
  openRollout(path: string): Promise<DashboardPanel>;
  readonly panels: ReadonlyMap<string, DashboardPanel>;
}

const PRESETS = [
  { label: 'Canary 5 → 10 % → 50 % → 100 %', waves: [{ count: 5 }, { percent: 10 }, { percent: 50 }, { percent: 100 }] },
  { label: 'Canary 2 → 1 % → 10 % → 50 % → 100 %', waves: [{ count: 2 }, { percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }] },
  { label: 'Canary 20 → 100 %', waves: [{ count: 20 }, { percent: 100 }] },
];

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('Open a folder first: rollouts are kept in its .ota/rollouts folder.');
  return folder.uri.fsPath;
}

function intervalMs(): number {
  return Math.max(1, vscode.workspace.getConfiguration('ota.cloud').get<number>('refreshIntervalSeconds', 5)) * 1000;
}

function deployable(f: Firmware): boolean {
  return f.status === 'VERIFIED' || f.status === 'NO_VERIFICATION_NEEDED';
}

async function askNewPlan(client: AliyunOtaClient, accountId: string, firmwareArg?: Firmware): Promise<Record<string, unknown>> {
  let firmware = firmwareArg;
  if (!firmware) {
    const all = (await client.listFirmware()).filter(deployable);
    if (!all.length) throw new Error('No verified firmware in this account: upload and verify one first.');
    all.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
    const picked = need(
      await vscode.window.showQuickPick(
        all.map((f) => ({ label: `${f.name} ${f.version}`, description: `${f.productName ?? f.productKey ?? ''} · ${f.id}`, detail: f.description ?? undefined, f })),
        { title: 'Roll out which firmware?', matchOnDescription: true },
      ),
    );
    firmware = picked.f;
  }
  if (!firmware.productKey) throw new Error(`Firmware ${firmware.id} names no product: a rollout needs the product its devices belong to.`);
  const preset = need(await vscode.window.showQuickPick(PRESETS, { title: 'Waves (each percentage is of the whole fleet, counted from the start)' }));
  const failure = need(
    await vscode.window.showInputBox({
      title: 'Failure gate',
      prompt: 'Stop a wave (and cancel its queued devices) when more than this % of its finished devices failed',
      value: '5',
      validateInput: (v) => (/^\d+(\.\d+)?$/.test(v.trim()) && Number(v) <= 100 ? undefined : 'Enter a percentage from 0 to 100'),
    }),
  );
  const auto = need(
    await vscode.window.showQuickPick(
      [
        { label: 'Continue on their own', description: 'the next wave starts once a gate passes', auto: true },
        { label: 'Wait for me after each wave', description: 'resume the rollout to start the next wave', auto: false },
      ],
      { title: 'After a wave passes its gate' },
    ),
  );
  const suggested = `${(firmware.productName ?? firmware.productKey).replace(/[^A-Za-z0-9._-]+/g, '-')}-${firmware.version}`.replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  const name = need(
    await vscode.window.showInputBox({
      title: 'Rollout name',
      prompt: 'Also the file name: .ota/rollouts/<name>.json',
      value: suggested,
      validateInput: (v) => (NAME_PATTERN.test(v.trim()) ? undefined : 'Use letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit'),
    }),
  ).trim();
  return {
    name,
    account: accountId,
    firmwareId: firmware.id,
    productKey: firmware.productKey,
    population: {},
    waves: preset.waves,
    gates: { maxFailurePercent: Number(failure), minFinishedPercent: 90, soakMinutes: 0, auto: auto.auto },
    job: { timeoutInMinutes: 10 },
  };
}

export function registerRollouts(context: vscode.ExtensionContext, log: Log, cloud: CloudView, sandbox: SandboxHost): Rollouts {
  const panels = new Map<string, DashboardPanel>();
  const guarded = guardCommand(log);

  const clientForFile = async (raw: Record<string, unknown>): Promise<AliyunOtaClient> => {
    const accountId = typeof raw.account === 'string' ? raw.account : undefined;
    return (await chooseAliyunAccount(cloud, accountId)).client;
  };

  const show = (key: string, make: () => DashboardPanel): DashboardPanel => {
    const open = panels.get(key);
    if (open) {
      open.reveal();
      return open;
    }
    const panel = make();
    panels.set(key, panel);
    panel.onDidDispose(() => panels.delete(key));
    return panel;
  };

  const openRollout = async (path: string): Promise<DashboardPanel> => {
    const file = await readRolloutFile(path);
    const key = `rollout:${path}`;
    if (panels.has(key)) return show(key, () => panels.get(key) as DashboardPanel);
    const client = await clientForFile(file.raw);
    const ctx: RolloutContext = { cloud: new AliyunRolloutCloud(client.rpc), path, baseDir: dirname(dirname(dirname(path))) };
    const source = new RolloutSource(file.plan.name, ctx, log, intervalMs);
    await source.start();
    return show(key, () => new DashboardPanel(context.extensionUri, source));
  };

  const pickRollout = async (): Promise<string> => {
    const root = workspaceRoot();
    type Item = vscode.QuickPickItem & { path: string };
    const items: Item[] = (await listRollouts(root)).map((n) => ({ label: n, description: '.ota/rollouts', path: rolloutPath(root, n) }));
    // The sandbox's demo rollouts, while the sandbox is shown.
    if ((await cloud.provider.accounts()).some((a) => a.accountId === SANDBOX_ACCOUNT_ID)) {
      const dataDir = (await sandbox.get()).dataDir;
      for (const n of await listRollouts(dataDir)) items.push({ label: n, description: 'sandbox demo', path: rolloutPath(dataDir, n) });
    }
    if (!items.length) throw new Error('This workspace has no rollout yet: start one with "OTA: Start Staged Rollout".');
    return need(await vscode.window.showQuickPick(items, { title: 'Open the dashboard of which rollout?' })).path;
  };

  context.subscriptions.push(
    { dispose: () => [...panels.values()].forEach((p) => p.dispose()) },
    vscode.commands.registerCommand(
      'ota.rollout.start',
      guarded(async (arg?: string | FirmwareNode) => {
        const root = workspaceRoot();
        let planJson: Record<string, unknown>;
        let client: AliyunOtaClient;
        const planPath = typeof arg === 'string' ? arg : undefined;
        if (arg instanceof FirmwareNode) {
          const account = await chooseAliyunAccount(cloud, arg.accountId);
          client = account.client;
          planJson = await askNewPlan(client, account.id, arg.firmware);
        } else if (planPath !== undefined) {
          planJson = JSON.parse(await readFile(planPath, 'utf8')) as Record<string, unknown>;
          client = await clientForFile(planJson);
        } else {
          const account = await chooseAliyunAccount(cloud);
          client = account.client;
          const from = need(
            await vscode.window.showQuickPick(
              [
                { label: '$(rocket) New rollout of a firmware…', id: 'new' },
                { label: '$(json) From a plan file…', id: 'file' },
              ],
              { title: 'Start a staged rollout' },
            ),
          );
          if (from.id === 'file') {
            const uri = need(
              (await vscode.window.showOpenDialog({ title: 'Rollout plan', filters: { 'Rollout plan': ['json'] }, defaultUri: vscode.Uri.file(root) }))?.[0],
            );
            planJson = JSON.parse(await readFile(uri.fsPath, 'utf8')) as Record<string, unknown>;
            planJson.account ??= account.id;
          } else planJson = await askNewPlan(client, account.id);
        }
        const name = typeof planJson.name === 'string' ? planJson.name : '';
        const path = rolloutPath(root, name);
        const ctx: RolloutContext = { cloud: new AliyunRolloutCloud(client.rpc), path, baseDir: root };
        const report = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Starting rollout ${name}…` },
          () => createRollout(ctx, planJson),
        );
        for (const d of report.did) log.info(`Rollout ${name}: ${d}`);
        log.info(report.summary);
        return openRollout(path);
      }),
    ),
    vscode.commands.registerCommand(
      'ota.rollout.open',
      guarded(async (path?: string) => openRollout(typeof path === 'string' ? path : await pickRollout())),
    ),
    vscode.commands.registerCommand(
      'ota.job.openDashboard',
      guarded(async (node?: JobNode) => {
        if (!(node instanceof JobNode)) throw new Error('Choose a job in the OTA Cloud view first.');
        const { client } = await chooseAliyunAccount(cloud, node.accountId);
        const key = `job:${node.accountId}:${node.job.id}`;
        if (panels.has(key)) return show(key, () => panels.get(key) as DashboardPanel);
        const source = new JobSource(client, node.job.id, log, intervalMs);
        await source.refresh();
        return show(key, () => new DashboardPanel(context.extensionUri, source));
      }),
    ),
  );
  return { openRollout, panels };
}
