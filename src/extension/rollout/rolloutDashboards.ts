// Staged rollouts in the editor: start one (a firmware, a wave preset and a failure limit, or a plan file), open the
// dashboard of a rollout of the workspace (`.ota/rollouts/*.json`, the same files the CLI follows, and the sandbox's
// demo rollouts) or of a plain job. One panel per rollout or job; opening it again reveals it. The commands that
// call these live in ../commands/rollout.ts. A plan with "provider": "iotaap" runs on an IoTaaP account (or the
// sandbox), each device's token from SecretStorage (as "Deploy to an IoTaaP Device" keeps it), else from the plan's
// deviceTokensFile.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { AliyunOtaClient } from '../../core/cloud/aliyun';
import type { Firmware } from '../../core/model';
import { AliyunRolloutCloud } from '../../core/rollout/aliyunCloud';
import type { RolloutCloud } from '../../core/rollout/cloud';
import { firstTokens, planFileTokens, type DeviceTokens } from '../../core/rollout/deviceTokens';
import { IotaapRolloutCloud } from '../../core/rollout/iotaapCloud';
import { createRollout, type RolloutContext } from '../../core/rollout/engine';
import { NAME_PATTERN } from '../../core/rollout/plan';
import { listRollouts, readRolloutFile, rolloutPath, workspaceOfRolloutFile } from '../../core/rollout/planFile';
import type { CloudView } from '../cloud/registerCloudView';
import type { FirmwareTarget, JobTarget } from '../cloud/targets';
import { need } from '../common/errors';
import type { Log } from '../common/log';
import { chooseAliyunAccount, chooseIotaapAccount } from '../deploy/accountChoice';
import { deviceTokenKey } from '../deploy/iotaapDeploy';
import { SANDBOX_ACCOUNT_ID } from '../accounts/accountTypes';
import type { SandboxHost } from '../sandbox/sandboxHost';
import { DashboardPanel } from './dashboardPanel';
import { JobSource } from './jobSource';
import { RolloutSource } from './rolloutSource';

/** Where a workspace keeps its rollouts (a path, the same in every language). */
const ROLLOUTS_FOLDER = '.ota/rollouts';

async function readPlan(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(file, 'utf8');
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch {
    /* said below */
  }
  throw new Error(vscode.l10n.t('The rollout plan {0} is not a JSON object.', file));
}

