// The simulated STM32 system bootloader (src/core/serial/virtual/stm32Bootloader.ts) as its own process on a serial
// port (a pty in the tests), so that a real peer (Debian's stm32flash) and our flasher can both talk to it:
//   node out-.../test/sims/stm32BootProcess.js --port /dev/pts/N [--baud 115200] [--model f103|f411|l476]
//     [--read-protected] [--write-ms-per-256 0] [--erase-ms 0] [--nack-writes 3,9] [--dump FILE] [--stay]
// It serves until Go (or SIGTERM, or the line going away), then writes the flash from its start to the highest
// address written into --dump, and prints one JSON line (Stm32SimReport). Exit 0 unless it could not run.

import { writeFileSync } from 'node:fs';
import { sha256Hex } from '../../src/core/serial/checksums';
import { openSerialLink } from '../../src/core/serial/transport';
import { type Stm32ChipModel, runStm32Bootloader, writtenFlash } from '../../src/core/serial/virtual/stm32Bootloader';

export interface Stm32SimReport {
  outcome: string;
  pid: number;
  writtenBytes: number;
  sha256: string;
  goAddress: number | null;
  writes: number;
  reads: number;
  /** Erased pages/sectors in order, "mass" for a mass erase. */
  erased: (number | 'mass')[];
  eraseCommand: number | null;
  nacks: number;
  syncs: number;
  readProtected: boolean;
  /** From the first Write Memory to the end of the last Read Memory answer: the data phase. */
  dataSeconds: number | null;
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const port = arg(argv, 'port');
  if (!port) throw new Error('--port is required');
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  process.once('SIGINT', () => controller.abort());
  const link = await openSerialLink(port, { baudRate: Number(arg(argv, 'baud') ?? 115200) });
  const verbose = argv.includes('--verbose');
  process.stderr.write(`stm32sim: ready on ${port}\n`);
  try {
    const r = await runStm32Bootloader(link, {
      model: (arg(argv, 'model') ?? 'f103') as Stm32ChipModel,
      readProtected: argv.includes('--read-protected'),
      writeMsPer256: Number(arg(argv, 'write-ms-per-256') ?? 0),
      eraseMsPerUnit: Number(arg(argv, 'erase-ms') ?? 0),
      nackWrites: (arg(argv, 'nack-writes') ?? '').split(',').filter(Boolean).map(Number),
      stayAfterGo: argv.includes('--stay'),
      signal: controller.signal,
      ...(verbose ? { log: (t: string) => process.stderr.write(`stm32sim: ${t}\n`) } : {}),
    });
    const data = writtenFlash(r);
    const dump = arg(argv, 'dump');
    if (dump) writeFileSync(dump, data);
    const report: Stm32SimReport = {
      outcome: r.outcome,
      pid: r.pid,
      writtenBytes: data.length,
      sha256: sha256Hex(data),
      goAddress: r.goAddress,
      writes: r.writes,
      reads: r.reads,
      erased: r.erased,
      eraseCommand: r.eraseCommand,
      nacks: r.nacks,
      syncs: r.syncs,
      readProtected: r.readProtected,
      dataSeconds: r.firstWriteAt !== null && r.lastReadAt !== null ? (r.lastReadAt - r.firstWriteAt) / 1000 : null,
    };
    process.stdout.write(JSON.stringify(report) + '\n');
    return 0;
  } finally {
    await link.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`stm32BootProcess: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
