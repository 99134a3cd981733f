// What another extension gets from activating this one: flash an image, list the accounts' firmware; nothing else
// (the internals go to this suite only, through the test seam).
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicApi } from '../support/ota';
import { removeTempFolders, tempFolder } from '../support/temp';

describe('public API', function () {
  this.timeout(60_000);
  after(removeTempFolders);

  it('offers exactly flash and listFirmware (and the seam while under test)', async () => {
    const api = await publicApi();
    assert.deepEqual(Object.keys(api).sort(), ['flash', 'listFirmware', 'testing']);
  });

  it("lists the sandbox's firmware", async () => {
    const lists = await (await publicApi()).listFirmware();
    const sandbox = lists.find((l) => l.accountId === 'sandbox');
    assert.ok(sandbox, lists.map((l) => l.label).join(', '));
    assert.ok(sandbox.firmware.some((f) => f.name === 'plug-main' && f.version === '1.2.0'));
  });

  it('flashes an image to a simulated device', async () => {
    const file = join(tempFolder('api'), 'app.bin');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const result = await (await publicApi()).flash({ image: file, port: 'virtual:ymodem-bootloader', protocol: 'ymodem', baud: 921600 });
    assert.ok(result);
    assert.equal(result.result, 'ok', result.message);
    assert.equal(result.bytes, 8192);
  });
});
