// The simulated MCUboot/SMP device (src/core/serial/virtual/smpDevice.ts) as a separate process on a serial port:
//   node out/test/sims/smpDeviceProcess.js --port /dev/pts/N [--baud 115200] [--buf-size 512] [--buf-count 4]
//     [--no-params] [--version 1.0.0] [--boot-ms 300] [--erase-ms 0] [--write-ms-per-kib 0] [--reject] [--verbose]
// It keeps its flash for as long as it runs (hosts may connect several times). On SIGTERM it prints one JSON line:
// each slot's size, SHA-256 and image version, the running version, and its counters.

import { createHash } from 'node:crypto';
import { openSerialLink } from '../../src/core/serial/transport';
import { SmpDevice } from '../../src/core/serial/virtual/smpDevice';
import { parseProcessArgs } from './processArgs';


async function main(): Promise<void> {
  const a = parseProcessArgs(process.argv.slice(2));
  const { str, num } = a;
  const port = str('port');
  if (!port) throw new Error('--port is required');
  const [major, minor, revision, build] = (str('version') ?? '1.0.0').split('.').map(Number);
  const device = new SmpDevice({
    bufSize: num('buf-size') ?? 512,
    bufCount: num('buf-count') ?? 4,
    params: !a.has('no-params'),
    version: { major, minor, revision, build: build ?? 0 },
    bootMs: num('boot-ms') ?? 300,
    eraseMs: num('erase-ms') ?? 0,
    writeMsPerKiB: num('write-ms-per-kib') ?? 0,
    rejectImages: a.has('reject'),
    ...(a.has('verbose') ? { log: (t: string) => process.stderr.write(`smp: ${t}\n`) } : {}),
  });
  const link = await openSerialLink(port, { baudRate: num('baud') ?? 115200 });
  const controller = new AbortController();
  const stop = new Promise<void>((resolve) => process.once('SIGTERM', resolve));
  const serving = device.attach(link, controller.signal);
  process.stderr.write('smp: ready\n');
  await Promise.race([stop, serving]);
  controller.abort();
  const slot = (n: 0 | 1) => {
    const bytes = device.slotBytes(n);
    return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  };
  process.stdout.write(JSON.stringify({ slot0: slot(0), slot1: slot(1), runningVersion: device.runningVersion, stats: device.stats }) + '\n');
  await link.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`smpDeviceProcess: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
