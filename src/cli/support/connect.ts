// Which service a command talks to, with which credentials: the --provider option (or the environment's
// credentials), --endpoint/--region/--instance-id, and the secrets from the environment only. Also owns the
// lifetime of a sandbox a command starts for itself.
import { AliyunOtaClient, type AliyunClientConfig } from '../../core/cloud/aliyun';
import { IotaapClient, type IotaapClientConfig } from '../../core/cloud/iotaap';
import type { OtaService } from '../../core/cloud/provider';
import { PROVIDER_KINDS, type ProviderKind } from '../../core/model';
import { cancelledError } from '../../core/net/clock';
import type { CommandContext } from './command';
import { UsageError } from './io';
import { nonEmptyOption } from './options';
import { connectSandbox, sandboxDir, type SandboxConnection } from './localSandbox';


/** What a command reads: Alibaba-style OTA records, or IoTaaP device OTAs. */
export type ServiceKind = 'ota' | 'iotaap';

export const DEFAULT_REGION = 'cn-shanghai';

const ALIYUN_VARS = 'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET';
const IOTAAP_VARS = 'IOTAAP_TOKEN, or IOTAAP_EMAIL and IOTAAP_PASSWORD';

function hasAliyunEnv(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ALIBABA_CLOUD_ACCESS_KEY_ID || env.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
}

function hasIotaapEnv(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.IOTAAP_TOKEN || env.IOTAAP_EMAIL || env.IOTAAP_PASSWORD);
}

/** The provider named by --provider, else the one whose credentials the environment holds. */
export function chooseProvider(ctx: CommandContext, kind: ServiceKind): ProviderKind {
  const given = nonEmptyOption(ctx, 'provider');
  const env = ctx.io.env;
  if (given !== undefined) {
    if (!(PROVIDER_KINDS as readonly string[]).includes(given)) {
      throw new UsageError(`unknown provider '${given}': use aliyun, iotaap or sandbox.`);
    }
    if (kind === 'ota' && given === 'iotaap') {
      throw new UsageError("IoTaaP has no firmware packages, upgrade jobs or tasks; 'ota iotaap list' shows its device OTAs.");
    }
    if (kind === 'iotaap' && given === 'aliyun') {
      throw new UsageError("'ota iotaap' commands talk to IoTaaP: use --provider iotaap (or --provider sandbox).");
    }
    return given as ProviderKind;
  }
  if (kind === 'ota') {
    if (hasAliyunEnv(env)) return 'aliyun';
    const note = hasIotaapEnv(env) ? ' (IoTaaP, whose credentials are set, has no firmware packages or jobs)' : '';
    throw new UsageError(
      `no Alibaba Cloud credentials${note}: set ${ALIYUN_VARS}, or use --provider sandbox for the local sandbox.`,
    );
  }
  if (hasIotaapEnv(env)) return 'iotaap';
  throw new UsageError(`no IoTaaP credentials: set ${IOTAAP_VARS}, or use --provider sandbox for the local sandbox.`);
}

/** Options that mean nothing for this provider are refused rather than ignored. */
function refuseOptions(ctx: CommandContext, provider: ProviderKind, names: string[], why: string): void {
  for (const name of names) {
    if (ctx.options[name] !== undefined) throw new UsageError(`--${name} does not apply to --provider ${provider}: ${why}`);
  }
}