const PRESETS = () => [
  { label: vscode.l10n.t('Canary {0}', '5 → 10 % → 50 % → 100 %'), waves: [{ count: 5 }, { percent: 10 }, { percent: 50 }, { percent: 100 }] },
  { label: vscode.l10n.t('Canary {0}', '2 → 1 % → 10 % → 50 % → 100 %'), waves: [{ count: 2 }, { percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }] },
  { label: vscode.l10n.t('Canary {0}', '20 → 100 %'), waves: [{ count: 20 }, { percent: 100 }] },
];

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error(vscode.l10n.t('Open a folder first: rollouts are kept in its .ota/rollouts folder.'));
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
    if (!all.length) throw new Error(vscode.l10n.t('No verified firmware in this account: upload and verify one first.'));
    all.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
    const picked = need(
      await vscode.window.showQuickPick(
        all.map((f) => ({ label: `${f.name} ${f.version}`, description: `${f.productName ?? f.productKey ?? ''} · ${f.id}`, detail: f.description ?? undefined, f })),
        { title: vscode.l10n.t('Roll out which firmware?'), matchOnDescription: true },
      ),
    );
    firmware = picked.f;
  }
  if (!firmware.productKey) throw new Error(vscode.l10n.t('Firmware {0} names no product: a rollout needs the product its devices belong to.', firmware.id));
  const preset = need(await vscode.window.showQuickPick(PRESETS(), { title: vscode.l10n.t('Waves (each percentage is of the whole fleet, counted from the start)') }));
  const failure = need(
    await vscode.window.showInputBox({
      title: vscode.l10n.t('Failure gate'),
      prompt: vscode.l10n.t('Stop a wave (and cancel its queued devices) when more than this % of its finished devices failed'),
      value: '5',
      validateInput: (v) => (/^\d+(\.\d+)?$/.test(v.trim()) && Number(v) <= 100 ? undefined : vscode.l10n.t('Enter a percentage from 0 to 100')),
    }),
  );
  const auto = need(
    await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('Continue on their own'), description: vscode.l10n.t('the next wave starts once a gate passes'), auto: true },
        { label: vscode.l10n.t('Wait for me after each wave'), description: vscode.l10n.t('resume the rollout to start the next wave'), auto: false },
      ],
      { title: vscode.l10n.t('After a wave passes its gate') },
    ),
  );
  const suggested = `${(firmware.productName ?? firmware.productKey).replace(/[^A-Za-z0-9._-]+/g, '-')}-${firmware.version}`.replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  const name = need(
    await vscode.window.showInputBox({
      title: vscode.l10n.t('Rollout name'),
      prompt: vscode.l10n.t('Also the file name: .ota/rollouts/<name>.json'),
      value: suggested,
      validateInput: (v) => (NAME_PATTERN.test(v.trim()) ? undefined : vscode.l10n.t('Use letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit')),
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

export class RolloutDashboards implements vscode.Disposable {
  readonly panels = new Map<string, DashboardPanel>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly cloud: CloudView,
    private readonly sandbox: SandboxHost,
  ) {}

  /** The cloud a plan runs on: its "provider", with its "account" (or the one the user picks). */
  private async cloudForPlan(raw: Record<string, unknown>): Promise<{ cloud: RolloutCloud; accountId: string }> {
    const given = typeof raw.account === 'string' ? raw.account : undefined;
    if (raw.provider === 'iotaap') {
      const account = await chooseIotaapAccount(this.cloud.models, given);
      return { cloud: new IotaapRolloutCloud({ client: account.client, tokens: firstTokens(this.secretTokens(account.id), planFileTokens) }), accountId: account.id };
    }
    const account = await chooseAliyunAccount(this.cloud.models, given);
    return { cloud: new AliyunRolloutCloud(account.client.rpc), accountId: account.id };
  }

  /** Device tokens kept in SecretStorage for an IoTaaP account (the deploy command stores each one it is given). */
  private secretTokens(accountId: string): DeviceTokens {
    const secrets = this.context.secrets;
    return {
      async lookup(devices) {
        const out = new Map<string, string>();
        for (const d of devices) {
          const token = (await secrets.get(deviceTokenKey(accountId, d))) ?? (await secrets.get(deviceTokenKey(accountId, d.toLowerCase())));
          if (token) out.set(d, token);
        }
        return out;
      },
      where: () => vscode.l10n.t('the device token in SecretStorage: deploy to the device once with "OTA: Deploy Firmware to an IoTaaP Device", which keeps it'),
    };
  }

  private show(key: string, make: () => DashboardPanel): DashboardPanel {
    const open = this.panels.get(key);
    if (open) {
      open.reveal();
      return open;
    }
    const panel = make();
    this.panels.set(key, panel);
    panel.onDidDispose(() => this.panels.delete(key));
    return panel;
  }

  /** Opens (or reveals) the dashboard of a rollout file. */
  async openRollout(path: string): Promise<DashboardPanel> {
    const key = `rollout:${path}`;
    const open = this.panels.get(key);
    if (open) return this.show(key, () => open);
    const file = await readRolloutFile(path);
    const { cloud } = await this.cloudForPlan({ ...file.raw, provider: file.plan.provider });
    const ctx: RolloutContext = { cloud, path, baseDir: workspaceOfRolloutFile(path) };
    const source = new RolloutSource(file.plan.name, ctx, this.log, intervalMs);
    await source.start();
    return this.show(key, () => new DashboardPanel(this.context.extensionUri, source));
  }

  /** Opens (or reveals) the dashboard of a plain job. */
  async openJob(target: JobTarget): Promise<DashboardPanel> {
    const key = `job:${target.accountId}:${target.job.id}`;
    const open = this.panels.get(key);
    if (open) return this.show(key, () => open);
    const { client } = await chooseAliyunAccount(this.cloud.models, target.accountId);
    const source = new JobSource(client, target.job.id, this.log, intervalMs);
    await source.refresh();
    return this.show(key, () => new DashboardPanel(this.context.extensionUri, source));
  }

  /** Asks which rollout: the workspace's, and the sandbox's demo rollouts while the sandbox is shown. */
  async pickRollout(): Promise<string> {
    const root = workspaceRoot();
    type Item = vscode.QuickPickItem & { path: string };
    const items: Item[] = (await listRollouts(root)).map((n) => ({ label: n, description: ROLLOUTS_FOLDER, path: rolloutPath(root, n) }));
    if (this.cloud.models.accounts().accounts.some((a) => a.id === SANDBOX_ACCOUNT_ID)) {
      const dataDir = (await this.sandbox.get()).dataDir;
      for (const n of await listRollouts(dataDir)) items.push({ label: n, description: vscode.l10n.t('sandbox demo'), path: rolloutPath(dataDir, n) });
    }
    if (!items.length) throw new Error(vscode.l10n.t('This workspace has no rollout yet: start one with "OTA: Start Staged Rollout".'));
    return need(await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Open the dashboard of which rollout?') })).path;
  }

  /** Starts a rollout of a plan file, of a firmware of the Cloud view, or of one the user picks; opens its dashboard. */
  async start(arg?: string | FirmwareTarget): Promise<DashboardPanel> {
    const root = workspaceRoot();
    type Started = { planJson: Record<string, unknown>; cloud: RolloutCloud; baseDir: string };
    const newPlan = async (accountId?: string, firmware?: Firmware): Promise<Started> => {
      const account = await chooseAliyunAccount(this.cloud.models, accountId);
      return { planJson: await askNewPlan(account.client, account.id, firmware), cloud: new AliyunRolloutCloud(account.client.rpc), baseDir: root };
    };
    // Relative paths of a plan file (devices, image, tokens) start at its folder, as for `ota rollout create`.
    const fromFile = async (file: string): Promise<Started> => {
      const planJson = await readPlan(file);
      const { cloud, accountId } = await this.cloudForPlan(planJson);
      // The dashboard opened later (or after a restart) finds the same account.
      planJson.account ??= accountId;
      return { planJson, cloud, baseDir: dirname(file) };
    };
    let started: Started;
    if (typeof arg === 'object') started = await newPlan(arg.accountId, arg.firmware);
    else if (typeof arg === 'string') started = await fromFile(arg);
    else {
      const from = need(
        await vscode.window.showQuickPick(
          [
            { label: `$(rocket) ${vscode.l10n.t('New rollout of a firmware…')}`, id: 'new' },
            { label: `$(json) ${vscode.l10n.t('From a plan file…')}`, id: 'file' },
          ],
          { title: vscode.l10n.t('Start a staged rollout') },
        ),
      );
      if (from.id === 'file') {
        const uri = need((await vscode.window.showOpenDialog({ title: vscode.l10n.t('Rollout plan'), filters: { [vscode.l10n.t('Rollout plan')]: ['json'] }, defaultUri: vscode.Uri.file(root) }))?.[0]);
        started = await fromFile(uri.fsPath);
      } else started = await newPlan();
    }
    const { planJson, cloud, baseDir } = started;
    const name = typeof planJson.name === 'string' ? planJson.name : '';
    const path = rolloutPath(root, name);
    const ctx: RolloutContext = { cloud, path, baseDir };
    const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting rollout {0}…', name) }, () =>
      createRollout(ctx, planJson),
    );
    for (const d of report.did) this.log.info(`Rollout ${name}: ${d}`);
    this.log.info(report.summary);
    return this.openRollout(path);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
  }
}
