// Deploying to IoTaaP: one multipart upload to a device (or a device group), which the device picks up only when the
// version differs from the last one it was given. Everything is checked before the upload; an optional build runs
// first. IoTaaP has no job or progress API, so the deploy ends with the upload.
import type { IotaapClient } from '../cloud/iotaap/client';
import { OtaError } from '../errors';
import { say } from '../sentences';
import { throwIfAborted } from '../net/clock';
import { validateSemver } from '../cloud/versionRules';
import { buildImage, type BuildPlan } from './buildStep';
import { DeployError, type DeployState } from './errors';
import { formatBytes } from '../../shared/units';
import type { StepReporting } from './events';
import { firmwareFileSize } from './fileDigest';

const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

const versionNote = (): string =>
  say`IoTaaP devices update only when the version differs from the last one deployed to them; deploy a new version to update again.`;
export const IOTAAP_VERSION_NOTE = versionNote();

export interface IotaapDeployInput {
  /** The image; when absent, `build` produces it. */
  file?: string;
  build?: BuildPlan;
  /** Semantic version, e.g. 1.5.7. */
  version: string;
  /** One device (with its device token)... */
  device?: { id: string; token: string };
  /** ...or one device group. */
  group?: { id: string; token: string };
  /** Deploy even when the target's last OTA has this version already (it will not update). Default false. */
  allowSameVersion?: boolean;
}

export interface IotaapDeployResult {
  target: 'device' | 'group';
  id: string;
  version: string;
  /** The version of the target's previous OTA, when IoTaaP listed one. */
  previousVersion: string | null;
  /** IoTaaP's answer, e.g. "Firmware successfully deployed". */
  message: string;
  /** Whether the target should update (its previous version differs). */
  willUpdate: boolean;
  /** What the user should know about when the device updates. */
  note: string;
  builtImage: string | null;
}

export function checkIotaapInput(input: IotaapDeployInput): void {
  const problem = validateSemver(input.version);
  if (problem) throw new OtaError('invalid-input', problem);
  if (!!input.device === !!input.group) throw new OtaError('invalid-input', say`Deploy to one device or to one device group: give exactly one.`);
  const kind = input.device ? 'device' : 'group';
  const target = (input.device ?? input.group)!;
  if (!OBJECT_ID.test(target.id ?? '')) {
    throw new OtaError(
      'invalid-input',
      kind === 'device'
        ? say`"${target.id}" is not an IoTaaP device id: ids are 24 hex digits, e.g. 5e1b57808711f904f5df4bad.`
        : say`"${target.id}" is not an IoTaaP group id: ids are 24 hex digits, e.g. 5e1b57808711f904f5df4bad.`,
      { hint: kind === 'device' ? say`Copy the device id from the IoTaaP console.` : say`Copy the group id from the IoTaaP console.` },
    );
  }
  if (!target.token || !target.token.trim()) throw new OtaError('invalid-input', kind === 'device' ? say`No device token given.` : say`No group token given.`);
  if (!input.file && !input.build) throw new OtaError('invalid-input', say`Nothing to deploy: give a firmware file or a PlatformIO build.`);
}

/** The version of the target's last OTA, null when IoTaaP lists none. */
async function previousVersion(client: IotaapClient, kind: 'device' | 'group', id: string, signal?: AbortSignal): Promise<string | null> {
  const list = kind === 'device' ? await client.listAllDeviceOtas(id, { signal }) : await client.listAllGroupOtas(id, { signal });
  const mine = list.find((o) => (kind === 'device' ? o.device : (o.group ?? '')).toLowerCase() === id.toLowerCase());
  return mine?.version ?? null;
}

/** What the user should know about when the target updates. */
function note(kind: 'device' | 'group', previous: string | null, version: string, willUpdate: boolean): string {
  if (willUpdate) {
    if (!previous) return versionNote();
    return kind === 'device'
      ? say`The device moves from ${previous} to ${version}. ${versionNote()}`
      : say`The group moves from ${previous} to ${version}. ${versionNote()}`;
  }
  return kind === 'device'
    ? say`The device already had version ${version}: it will not update. ${versionNote()}`
    : say`The group already had version ${version}: it will not update. ${versionNote()}`;
}

export async function deployToIotaap(client: IotaapClient, input: IotaapDeployInput, options: StepReporting = {}): Promise<IotaapDeployResult> {
  const { signal } = options;
  const state: DeployState = { stage: 'validate', version: input.version };
  try {
    checkIotaapInput(input);
    const kind = input.device ? 'device' : 'group';
    const target = (input.device ?? input.group)!;
    // The last version, known before anything is built or sent: the same version again would not update the target.
    let previous: string | null = null;
    try {
      previous = await previousVersion(client, kind, target.id, signal);
    } catch (error) {
      if (error instanceof OtaError && (error.kind === 'cancelled' || error.kind === 'credentials')) throw error;
    }
    if (previous === input.version && !input.allowSameVersion) {
      throw new OtaError(
        'invalid-input',
        kind === 'device'
          ? say`The device ${target.id} was last given version ${input.version}: deploying it again would not update it.`
          : say`The group ${target.id} was last given version ${input.version}: deploying it again would not update it.`,
        { hint: say`IoTaaP devices update only when the version differs; raise the version.` },
      );
    }
    throwIfAborted(signal);
    let file = input.file;
    let builtImage: string | null = null;
    if (!file) {
      state.stage = 'build';
      file = builtImage = await buildImage(input.build!, options);
    }
    state.stage = 'upload';
    const size = await firmwareFileSize(file);
    options.onStep?.({
      stage: 'upload',
      state: 'started',
      message:
        kind === 'device'
          ? say`Deploying ${formatBytes(size)} to IoTaaP device ${target.id}`
          : say`Deploying ${formatBytes(size)} to IoTaaP group ${target.id}`,
    });
    const common = {
      file,
      version: input.version,
      signal,
      onProgress: (done: number, total: number) => options.onProgress?.({ stage: 'upload', done, total, unit: 'bytes' }),
    };
    const answer =
      kind === 'device'
        ? await client.deployToDevice({ ...common, device: target.id, deviceToken: target.token })
        : await client.deployToGroup({ ...common, group: target.id, token: target.token });
    const willUpdate = previous !== input.version;
    options.onStep?.({ stage: 'upload', state: 'done', message: answer.message });
    return {
      target: kind,
      id: target.id,
      version: input.version,
      previousVersion: previous,
      message: answer.message,
      willUpdate,
      note: note(kind, previous, input.version, willUpdate),
      builtImage,
    };
  } catch (error) {
    throw error instanceof DeployError ? error : new DeployError(state, error);
  }
}
