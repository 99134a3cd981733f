// Progress on stderr: one line redrawn in place on a terminal, a line per tenth otherwise; and how flash progress reads.
import * as assert from 'node:assert/strict';
import { flashJson, flashProgressText } from '../../../src/cli/commands/flashReport';
import { ProgressLine } from '../../../src/cli/support/progress';
import type { FlashResult } from '../../../src/core/serial/sessionTypes';

function stream(isTTY: boolean): { write(t: string): number; isTTY: boolean; text: () => string } {
  let text = '';
  return { write: (t: string) => (text += t).length, isTTY, text: () => text };
}

describe('cli progress', () => {
  it('prints a line each time the work crosses another tenth when stderr is no terminal', () => {
    const out = stream(false);
    const p = new ProgressLine(out);
    for (let done = 0; done <= 1000; done += 7) p.update('upload', done / 1000, `${done}`);
    p.update('upload', 1, 'all');
    p.line('Uploaded');
    p.update('verify', 0.5, 'half');
    assert.equal(out.text(), '105\n203\n301\n406\n504\n602\n700\n805\n903\nall\nUploaded\nhalf\n');
  });

  it('rewrites one line on a terminal, makes way for lines that stay, and keeps a finished line', () => {
    const out = stream(true);
    const p = new ProgressLine(out);
    p.update('t', 0.1, '10 %');
    p.update('t', 0.1, '10 %');
    p.update('t', 0.5, '50 %');
    p.line('warning: retry');
    p.update('t', 1, '100 %');
    p.line('Verifying');
    p.update('u', 0.2, 'next');
    p.commit();
    const CLEAR = '\r\u001b[K';
    assert.equal(out.text(), `${CLEAR}10 %${CLEAR}50 %${CLEAR}warning: retry\n${CLEAR}100 %\nVerifying\n${CLEAR}next\n`);
  });

  it('reads flash progress as percent, bytes, rate, ETA and retries; --json has exactly the contract keys', () => {
    assert.equal(
      flashProgressText({ bytesDone: 118_477, bytesTotal: 262_144, percent: 45.1, bytesPerSecond: 11_571, etaSeconds: 13, retries: 1 }),
      '45.1 % (115.7 KiB of 256.0 KiB, 11.3 KiB/s, ETA 13 s, 1 retry)',
    );
    assert.equal(flashProgressText({ bytesDone: 0, bytesTotal: 10, percent: 0, bytesPerSecond: 0, etaSeconds: null, retries: 0 }), '0.0 % (0 B of 10 B)');
    const result: FlashResult = { protocol: 'ymodem', port: '/dev/x', bytes: 5, totalBytes: 5, seconds: 1, transferSeconds: 0.5, bytesPerSecond: 10, retries: 0, result: 'ok', verified: false, message: 'm', errorCode: null, device: [], details: {} };
    assert.deepEqual(flashJson(result), { protocol: 'ymodem', bytes: 5, seconds: 1, bytesPerSecond: 10, retries: 0, result: 'ok', verified: false });
    // A protocol's details follow the common keys and never replace them.
    const esp = { ...result, verified: true, details: { chip: 'ESP32', result: 'forged' } };
    assert.deepEqual(Object.keys(flashJson(esp)), ['protocol', 'bytes', 'seconds', 'bytesPerSecond', 'retries', 'result', 'verified', 'chip']);
    assert.equal(flashJson(esp).result, 'ok');
  });
});
