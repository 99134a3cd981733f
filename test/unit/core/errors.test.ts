// One line for a person: message, hint, and the service's code and request id.
import * as assert from 'node:assert/strict';
import { errorMessage, OtaError } from '../../../src/core/errors';

describe('OtaError.describe', () => {
  it('joins the message and the hint as sentences, then names the code and request', () => {
    const e = new OtaError('credentials', 'IoTaaP rejected the email or password of lab: Wrong email or password', {
      hint: 'Check the email and password of the IoTaaP account.',
      code: 'Unauthorized',
      requestId: 'R-1',
    });
    assert.equal(
      e.describe(),
      'IoTaaP rejected the email or password of lab: Wrong email or password. Check the email and password of the IoTaaP account. (code Unauthorized, request R-1)',
    );
  });

  it('keeps a message that already ends a sentence as it is', () => {
    assert.equal(new OtaError('failed', 'It failed.', { hint: 'Try again.' }).describe(), 'It failed. Try again.');
    assert.equal(errorMessage(new OtaError('failed', 'No hint here')), 'No hint here');
  });
});
