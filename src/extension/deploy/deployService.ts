// Build, upload and deploy from VS Code: buildUploadDeploy chains the steps in one progress notification (and stops
// after the upload when asked); deployFirmware creates a job for a firmware already in the cloud. Every failure says
// what exists now (DeployError); without PlatformIO it says so and offers to go on with an image file. A rollout
// is followed in the status bar until it ends, and the account's model hears of every write so the Cloud view
// shows it. The commands that call this are in ../commands/firmware.ts.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  deploy,
  describeRollout,
  type DeployPlan,
  type DeployResult,
  type JobPlan,
  type RolloutGuard,
  type VerifyPlan,
} from '../../core/deploy';
import { formatBytes } from '../../shared/units';
import type { FirmwareTarget } from '../cloud/targets';
import type { CloudModels } from '../cloud/model/cloudModels';
import { BuildFailed, Dismissed, need } from '../common/errors';
import { validateAliyunVersion } from '../../core/cloud/versionRules';
import { firmwareNameFromFile, resolveVersion, versionFromFileName } from '../../core/platformio';
import { chooseImageFile } from '../images/localImages';
import { offerWithoutPlatformio, platformioProblem } from '../platformio/platformioMissing';
import type { Log } from '../common/log';
import { buildFirmware } from '../platformio/buildFirmware';
import type { Platformio } from '../platformio/registerPlatformio';
import { chooseAliyunAccount } from './accountChoice';
import { askProduct, askTarget, askVerification, askVersion } from './deployPrompts';
import { RolloutStatus } from './rolloutStatus';
import { spoken, spokenError } from '../common/spoken';

/** Answers given up front (automation, tests); anything missing is asked. */
export interface DeployArgs {
  accountId?: string;
  projectDir?: string;
  env?: string;
  /** An image to upload instead of building. */
  file?: string;
  version?: string;
  productKey?: string;
  job?: JobPlan;
  /** null: upload without verification. */
  verify?: VerifyPlan | null;
  guard?: RolloutGuard;
}

/** The rollout guard of the settings: off while ota.deploy.abortFailurePercent is 0. */
function guardFromSettings(): RolloutGuard | undefined {
  const c = vscode.workspace.getConfiguration('ota.deploy');
  const percent = c.get<number>('abortFailurePercent', 0);
  if (!percent) return undefined;
  return { maxFailurePercent: percent, minFinished: Math.max(1, c.get<number>('abortAfterDevices', 10)) };
}

/** The version an image file is uploaded as: the setting, else one in the file's name; undefined: ask. */
function versionForFile(file: string): { version: string; detail: string } | undefined {
  const setting = vscode.workspace.getConfiguration('ota.firmware').get<string>('version')?.trim();
  if (setting) return { version: setting, detail: vscode.l10n.t('the setting ota.firmware.version') };
  const fromName = versionFromFileName(basename(file));
  return fromName ? { version: fromName, detail: vscode.l10n.t('the file name') } : undefined;
}

