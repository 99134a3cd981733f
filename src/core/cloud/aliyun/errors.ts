// What an Alibaba error code means for the user: the kind of OtaError, and a hint they can act on.
import { OtaError, type OtaErrorKind } from '../../errors';
import { say } from '../../sentences';

export interface ServiceFailure {
  action: string;
  /** How the account is named in messages (a label or the AccessKey id; never the secret). */
  account: string;
  /** e.g. "Alibaba Cloud IoT" or "the OTA service". */
  service: string;
  httpStatus: number;
  code?: string;
  /** The service's own message, already redacted. */
  message?: string;
  requestId?: string;
}

const CREDENTIAL_CODES = new Set([
  'signaturedoesnotmatch',
  'incompletesignature',
  'illegaltimestamp',
  'missingsecuritytoken',
  'invalidsecuritytoken.expired',
  'invalidsecuritytoken.malformed',
  'invalidsecuritytoken.mismatchwithaccesskey',
]);

export function kindOfCode(code: string | undefined, httpStatus: number): OtaErrorKind {
  const c = (code ?? '').toLowerCase();
  if (c) {
    if (
      CREDENTIAL_CODES.has(c) ||
      c.startsWith('invalidaccesskeyid') ||
      c.startsWith('forbidden') ||
      c.startsWith('invalidtimestamp') ||
      (c.startsWith('signature') && c !== 'signaturenonceused') ||
      c.includes('accessdenied') ||
      c.includes('nopermission')
    ) {
      return 'credentials';
    }
    if (c.includes('throttl') || c.includes('toofrequent')) {
      return 'throttled';
    }
    if (
      c === 'serviceunavailable' ||
      c === 'internalerror' ||
      c === 'iot.system.systemexception' ||
      c.includes('serviceunavailable') ||
      c.includes('systemexception') ||
      c.includes('systembusy') ||
      c.includes('servicetimeout')
    ) {
      return 'service-unavailable';
    }
    if (c.includes('notfound') || c.includes('notexist')) return 'not-found';
    if (
      c.startsWith('missing') ||
      c.startsWith('invalid') ||
      c.includes('.invalid') ||
      c.includes('.missing') ||
      c.includes('illegal') ||
      c.includes('paramerror')
    ) {
      return 'invalid-input';
    }
  }
  if (httpStatus === 401 || httpStatus === 403) return 'credentials';
  if (httpStatus === 404) return 'not-found';
  if (httpStatus === 429) return 'throttled';
  if (httpStatus >= 500) return 'service-unavailable';
  return 'failed';
}

function credentialHint(code: string, f: ServiceFailure): string {
  const c = code.toLowerCase();
  if (c === 'signaturedoesnotmatch' || c === 'incompletesignature') {
    return say`Check the AccessKey secret of account ${f.account}: it must be the one that belongs to its AccessKey id.`;
  }
  if (c.startsWith('invalidaccesskeyid')) {
    return say`Check the AccessKey id of account ${f.account}: it may be mistyped, deleted or disabled.`;
  }
  if (c === 'illegaltimestamp' || c.startsWith('invalidtimestamp')) {
    return say`Make sure this computer's clock is right: requests are signed with the current UTC time.`;
  }
  if (c.startsWith('forbidden') || c.includes('accessdenied') || c.includes('nopermission')) {
    return say`Give the RAM user of account ${f.account} permission for iot:${f.action} (for example the AliyunIOTFullAccess policy).`;
  }
  return say`Check the AccessKey id and secret of account ${f.account}, and make sure the clock is right.`;
}

function hintFor(kind: OtaErrorKind, f: ServiceFailure): string | undefined {
  const code = f.code ?? '';
  switch (kind) {
    case 'credentials':
      return credentialHint(code, f);
    case 'not-found':
      if (/instance/i.test(code)) {
        return say`Check the instance id of account ${f.account} (enterprise instances need it, public ones must leave it empty) and its region.`;
      }
      return say`It may have been deleted; refresh and try again.`;
    case 'throttled':
      return say`Wait a few seconds and try again; every tool using this account shares its request rate.`;
    case 'service-unavailable':
      return say`The service has a problem right now; try again in a minute.`;
    default:
      return undefined;
  }
}

function describe(kind: OtaErrorKind, f: ServiceFailure): string {
  const detail = f.message || f.code || `HTTP ${f.httpStatus}`;
  switch (kind) {
    case 'credentials':
      return say`${f.service} rejected the credentials of account ${f.account} for ${f.action}: ${detail}`;
    case 'not-found':
      return say`${f.action}: not found: ${detail}`;
    case 'invalid-input':
      return say`${f.action} was rejected as invalid: ${detail}`;
    case 'throttled':
      return say`${f.service} is throttling ${f.action} requests: ${detail}`;
    case 'service-unavailable':
      return say`${f.service} failed to answer ${f.action}: ${detail}`;
    default:
      return say`${f.action} failed: ${detail}`;
  }
}

/** Worth another attempt: the same request (with a fresh nonce) may well succeed. */
export function isTransientCode(code: string | undefined): boolean {
  return (code ?? '').toLowerCase() === 'signaturenonceused';
}

/** The OtaError for an answer that reports a failure (HTTP 4xx/5xx, or `Success: false`). */
export function serviceError(f: ServiceFailure): OtaError {
  const kind = kindOfCode(f.code, f.httpStatus);
  return new OtaError(kind, describe(kind, f), {
    code: f.code,
    requestId: f.requestId,
    httpStatus: f.httpStatus,
    hint: hintFor(kind, f),
  });
}
