import type { ErrorCode } from '../../app/http/errors.ts';
import { ApiError, OfflineError } from './api.ts';

/** What a person should read for an error, by the API's stable codes. */
export function describeError(err: unknown): string {
  if (err instanceof OfflineError) return err.message;
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.';
  // Keyed by the API's registry: a code it does not have fails the type check.
  switch (err.code as ErrorCode) {
    case 'invalid_credentials':
      return 'Wrong email or password.';
    case 'wrong_password':
      return 'That is not your current password.';
    case 'email_taken':
      return 'An account with this email already exists. Sign in instead?';
    case 'user_limit_reached':
      return 'This contactfolio is full: no new accounts can be made. Ask its owner to make room.';
    case 'too_many_attempts': {
      const minutes = err.retryAfter ? Math.ceil(err.retryAfter / 60) : undefined;
      return `Too many failed sign-ins. Try again${minutes ? ` in ${minutes} minute${minutes === 1 ? '' : 's'}` : ' later'}.`;
    }
    case 'contact_limit_reached':
      return 'You have reached your contact limit. Delete a contact to add another.';
    case 'app_password_limit_reached':
      return 'You have as many app passwords as an account can have. Revoke one you no longer use, then create this one.';
    case 'precondition_failed':
      return 'This contact was changed somewhere else. Close it and open it again to see the latest version.';
    case 'database_unavailable':
    case 'sessions_unavailable':
    case 'server_busy': // password hashing queue full (503 with Retry-After)
      return 'The service is briefly unavailable. Please try again in a moment.';
    case 'unparseable_import':
      return `That file could not be read: ${err.problem.detail}`;
    case 'payload_too_large':
      return 'That is too large to upload.';
    default:
      return err.status >= 500 ? 'The server had a problem. Please try again.' : err.problem.detail;
  }
}

/** Field errors keyed by path ("emails.1.value"), for showing next to their input. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || !err.problem.errors) return {};
  const out: Record<string, string> = {};
  for (const e of err.problem.errors) out[e.path] ??= e.message;
  return out;
}

/** Why an imported record was skipped: the API says it in a sentence, except the contact limit (a code). */
export function skipReason(reason: string): string {
  if (reason === 'contact_limit_reached') return 'over your contact limit';
  return reason;
}

/** A field's error as a sentence: "Password must be at least 8 characters." from the API's "must be at least 8 characters". */
export function fieldSentence(label: string, message: string): string {
  const m = message.trim().replace(/\.$/, '');
  return `${label} ${m}.`;
}