export class DeployService implements vscode.Disposable {
  private readonly status = new RolloutStatus();
  private readonly deployed = new vscode.EventEmitter<DeployResult>();
  /** Fires for every deploy that created an upgrade job (the walkthrough marks its step done). */
  readonly onDidDeploy = this.deployed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: Log,
    private readonly models: CloudModels,
    private readonly pio: Platformio,
  ) {}

  dispose(): void {
    this.status.dispose();
    this.deployed.dispose();
  }

  /** Asks what is missing, then builds, uploads and (withJob) deploys in one progress notification. */
  async buildUploadDeploy(args: DeployArgs, withJob: boolean): Promise<DeployResult | undefined> {
    try {
      return await this.runBuildUploadDeploy(args, withJob);
    } finally {
      this.status.hide();
    }
  }

  /** Creates a job for a firmware of the cloud and follows its rollout. */
  async deployFirmware(target: FirmwareTarget, args?: { job?: JobPlan; guard?: RolloutGuard }): Promise<DeployResult> {
    try {
      return await this.runDeployFirmware(target, args);
    } finally {
      this.status.hide();
    }
  }

  private async runBuildUploadDeploy(args: DeployArgs, withJob: boolean): Promise<DeployResult | undefined> {
    const { log, pio, state, status } = this;
    const account = await chooseAliyunAccount(this.models, args.accountId);
    const model = this.models.get(account.id);
    let file = args.file;
    let version = args.version;
    let target: Awaited<ReturnType<typeof pio.choice.choose>> | undefined;
    const problem = file ? undefined : await platformioProblem();
    if (problem) {
      // No PlatformIO: say so with the ways out, one of which is to go on with an image file that exists.
      log.warn(problem);
      const useImage = await offerWithoutPlatformio(problem, withJob ? vscode.l10n.t('Deploy a File…') : vscode.l10n.t('Upload a File…'));
      if (!useImage) throw new Dismissed();
      file = need(await chooseImageFile(withJob ? vscode.l10n.t('Deploy which image?') : vscode.l10n.t('Upload which image?')));
    }
    if (file && !version) {
      const found = versionForFile(file);
      version = await askVersion(found?.version, found?.detail);
    }
    if (!file) {
      target = need(await pio.choice.choose({ projectDir: args.projectDir, env: args.env }));
      if (!version) {
        const env = target.environments.environments.find((e) => e.name === target?.env);
        const resolved = await resolveVersion({
          setting: vscode.workspace.getConfiguration('ota.firmware').get<string>('version') || undefined,
          buildFlags: env?.buildFlags ?? [],
          projectDir: target.projectDir,
        });
        version = await askVersion(resolved?.version, resolved?.detail);
      }
    }
    if (!version) version = await askVersion(undefined, undefined);
    const versionProblem = validateAliyunVersion(version);
    if (versionProblem) throw new Error(vscode.l10n.t('Version "{0}": {1}', version, spoken(versionProblem)));
    const productKey = args.productKey ?? (await askProduct(await account.client.listFirmware(), state));
    const job = withJob ? (args.job ?? (await askTarget())) : undefined;
    const verify = args.verify !== undefined ? args.verify : await askVerification(state);

    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('OTA {0}', version), cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        if (target && !file) {
          progress.report({ message: vscode.l10n.t('building {0}…', target.env) });
          const built = await buildFirmware(pio.tasks, target).catch((e: unknown) => {
            throw new BuildFailed(`${spokenError(e)} ${vscode.l10n.t('Nothing was uploaded.')}`, { cause: e });
          });
          file = built.artifact.path;
          if (abort.signal.aborted) throw new Error(vscode.l10n.t('Cancelled after the build, so nothing was uploaded: the image is {0}.', file));
        }
        const plan: DeployPlan = {
          upload: {
            file: file as string,
            version,
            productKey,
            needToVerify: verify !== null,
            // Named after the project and environment it was built from ("blink-esp32dev"); an image file chosen
            // instead is named after the file ("blink-esp32dev-1.4.2.bin" → "blink-esp32dev").
            name: target ? `${basename(target.projectDir)}-${target.env}`.slice(0, 40) : firmwareNameFromFile(basename(file as string), version),
          },
          ...(verify ? { verify } : {}),
          ...(job ? { job, follow: true } : {}),
          ...(job && (args.guard ?? guardFromSettings()) ? { guard: args.guard ?? guardFromSettings() } : {}),
        };
        let lastPct = 0;
        const result = await deploy(account.client, plan, {
          signal: abort.signal,
          pollIntervalMs: 2000,
          onStep: (s) => {
            log.info(`deploy: ${s.message}`);
            progress.report({ message: spoken(s.message) });
            if (s.state === 'done' && (s.stage === 'create-firmware' || s.stage === 'create-job')) model.firmwareChanged();
          },
          onProgress: (p) => {
            if (p.stage !== 'upload' || !p.total) return;
            const pct = (p.done / p.total) * 100;
            progress.report({ increment: pct - lastPct, message: vscode.l10n.t('uploading {0} of {1}', formatBytes(p.done), formatBytes(p.total)) });
            lastPct = pct;
          },
          onSnapshot: (s) => {
            status.update(s);
            progress.report({ message: vscode.l10n.t('{0} succeeded, {1} failed, {2} pending of {3}', s.succeeded, s.failed, s.pending, s.total) });
          },
          onGuardTrip: (t) => log.warn(`Rollout guard: ${t.reason}`),
        });
        status.hide();
        model.refresh();
        log.info(result.summary);
        if (result.jobId) this.deployed.fire(result);
        if (result.rollout?.outcome === 'stopped-by-guard') void vscode.window.showWarningMessage(describeRollout(result.rollout));
        else if (result.rollout) void vscode.window.showInformationMessage(vscode.l10n.t('Rollout of {0} ended. {1}.', result.version, describeRollout(result.rollout)));
        else void vscode.window.showInformationMessage(spoken(result.summary));
        return result;
      },
    );
  }

  private async runDeployFirmware(node: FirmwareTarget, args?: { job?: JobPlan; guard?: RolloutGuard }): Promise<DeployResult> {
    const { status } = this;
    const { client } = await chooseAliyunAccount(this.models, node.accountId);
    const model = this.models.get(node.accountId);
    const job = args?.job ?? (await askTarget());
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deploying {0} {1}', node.firmware.name, node.firmware.version), cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const result = await deploy(client, { upload: { firmwareId: node.firmware.id }, job, follow: true, ...(args?.guard ? { guard: args.guard } : {}) }, {
        signal: abort.signal,
        pollIntervalMs: 2000,
        onStep: (s) => {
          progress.report({ message: spoken(s.message) });
          if (s.stage === 'create-job' && s.state === 'done') model.jobsChanged(node.firmware.id);
        },
        onSnapshot: (s) => status.update(s),
      });
      status.hide();
      model.jobsChanged(node.firmware.id);
      if (result.jobId) this.deployed.fire(result);
      if (result.rollout) void vscode.window.showInformationMessage(describeRollout(result.rollout));
      return result;
    });
  }
}
