// A sandbox in its own process for the streamed-upload test: prints how to reach it and its resident memory once
// started, samples its memory while it serves, and prints the peak when stdin says "report".
import { readFileSync } from 'node:fs';
import { startSandbox } from '../../../src/core/cloud/sandbox';

function vmHwmBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const [dataDir, maxUploadBytes] = process.argv.slice(2);
  const sandbox = await startSandbox({ dataDir, tickMs: 0, seed: false, qps: false, randomSeed: 7, maxUploadBytes: Number(maxUploadBytes) });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  process.stdout.write(
    `${JSON.stringify({
      url: sandbox.url,
      aliyunEndpoint: sandbox.aliyunEndpoint,
      ossHost: sandbox.ossHost,
      iotaapBaseUrl: sandbox.iotaapBaseUrl,
      credentials: sandbox.credentials,
      baseline,
    })}\n`,
  );
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text: string) => {
    input += text;
    if (!input.includes('report')) return;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    process.stdout.write(`${JSON.stringify({ peak, vmHwm: vmHwmBytes() })}\n`);
    void sandbox.close().then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
