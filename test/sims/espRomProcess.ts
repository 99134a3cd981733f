// The simulated ESP32 (espRom.ts) as a separate process on a serial port (a pty in the tests):
//   node out-.../test/sims/espRomProcess.js --port /dev/pts/N [--boot rom|app] [--mac 24:0a:c4:00:00:01]
//     [--flash-mib 4] [--never-sync] [--stuck-bit ADDR:BIT] [--flash-file PATH] [--verbose]
// A pty has no modem lines, so a reset is a signal: SIGUSR1 = RESET pressed while holding BOOT (download mode),
// SIGUSR2 = RESET alone (the application starts). On SIGTERM it writes the flash to --flash-file (when given),
// prints one JSON line with its statistics and exits 0.

import { writeFileSync } from 'node:fs';
import { openSerialLink } from '../../src/core/serial/transport';
import { EspRomSim, type EspSimMode } from './espRom';
import { parseProcessArgs } from './processArgs';


async function main(): Promise<void> {
  const args = parseProcessArgs(process.argv.slice(2));
  const { str } = args;
  const port = str('port');
  if (!port) throw new Error('--port is required');
  const link = await openSerialLink(port, { baudRate: 115200 });
  const stuck = str('stuck-bit')?.split(':').map((n) => Number(n));
  const sim = new EspRomSim(link, {
    boot: (str('boot') ?? 'rom') as EspSimMode,
    mac: str('mac') ?? '24:0a:c4:12:34:56',
    flashMiB: Number(str('flash-mib') ?? 4),
    neverSync: args.has('never-sync'),
    ...(stuck && stuck.length === 2 ? { stuckBit: { address: stuck[0], bit: stuck[1] } } : {}),
    // A pty has no line rate, and serialport's rate change flushes (tcflush TCIOFLUSH) what is not yet read,
    // which would throw away the answer to CHANGE_BAUDRATE: the new rate is only recorded (stats.baudRate).
    ...(args.has('verbose') ? { log: (t: string) => process.stderr.write(`esp32: ${t}\n`) } : {}),
  });
  process.on('SIGUSR1', () => sim.pressReset(true));
  process.on('SIGUSR2', () => sim.pressReset(false));
  process.stderr.write(`esp32: ready on ${port}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
    link.onClose(() => resolve());
  });
  sim.stop();
  const file = str('flash-file');
  if (file) writeFileSync(file, sim.flash);
  process.stdout.write(JSON.stringify({ mode: sim.currentMode, ...sim.stats }) + '\n');
  await link.close();
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (e: unknown) => {
    process.stderr.write(`espRomProcess: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
