// Turning a thrown error into a protocol outcome: the sentence for a person, the code for front ends.

import { errorMessage, isOtaError } from '../../errors';
import { say } from '../../sentences';
import { type ProtocolOutcome } from './types';

/** The message and hint of an OtaError (its code travels separately), or any error's message. */
export function userMessage(e: unknown): string {
  if (isOtaError(e)) return e.hint ? say`${e.message} ${e.hint}` : e.message;
  return errorMessage(e);
}

/** A `failed` outcome for an error, keeping the OtaError code when there is one. */
export function failedOutcome(e: unknown): ProtocolOutcome {
  return { result: 'failed', verified: false, message: userMessage(e), ...(isOtaError(e) && e.code ? { errorCode: e.code } : {}) };
}
