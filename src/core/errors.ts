// Typed errors. Every failure that reaches a user is an OtaError whose message says what went wrong and what to do.
// Messages never contain credentials: callers pass only public identifiers into them.

export type OtaErrorKind =
  /** The service rejected the credentials or their signature; fix the account. */
  | 'credentials'
  /** The thing asked for does not exist (or belongs to someone else). */
  | 'not-found'
  /** The request was malformed or a value is out of range. */
  | 'invalid-input'
  /** Too many requests, even after retries. */
  | 'throttled'
  /** The service is down or answered with a server error, even after retries. */
  | 'service-unavailable'
  /** The service could not be reached. */
  | 'network'
  | 'timeout'
  | 'cancelled'
  /** The service answered with something that is not what its API documents (HTML, broken JSON...). */
  | 'unexpected-response'
  /** A documented failure that fits none of the above (quota reached, wrong state...). */
  | 'failed';

export interface OtaErrorDetails {
  code?: string;
  requestId?: string;
  httpStatus?: number;
  /** What the user can do about it. */
  hint?: string;
  /** The service's own message, as it answered (secrets redacted), e.g. IoTaaP's "No such device". */
  serviceMessage?: string;
  cause?: unknown;
}

export class OtaError extends Error {
  readonly kind: OtaErrorKind;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly hint: string | undefined;
  readonly serviceMessage: string | undefined;

  constructor(kind: OtaErrorKind, message: string, details: OtaErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OtaError';
    this.kind = kind;
    this.code = details.code;
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
    this.hint = details.hint;
    this.serviceMessage = details.serviceMessage;
  }

  /** One line for a person: the message, the hint, and the service's code and request id for support. */
  describe(): string {
    const extra: string[] = [];
    if (this.code) extra.push(`code ${this.code}`);
    if (this.requestId) extra.push(`request ${this.requestId}`);
    let text = this.message;
    // A message quoted from a service may lack its full stop; the hint is a sentence of its own.
    if (this.hint) text += `${/[.!?)]$/.test(text) ? '' : '.'} ${this.hint}`;
    if (extra.length) text += ` (${extra.join(', ')})`;
    return text;
  }
}

export function isOtaError(e: unknown): e is OtaError {
  return e instanceof OtaError;
}

/** A readable one-line message for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof OtaError) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}
