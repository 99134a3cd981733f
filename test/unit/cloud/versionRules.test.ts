import * as assert from 'node:assert/strict';
import { OtaError } from '../../../src/core/errors';
import { assertValidVersion, validateAliyunVersion, validateSemver } from '../../../src/core/cloud/versionRules';

describe('cloud/versionRules', () => {
  it('accepts what Alibaba Cloud accepts', () => {
    for (const v of ['1.4.2', 'v1.4.2-3-gabc123-dirty', '2024.06.01_b7', 'A', 'x'.repeat(64)]) assert.equal(validateAliyunVersion(v), undefined, v);
  });

  it('says what is wrong with a version Alibaba Cloud refuses, with an example', () => {
    assert.match(validateAliyunVersion('')!, /is empty: Alibaba Cloud needs 1-64 letters, digits, "\.", "_" or "-", e\.g\. 1\.4\.2/);
    assert.match(validateAliyunVersion('x'.repeat(65))!, /is 65 characters long: Alibaba Cloud accepts at most 64, e\.g\./);
    assert.match(validateAliyunVersion('1.4 beta')!, /"1\.4 beta" contains a space: Alibaba Cloud accepts only letters, digits/);
    assert.match(validateAliyunVersion('1.4+b7')!, /contains "\+"/);
    assert.match(validateAliyunVersion('版本1')!, /contains "版"/);
  });

  it('accepts semantic versions 2.0.0', () => {
    for (const v of ['0.0.0', '1.4.2', '10.20.30', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85', '1.0.0+001']) {
      assert.equal(validateSemver(v), undefined, v);
    }
  });

  it('says what is wrong with a version that is not semantic, with an example', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /is empty: IoTaaP needs a semantic version, e\.g\. 1\.4\.2/],
      ['v1.4.2', /remove the leading "v" \(1\.4\.2\)/],
      ['1.4', /three numbers MAJOR\.MINOR\.PATCH, found "1\.4"/],
      ['1.4.2.7', /three numbers MAJOR\.MINOR\.PATCH, found "1\.4\.2\.7"/],
      ['1.04.2', /number "04" has a leading zero/],
      ['1.4.2-', /pre-release part "" has an empty identifier/],
      ['1.4.2-beta..1', /empty identifier/],
      ['1.4.2-01', /pre-release identifier "01" is a number with a leading zero/],
      ['1.4.2-beta_1', /pre-release part "beta_1" may hold only letters, digits, "-" and "\."/],
      ['1.4.2+build!', /build part "build!" may hold only/],
      ['1.4.2 ', /contains a space/],
    ];
    for (const [version, pattern] of cases) {
      const message = validateSemver(version);
      assert.ok(message, version);
      assert.match(message, pattern, version);
      if (version) assert.ok(message.includes(`"${version}" is not a semantic version`), message);
      assert.match(message, /e\.g\. 1\.4\.2, 1\.4\.2-beta\.1 or 1\.4\.2\+build\.7\.$/);
    }
  });

  it('throws the message as an invalid-input error', () => {
    assert.doesNotThrow(() => assertValidVersion('1.4.2', 'semver'));
    assert.throws(() => assertValidVersion('v1.4.2', 'semver'), (e: unknown) => e instanceof OtaError && e.kind === 'invalid-input' && /leading "v"/.test(e.message));
    assert.throws(() => assertValidVersion('a b', 'aliyun'), (e: unknown) => e instanceof OtaError && e.kind === 'invalid-input');
  });
});
