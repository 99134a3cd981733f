// IoTaaP HTTP failures -> OtaError. The API answers `{message}` (and `{message, error}` on 500).
import { OtaError, type OtaErrorKind } from '../../errors';
import { excerpt, redact } from '../../net/redact';
import { say } from '../../sentences';

export interface IotaapFailure {
  /** What was being done, e.g. "list device OTAs". */
  operation: string;
  /** How the account is named (its email, or "the token account"). */
  account: string;
  status: number;
  text: string;
  /** Token, password, device token: never in a message. */
  secrets: readonly (string | undefined)[];
  /** The failure was the login itself. */
  login?: boolean;
}

function kindOf(status: number): OtaErrorKind {
  if (status === 400 || status === 422) return 'invalid-input';
  if (status === 401 || status === 403) return 'credentials';
  if (status === 404) return 'not-found';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'service-unavailable';
  return 'failed';
}

function parse(text: string): { message?: string; error?: string } {
  try {
    const body = JSON.parse(text) as unknown;
    if (body === null || typeof body !== 'object') return {};
    const { message, error } = body as { message?: unknown; error?: unknown };
    return {
      message: typeof message === 'string' ? message : undefined,
      error: error === undefined || error === null ? undefined : typeof error === 'string' ? error : JSON.stringify(error),
    };
  } catch {
    return {};
  }
}

export function iotaapError(f: IotaapFailure): OtaError {
  const kind = kindOf(f.status);
  const parsed = parse(f.text);
  const message = parsed.message ? redact(parsed.message, f.secrets) : excerpt(f.text, f.secrets) || `HTTP ${f.status}`;
  const detail = parsed.error ? ` (${excerpt(parsed.error, f.secrets)})` : '';
  let text: string;
  let hint: string | undefined;
  switch (kind) {
    case 'credentials':
      text = f.login
        ? say`IoTaaP rejected the email or password of ${f.account}: ${message}`
        : say`IoTaaP rejected the credentials of ${f.account} to ${f.operation}: ${message}`;
      hint = f.login
        ? say`Check the email and password of the IoTaaP account.`
        : say`Log in again or enter a new token: IoTaaP tokens expire after 30 days.`;
      break;
    case 'not-found':
      text = say`IoTaaP could not ${f.operation}: ${message}`;
      hint = say`Check the device (or group) id, and that it belongs to this IoTaaP account.`;
      break;
    case 'invalid-input':
      text = say`IoTaaP refused to ${f.operation}: ${message}`;
      break;
    case 'throttled':
      text = say`IoTaaP is rate limiting requests to ${f.operation}: ${message}`;
      hint = say`Wait a moment and try again.`;
      break;
    case 'service-unavailable':
      text = say`IoTaaP failed to ${f.operation}: ${message}${detail}`;
      hint = say`IoTaaP has a problem right now; try again later.`;
      break;
    default:
      text = say`IoTaaP could not ${f.operation}: HTTP ${f.status}, ${message}`;
  }
  return new OtaError(kind, text, { httpStatus: f.status, hint, serviceMessage: parsed.message ? message : undefined });
}
