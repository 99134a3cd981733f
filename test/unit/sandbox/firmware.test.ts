import assert from 'node:assert/strict';
import { SANDBOX_DEMO } from '../../../src/core/cloud/sandbox';
import { createFirmware, fails, firmwareBytes, md5Hex, ok, openSandbox, upload, type Json, type TestSandbox } from './helpers';

const PK = SANDBOX_DEMO.plug.productKey;

describe('sandbox: CreateOTAFirmware and friends', () => {
  let t: TestSandbox;
  before(async () => {
    t = await openSandbox();
  });
  after(async () => {
    await t.dispose();
  });

  it('creates firmware whose fields come back from QueryOTAFirmware and ListOTAFirmware', async () => {
    const bytes = firmwareBytes(3000, 9);
    const id = await createFirmware(t.sandbox, {
      ProductKey: PK,
      DestVersion: '2.0.0',
      FirmwareName: 'plug-main',
      FirmwareDesc: 'Zweite Version ✓',
      ModuleName: 'default',
      Udi: '{"notes":"security fix"}',
    }, bytes);
    // Both spellings of the id parameter (Alibaba's FirmwareId, the compatible host's FirmwareID).
    for (const name of ['FirmwareId', 'FirmwareID']) {
      const info = (await ok(t.sandbox, 'QueryOTAFirmware', { [name]: id })).FirmwareInfo as Json;
      assert.equal(info.FirmwareId, id);
      assert.equal(info.DestVersion, '2.0.0');
      assert.equal(info.ProductKey, PK);
      assert.equal(info.ProductName, 'Smart Plug');
      assert.equal(info.FirmwareSize, 3000);
      assert.equal(info.FirmwareSign, md5Hex(bytes));
      assert.equal(info.SignMethod, 'MD5');
      assert.equal(info.Status, 0);
      assert.equal(info.Type, 0);
      assert.equal(info.VerifyProgress, 0);
      assert.equal(info.FirmwareDesc, 'Zweite Version ✓');
      assert.equal(info.Udi, '{"notes":"security fix"}');
      assert.equal(info.SrcVersion, undefined);
      assert.match(info.UtcCreate as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const list = await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 10, ProductKey: PK });
    const simple = ((list.FirmwareInfo as Json).SimpleFirmwareInfo as Json[]).find((f) => f.FirmwareId === id) as Json;
    assert.equal(simple.FirmwareName, 'plug-main');
    assert.equal(simple.FirmwareUrl, undefined, 'only the detail query carries the URL');
  });

  it('computes the sign itself when none is given, and accepts SHA256', async () => {
    const bytes = firmwareBytes(700, 4);
    const url = await upload(t.sandbox, bytes);
    const id = ((await ok(t.sandbox, 'CreateOTAFirmware', { DestVersion: '2.0.1', FirmwareName: 'n', FirmwareUrl: url, ProductKey: PK })).Data as Json)
      .FirmwareId as string;
    assert.equal(((await ok(t.sandbox, 'QueryOTAFirmware', { FirmwareId: id })).FirmwareInfo as Json).FirmwareSign, md5Hex(bytes));
    const url2 = await upload(t.sandbox, bytes);
    const { createHash } = await import('node:crypto');
    await ok(t.sandbox, 'CreateOTAFirmware', {
      DestVersion: '2.0.2',
      FirmwareName: 'n',
      FirmwareUrl: url2,
      ProductKey: PK,
      SignMethod: 'SHA256',
      FirmwareSign: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('refuses an MD5 or a size that does not match the uploaded bytes', async () => {
    const bytes = firmwareBytes(1000, 5);
    const url = await upload(t.sandbox, bytes);
    const base = { DestVersion: '3.0.0', FirmwareName: 'n', FirmwareUrl: url, ProductKey: PK };
    const { status, body } = await fails(t.sandbox, 'CreateOTAFirmware', { ...base, FirmwareSign: md5Hex(firmwareBytes(1000, 6)) }, 'InvalidParameter');
    assert.equal(status, 400);
    assert.match(body.Message as string, /FirmwareSign/);
    assert.ok((body.Message as string).includes(md5Hex(bytes)), 'the message names the MD5 of what was uploaded');
    const size = await fails(t.sandbox, 'CreateOTAFirmware', { ...base, FirmwareSize: 999 }, 'InvalidParameter');
    assert.match(size.body.Message as string, /999 bytes were declared but the uploaded file has 1000 bytes/);
    await ok(t.sandbox, 'CreateOTAFirmware', { ...base, FirmwareSign: md5Hex(bytes).toUpperCase(), FirmwareSize: 1000 });
  });

  it('refuses a FirmwareUrl with nothing uploaded behind it', async () => {
    const ticket = (await ok(t.sandbox, 'GenerateOTAUploadURL', {})).Data as Json;
    const { body } = await fails(t.sandbox, 'CreateOTAFirmware', { DestVersion: '4.0.0', FirmwareName: 'n', FirmwareUrl: ticket.FirmwareUrl as string }, 'InvalidParameter');
    assert.match(body.Message as string, /nothing was uploaded/);
    await fails(t.sandbox, 'CreateOTAFirmware', { DestVersion: '4.0.0', FirmwareName: 'n', FirmwareUrl: 'https://example.com/fw.bin' }, 'InvalidParameter');
  });

  it('validates names, versions, descriptions and types', async () => {
    const url = await upload(t.sandbox, firmwareBytes(100));
    const base = { DestVersion: '5.0.0', FirmwareName: 'n', FirmwareUrl: url, ProductKey: PK };
    await fails(t.sandbox, 'CreateOTAFirmware', { ...base, DestVersion: '5.0.0 beta' }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAFirmware', { ...base, DestVersion: 'v'.repeat(65) }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAFirmware', { ...base, FirmwareName: 'n'.repeat(41) }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAFirmware', { ...base, FirmwareDesc: 'd'.repeat(101) }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAFirmware', { ...base, Type: 1 }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAFirmware', { ...base, Type: 2 }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAFirmware', { ...base, NeedToVerify: 'maybe' }, 'InvalidParameter');
    await fails(t.sandbox, 'CreateOTAFirmware', { DestVersion: '5.0.0', FirmwareUrl: url }, 'MissingParameter');
    await fails(t.sandbox, 'CreateOTAFirmware', { ...base, ProductKey: 'a1NoSuchPrd' }, 'iot.prod.NotExistedProduct');
    await ok(t.sandbox, 'CreateOTAFirmware', { ...base, DestVersion: 'V'.repeat(64), FirmwareName: 'n'.repeat(40), FirmwareDesc: 'd'.repeat(100) });
    const delta = await ok(t.sandbox, 'CreateOTAFirmware', { ...base, DestVersion: '5.0.1', Type: 1, SrcVersion: '5.0.0', NeedToVerify: false });
    const info = (await ok(t.sandbox, 'QueryOTAFirmware', { FirmwareId: (delta.Data as Json).FirmwareId as string })).FirmwareInfo as Json;
    assert.equal(info.Type, 1);
    assert.equal(info.SrcVersion, '5.0.0');
    assert.equal(info.Status, -1);
  });

  it('refuses a version the product already has', async () => {
    await createFirmware(t.sandbox, { ProductKey: PK, DestVersion: '6.0.0' });
    const url = await upload(t.sandbox, firmwareBytes(100));
    const { body } = await fails(
      t.sandbox,
      'CreateOTAFirmware',
      { ProductKey: PK, DestVersion: '6.0.0', FirmwareName: 'again', FirmwareUrl: url },
      'iot.ota.FirmwareAlreadyExists',
    );
    assert.equal(body.Success, false);
    assert.match(body.ErrorMessage as string, /6\.0\.0/);
    // Another product, or another module, may use the same version.
    await ok(t.sandbox, 'CreateOTAFirmware', { ProductKey: SANDBOX_DEMO.weather.productKey, DestVersion: '6.0.0', FirmwareName: 'wx', FirmwareUrl: url });
    await ok(t.sandbox, 'CreateOTAFirmware', { ProductKey: PK, ModuleName: 'wifi', DestVersion: '6.0.0', FirmwareName: 'wifi', FirmwareUrl: url });
  });

  it('answers iot.ota.FirmwareNotFound for unknown ids', async () => {
    const { status, body } = await fails(t.sandbox, 'QueryOTAFirmware', { FirmwareId: 'NoSuchFirmware0100' }, 'iot.ota.FirmwareNotFound');
    assert.equal(status, 200);
    assert.equal(body.Success, false);
    await fails(t.sandbox, 'DeleteOTAFirmware', { FirmwareId: 'NoSuchFirmware0100' }, 'iot.ota.FirmwareNotFound');
    await fails(t.sandbox, 'ListOTAJobByFirmware', { FirmwareId: 'NoSuchFirmware0100', CurrentPage: 1, PageSize: 10 }, 'iot.ota.FirmwareNotFound');
    await fails(t.sandbox, 'QueryOTAFirmware', {}, 'MissingParameter');
  });
});

describe('sandbox: the 500-firmware limit', () => {
  let t: TestSandbox;
  before(async () => {
    t = await openSandbox({ bulk: { firmware: 500 } });
  });
  after(async () => {
    await t.dispose();
  });

  it('refuses the 501st firmware, and accepts one again after a delete', async () => {
    const first = await ok(t.sandbox, 'ListOTAFirmware', { CurrentPage: 1, PageSize: 1 });
    assert.equal(first.Total, 500);
    const url = await upload(t.sandbox, firmwareBytes(100));
    const params = { ProductKey: PK, DestVersion: '7.0.0', FirmwareName: 'one-too-many', FirmwareUrl: url };
    const { body } = await fails(t.sandbox, 'CreateOTAFirmware', params, 'iot.ota.FirmwareCountExceedLimit');
    assert.match(body.ErrorMessage as string, /500/);
    const victim = ((first.FirmwareInfo as Json).SimpleFirmwareInfo as Json[])[0]?.FirmwareId as string;
    await ok(t.sandbox, 'DeleteOTAFirmware', { FirmwareId: victim });
    await fails(t.sandbox, 'QueryOTAFirmware', { FirmwareId: victim }, 'iot.ota.FirmwareNotFound');
    await ok(t.sandbox, 'CreateOTAFirmware', params);
  });
});
