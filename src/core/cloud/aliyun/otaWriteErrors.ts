// Known refusals of the OTA write operations (HTTP 200 `Success: false` business errors such as the 500-firmware
// limit or a duplicate version), turned into messages that say what the user can do about them.
import { OtaError } from '../../errors';
import { say } from '../../sentences';

export interface ErrorContext {
  version?: string;
  productKey?: string;
  moduleName?: string;
}

/** Known refusals of the write operations, as messages a user can act on; anything else passes through. */
export function explainWriteError(action: string, error: unknown, context: ErrorContext = {}): unknown {
  if (!(error instanceof OtaError) || !error.code) return error;
  const code = error.code.toLowerCase();
  const said = serviceText(error.message, action);
  const rewrap = (kind: OtaError['kind'], message: string, hint: string): OtaError =>
    new OtaError(kind, message, { code: error.code, requestId: error.requestId, httpStatus: error.httpStatus, hint, cause: error });
  if (code.includes('firmwarecountexceed') || (code.includes('firmware') && code.includes('limit'))) {
    return rewrap(
      'failed',
      say`The account already holds the most firmware packages Alibaba Cloud allows (500): ${said}`,
      say`Delete old firmware you no longer deploy (ota firmware delete ID, or Delete in the Cloud view), then upload again.`,
    );
  }
  const missing = code.includes('notexist') || code.includes('notfound');
  if (!missing && (code.includes('alreadyexist') || code.includes('existed') || code.includes('duplicate'))) {
    const what = context.version ? say`Version ${context.version}` : say`This version`;
    return rewrap(
      'invalid-input',
      say`${what} already exists${context.productKey ? say` for product ${context.productKey}` : ''}${context.moduleName ? say` (module ${context.moduleName})` : ''}: ${said}`,
      say`Pick another version (e.g. raise the patch number), or deploy the existing firmware instead of uploading it again.`,
    );
  }
  if (code.includes('device') && missing) {
    return rewrap(
      'invalid-input',
      say`Unknown device names: ${said}`,
      say`Check the spelling of the device names${context.productKey ? say` and that they belong to product ${context.productKey}` : ''}.`,
    );
  }
  if (code.includes('hasrunningjob') || (code.includes('running') && code.includes('job'))) {
    return rewrap('failed', say`The firmware cannot be deleted while one of its jobs runs: ${said}`, say`Cancel the job's tasks first (or wait until it ends).`);
  }
  if (code.includes('notverified')) {
    return rewrap('failed', say`The firmware is not verified: ${said}`, say`Run a verify job on a few devices and wait until it passes, or upload with verification off.`);
  }
  if (code.includes('group') && missing) {
    return rewrap('not-found', say`Unknown device group: ${said}`, say`Check the group id (the Group ID in the console, not its name).`);
  }
  if (code.includes('prod') && missing) {
    return rewrap('not-found', say`Unknown product: ${said}`, say`Check the product key.`);
  }
  return error;
}

/** The service's own words from a client message such as "X was rejected as invalid: words" or "X failed: words". */
function serviceText(message: string, action: string): string {
  const prefixes = [`${action} failed: `, `${action} was rejected as invalid: `, `${action}: not found: `];
  for (const prefix of prefixes) if (message.startsWith(prefix)) return message.slice(prefix.length);
  return message;
}
