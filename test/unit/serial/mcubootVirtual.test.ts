// The virtual MCUboot board of the Serial view (in-process, no pty) and the one-shot SMP commands of the port's
// context menu: flash, then image state, echo and reset against the same board, which keeps its slots.
import assert from 'node:assert/strict';
import { openPort } from '../../../src/core/serial/ports';
import { buildMcubootImage } from '../../../src/core/serial/protocols/mcuboot/imageFormat';
import { smpEcho, smpImageState, smpReset } from '../../../src/core/serial/protocols/mcuboot/smpCommands';
import { FlashSession } from '../../../src/core/serial/session';
import { createVirtualMcubootPort } from '../../../src/core/serial/virtual/virtualDevices';
import { createVirtualLinkPair } from '../../../src/core/serial/virtualLink';

describe('virtual MCUboot board and the SMP commands', function () {
  this.timeout(20_000);
  const board = createVirtualMcubootPort({ paced: false, device: { bootMs: 20, writeMsPerKiB: 0 } });
  const signal = new AbortController().signal;

  async function onBoard<T>(work: (link: Awaited<ReturnType<typeof openPort>>) => Promise<T>): Promise<T> {
    const link = await openPort(board.path, {}, [board]);
    try {
      return await work(link);
    } finally {
      await link.close();
    }
  }

  it('answers the echo and lists its slots', async () => {
    const echo = await onBoard((link) => smpEcho(link, 'hello', signal));
    assert.equal(echo.ok, true);
    assert.match(echo.message, /^virtual:mcuboot-board answered the SMP echo "hello" in \d+ ms\.$/);
    const state = await onBoard((link) => smpImageState(link, signal));
    assert.equal(state.message, 'virtual:mcuboot-board: slot 0: 1.0.0 (active, confirmed).');
  });

  it('flashes a test image; Reset over SMP then reverts it, as MCUboot does with an unconfirmed image', async () => {
    const image = buildMcubootImage(new Uint8Array(30_000).fill(7), { version: { major: 1, minor: 5, revision: 0 } });
    const result = await new FlashSession({ protocol: 'mcuboot', image, port: board.path, virtualPorts: [board] }).start();
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.details.activeVersion, '1.5.0');
    const state = await onBoard((link) => smpImageState(link, signal));
    assert.equal(state.message, 'virtual:mcuboot-board: slot 0: 1.5.0 (active); slot 1: 1.0.0 (confirmed).');
    const reset = await onBoard((link) => smpReset(link, signal));
    assert.equal(reset.ok, true);
    assert.equal(reset.message, 'virtual:mcuboot-board reset and now runs version 1.0.0 (slot 0: 1.0.0 (active, confirmed); slot 1: 1.5.0).');
  });

  it('says so when nothing answers SMP on the port', async () => {
    const [host, device] = createVirtualLinkPair({ names: ['silent-port', 'device'] });
    const echo = await smpEcho(host, 'x', signal);
    assert.equal(echo.ok, false);
    assert.match(echo.message, /^The device did not answer the echo request \(2 attempts, 1500 ms each\)\./);
    await Promise.all([host.close(), device.close()]);
  });
});