export function aliyunConfig(ctx: CommandContext): AliyunClientConfig {
  const env = ctx.io.env;
  refuseOptions(ctx, 'aliyun', ['data'], 'it names the sandbox data folder.');
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim();
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET?.trim();
  const missing = [!accessKeyId && 'ALIBABA_CLOUD_ACCESS_KEY_ID', !accessKeySecret && 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'].filter(Boolean);
  if (!accessKeyId || !accessKeySecret) {
    throw new UsageError(`Alibaba Cloud credentials missing: set ${ALIYUN_VARS} (${missing.join(' and ')} is not set).`);
  }
  return {
    accessKeyId,
    accessKeySecret,
    regionId: regionOf(ctx),
    endpoint: nonEmptyOption(ctx, 'endpoint'),
    iotInstanceId: nonEmptyOption(ctx, 'instance-id'),
  };
}

export function regionOf(ctx: CommandContext): string {
  return nonEmptyOption(ctx, 'region') ?? (ctx.io.env.ALIBABA_CLOUD_REGION_ID?.trim() || DEFAULT_REGION);
}

export function iotaapConfig(ctx: CommandContext): IotaapClientConfig {
  const env = ctx.io.env;
  refuseOptions(ctx, 'iotaap', ['region', 'instance-id'], 'they are Alibaba Cloud settings.');
  refuseOptions(ctx, 'iotaap', ['data'], 'it names the sandbox data folder.');
  const token = env.IOTAAP_TOKEN?.trim() || undefined;
  const email = env.IOTAAP_EMAIL?.trim() || undefined;
  const password = env.IOTAAP_PASSWORD || undefined;
  if (!token && !(email && password)) {
    const detail = email ? ' (IOTAAP_PASSWORD is not set)' : password ? ' (IOTAAP_EMAIL is not set)' : '';
    throw new UsageError(`IoTaaP credentials missing: set ${IOTAAP_VARS}${detail}.`);
  }
  return { baseUrl: nonEmptyOption(ctx, 'endpoint'), token, email, password };
}

/** A sandbox for this command: the running `ota sandbox` of the data folder, or one started here. */
async function openSandbox(ctx: CommandContext): Promise<SandboxConnection> {
  refuseOptions(ctx, 'sandbox', ['endpoint'], "to reach a sandbox by its URL use --provider aliyun --endpoint URL with the credentials 'ota sandbox' prints.");
  if (ctx.signal.aborted) throw cancelledError();
  const connection = await connectSandbox(sandboxDir(nonEmptyOption(ctx, 'data'), ctx.io.env), nonEmptyOption(ctx, 'instance-id'));
  if (ctx.signal.aborted) {
    await connection.close();
    throw cancelledError();
  }
  return connection;
}

/** An Alibaba-style OTA client, and how to let time pass for what it watches. */
export interface AliyunSession {
  client: AliyunOtaClient;
  /** Set for a sandbox started for this command (it has no timer): one step of its simulated devices. */
  advance?: () => Promise<void>;
}

/** Runs `use` with the Alibaba OTA client the options and environment name; a sandbox started for it is stopped after. */
export async function withAliyun<T>(ctx: CommandContext, use: (session: AliyunSession) => Promise<T>): Promise<T> {
  const provider = chooseProvider(ctx, 'ota');
  if (provider !== 'sandbox') return use({ client: new AliyunOtaClient(aliyunConfig(ctx)) });
  const sandbox = await openSandbox(ctx);
  try {
    const client = new AliyunOtaClient({
      accessKeyId: sandbox.accessKeyId,
      accessKeySecret: sandbox.accessKeySecret,
      regionId: nonEmptyOption(ctx, 'region') ?? sandbox.regionId,
      endpoint: sandbox.aliyunEndpoint,
      iotInstanceId: sandbox.iotInstanceId ?? undefined,
    });
    return await use(sandbox.tick ? { client, advance: sandbox.tick } : { client });
  } finally {
    await sandbox.close();
  }
}

/** Runs `use` with the OTA service the options and environment name; a sandbox started for it is stopped after. */
export function withOtaService<T>(ctx: CommandContext, use: (service: OtaService) => Promise<T>): Promise<T> {
  return withAliyun(ctx, (session) => use(session.client));
}

/** Runs `use` with an IoTaaP client (the sandbox's IoTaaP emulation for --provider sandbox). */
export async function withIotaap<T>(ctx: CommandContext, use: (client: IotaapClient) => Promise<T>): Promise<T> {
  const provider = chooseProvider(ctx, 'iotaap');
  if (provider !== 'sandbox') return use(new IotaapClient(iotaapConfig(ctx)));
  refuseOptions(ctx, 'sandbox', ['region', 'instance-id'], 'they are Alibaba Cloud settings.');
  const sandbox = await openSandbox(ctx);
  try {
    return await use(new IotaapClient({ baseUrl: sandbox.iotaapBaseUrl, token: sandbox.iotaapToken }));
  } finally {
    await sandbox.close();
  }
}
