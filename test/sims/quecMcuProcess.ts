// The simulated Quectel-flow MCU as a separate process on a serial port (a pty in the tests):
//   node out-.../test/sims/quecMcuProcess.js --port /dev/pts/N [--baud 115200] [--read-size 4096]
//     [--component MCU] [--version V1_0] [--new-version V2_0] [--no-sha] [--refuse] [--flash-delay-ms 0]
//     [--timeout-ms 3000] [--retries 5] [--lowercase] [--noise] [--seed N] [--line-ending cr|crlf|lf] [--probe]
//     [--verbose]
// Prints one JSON line with the outcome and the MD5/SHA-256 of what it read; exit code 0 updated, 2 refused,
// 3 rejected (hash mismatch), 1 otherwise. The MCU logic itself is src/core/serial/virtual/quecMcu.ts.

import { md5Hex, sha256Hex } from '../../src/core/serial/checksums';
import { openSerialLink } from '../../src/core/serial/transport';
import { type QuecMcuOptions, runQuecMcu } from '../../src/core/serial/virtual/quecMcu';
import { parseProcessArgs } from './processArgs';


async function main(): Promise<number> {
  const args = parseProcessArgs(process.argv.slice(2));
  const { str, num } = args;
  const port = str('port');
  if (!port) throw new Error('--port is required');
  const endings = { cr: '\r', crlf: '\r\n', lf: '\n' } as const;
  const lineEnding = endings[(str('line-ending') ?? 'cr') as keyof typeof endings];
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  const options: QuecMcuOptions = {
    component: str('component') ?? 'MCU',
    currentVersion: str('version') ?? 'V1_0',
    readSize: num('read-size') ?? 4096,
    requestSha: !args.has('no-sha'),
    refuse: args.has('refuse'),
    flashWriteDelayMs: num('flash-delay-ms') ?? 0,
    responseTimeoutMs: num('timeout-ms') ?? 3000,
    maxRetries: num('retries') ?? 5,
    probeReadRange: args.has('probe'),
    style: { lowercase: args.has('lowercase'), noise: args.has('noise'), lineEnding, seed: num('seed') ?? 1 },
    signal: controller.signal,
    ...(str('new-version') !== undefined ? { newVersion: str('new-version') } : {}),
    ...(args.has('verbose') ? { log: (t: string) => process.stderr.write(`mcu: ${t}\n`) } : {}),
  };
  const link = await openSerialLink(port, { baudRate: num('baud') ?? 115200 });
  try {
    const r = await runQuecMcu(link, options);
    process.stdout.write(
      JSON.stringify({
        outcome: r.outcome,
        message: r.message,
        size: r.image?.length ?? null,
        md5: r.image ? md5Hex(r.image) : null,
        sha256: r.image ? sha256Hex(r.image) : null,
        expectedMd5: r.expectedMd5,
        expectedSha256: r.expectedSha256,
        md5Ok: r.md5Ok,
        sha256Ok: r.sha256Ok,
        reads: r.reads,
        retries: r.retries,
        reportedVersion: r.reportedVersion,
        finalEvent: r.finalEvent,
        plan: r.plan,
      }) + '\n',
    );
    return { updated: 0, refused: 2, rejected: 3, failed: 1 }[r.outcome];
  } finally {
    await link.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`quecMcuProcess: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
