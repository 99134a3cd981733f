// `ota sandbox [--port N] [--data DIR]`: the local sandbox in the foreground (Alibaba OTA + OSS + IoTaaP emulation
// with demo data and simulated devices) until Ctrl-C or SIGTERM, then stopped with its state saved.
import { startSandbox, type Sandbox } from '../../core/cloud/sandbox';
import type { CommandContext, CommandSpec } from '../support/command';
import { UsageError } from '../support/io';
import { flag, integerOption, nonEmptyOption, positionals } from '../support/options';
import { defaultSandboxDir, findRunningSandbox, removeRunningNote, sandboxDir, writeRunningNote } from '../support/localSandbox';

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The variables a shell needs to use this sandbox as an Alibaba Cloud and an IoTaaP account. */
export function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  const c = sandbox.credentials;
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: c.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: c.accessKeySecret,
    ALIBABA_CLOUD_REGION_ID: c.regionId,
    IOTAAP_TOKEN: c.iotaap.token,
  };
}

/** One JSON line for scripts that start the sandbox and read where it is. */
export function sandboxInfo(sandbox: Sandbox): Record<string, unknown> {
  const c = sandbox.credentials;
  return {
    url: sandbox.url,
    dataDir: sandbox.dataDir,
    pid: process.pid,
    aliyun: {
      endpoint: `${sandbox.aliyunEndpoint}/`,
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      regionId: c.regionId,
      iotInstanceId: c.iotInstanceId,
    },
    iotaap: { baseUrl: sandbox.iotaapBaseUrl, email: c.iotaap.email, password: c.iotaap.password, token: c.iotaap.token },
    ossHost: sandbox.ossHost,
    env: sandboxEnv(sandbox),
  };
}

/** The banner: where the sandbox is, its demo credentials (public: they guard only demo data) and how to use it. */
export function sandboxBanner(sandbox: Sandbox, dataOption: string | undefined, platform: NodeJS.Platform = process.platform): string {
  const c = sandbox.credentials;
  const endpoint = `${sandbox.aliyunEndpoint}/`;
  const instance = c.iotInstanceId ? ` --instance-id ${c.iotInstanceId}` : '';
  const data = dataOption ? ` --data ${JSON.stringify(sandbox.dataDir)}` : '';
  const env = sandboxEnv(sandbox);
  const exportLine =
    platform === 'win32'
      ? `set ALIBABA_CLOUD_ACCESS_KEY_ID=${env.ALIBABA_CLOUD_ACCESS_KEY_ID}& set ALIBABA_CLOUD_ACCESS_KEY_SECRET=${env.ALIBABA_CLOUD_ACCESS_KEY_SECRET}`
      : `export ALIBABA_CLOUD_ACCESS_KEY_ID=${env.ALIBABA_CLOUD_ACCESS_KEY_ID} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${env.ALIBABA_CLOUD_ACCESS_KEY_SECRET}`;
  const iotaapLine =
    platform === 'win32'
      ? `set IOTAAP_TOKEN=${env.IOTAAP_TOKEN}& ota --provider iotaap --endpoint ${sandbox.iotaapBaseUrl} iotaap list`
      : `IOTAAP_TOKEN=${env.IOTAAP_TOKEN} ota --provider iotaap --endpoint ${sandbox.iotaapBaseUrl} iotaap list`;
  const lines = [
    `Sandbox running at ${sandbox.url}`,
    `Data folder: ${sandbox.dataDir}`,
    '',
    'Alibaba Cloud IoT OTA (and OSS uploads)',
    `  Endpoint:          ${endpoint}`,
    `  AccessKey id:      ${c.accessKeyId}`,
    `  AccessKey secret:  ${c.accessKeySecret}`,
    `  Region:            ${c.regionId}`,
    ...(c.iotInstanceId ? [`  Instance id:       ${c.iotInstanceId}`] : []),
    'IoTaaP',
    `  API base URL:      ${sandbox.iotaapBaseUrl}`,
    `  Email / password:  ${c.iotaap.email} / ${c.iotaap.password}`,
    `  Token:             ${c.iotaap.token}`,
    '',
    'Use it from another shell:',
    `  ${exportLine}`,
    `  ota --provider aliyun --endpoint ${endpoint}${instance} firmware list`,
    `  ${iotaapLine}`,
    `  ota --provider sandbox${data} firmware list    (finds this sandbox through its data folder)`,
    '',
    'Press Ctrl-C to stop; the state is saved in the data folder.',
  ];
  return lines.map((l) => `${l}\n`).join('');
}

async function serve(ctx: CommandContext): Promise<number> {
  positionals(ctx, []);
  const provider = nonEmptyOption(ctx, 'provider');
  if (provider !== undefined && provider !== 'sandbox') throw new UsageError(`'ota sandbox' runs the sandbox; --provider ${provider} does not apply.`);
  for (const name of ['endpoint', 'region']) {
    if (ctx.options[name] !== undefined) throw new UsageError(`--${name} does not apply to 'ota sandbox' (it serves ${name === 'region' ? 'region cn-shanghai' : 'its own URL'}).`);
  }
  const port = integerOption(ctx, 'port', 0, 65535) ?? 0;
  const dataOption = nonEmptyOption(ctx, 'data');
  const dir = sandboxDir(dataOption, ctx.io.env);
  const running = await findRunningSandbox(dir);
  if (running) {
    throw new UsageError(`a sandbox already runs on ${dir} at ${running.url} (process ${running.pid}); use it, or choose another --data folder.`, 1);
  }
  const { io } = ctx;
  const sandbox = await startSandbox({
    dataDir: dir,
    port,
    iotInstanceId: nonEmptyOption(ctx, 'instance-id'),
    log: (level, message) => {
      if (level !== 'debug') io.stderr.write(`${new Date().toISOString()} ${level}: ${message}\n`);
    },
  });
  try {
    await writeRunningNote(dir, { pid: process.pid, url: sandbox.url, iotInstanceId: sandbox.credentials.iotInstanceId, startedAt: new Date().toISOString() });
    if (flag(ctx, 'json')) io.stdout.write(`${JSON.stringify(sandboxInfo(sandbox))}\n`);
    else io.stdout.write(sandboxBanner(sandbox, dir === defaultSandboxDir(io.env) ? undefined : dataOption));
    await untilAborted(ctx.signal);
  } finally {
    await removeRunningNote(dir);
    await sandbox.close();
  }
  if (!flag(ctx, 'json')) io.stdout.write(`Sandbox stopped; its state is saved in ${dir}.\n`);
  return 0;
}

export const sandboxCommand: CommandSpec = {
  words: ['sandbox'],
  summary: 'Run the local sandbox (Alibaba OTA, OSS and IoTaaP with demo data) in the foreground until Ctrl-C.',
  options: {
    port: { type: 'string', usage: '--port N', description: 'Loopback port to listen on (default 0: a free one).' },
  },
  run: serve,
};
