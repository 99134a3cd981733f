// The client's QPS table is the one documented table: complete for every operation the client calls (all of them
// are emulated by the sandbox, which enforces the same table).
import assert from 'node:assert/strict';
import { DEFAULT_QPS, OTA_QPS, qpsFor } from '../../../src/core/cloud/aliyun';
import { QPS_LIMITS } from '../../../src/core/cloud/sandbox';
import { OPERATIONS } from '../../../src/core/cloud/sandbox/rpc/operations';

describe('aliyun: QPS table', () => {
  it('has a documented limit for every OTA operation, CreateOTAVerifyJob included', () => {
    const missing = Object.keys(OPERATIONS).filter((action) => OTA_QPS[action] === undefined);
    assert.deepEqual(missing, []);
    assert.equal(qpsFor('CreateOTAVerifyJob'), 10);
    assert.notEqual(qpsFor('CreateOTAVerifyJob'), DEFAULT_QPS);
  });

  it('is the table the sandbox enforces', () => {
    assert.equal(QPS_LIMITS, OTA_QPS);
  });
});
