import { databaseUnavailableReason, overloadReason, ProviderUnavailableError } from '@commerce/platform';

/**
 * What a handler's failure says about trying again:
 * - `database`: the database is unreachable, overloaded, or the transaction lost a deadlock or a
 *   serialization check. Nothing was changed; the same event succeeds once the condition clears.
 * - `provider`: an outside provider (card network, SMTP) could not be asked. The same.
 * - `permanent`: anything else (an invalid event, a rule violation, a bug): time will not change
 *   it, so it has a few attempts and then goes to the dead-letter topic.
 */
export type FailureKind =
  { kind: 'database'; reason: string } | { kind: 'provider'; provider: string } | { kind: 'permanent' };

const PERMANENT: FailureKind = { kind: 'permanent' };

/**
 * Classifies a handler's failure by the source of the error itself: a ProviderUnavailableError is
 * the provider's, whatever socket error it wraps, and a database condition must be raised by the
 * database client. A connection code found somewhere in another error's cause chain (a provider's
 * ECONNRESET) is not a database outage: such an error is permanent, unless its source typed it.
 */
export function failureKind(error: unknown): FailureKind {
  const provider = providerUnavailable(error);
  if (provider) return { kind: 'provider', provider: provider.provider };
  const unavailable = databaseUnavailableReason(error);
  if (unavailable) return { kind: 'database', reason: unavailable };
  const overload = overloadReason(error);
  if (overload) return { kind: 'database', reason: overload };
  return PERMANENT;
}

/** Whether time alone will make the same event succeed. */
export function isTransient(kind: FailureKind): boolean {
  return kind.kind !== 'permanent';
}

// The typed error itself, or one a handler wrapped it in. By name too: a second copy of the
// platform library (another bundle) has a class of its own.
function providerUnavailable(error: unknown): ProviderUnavailableError | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    if (
      e instanceof ProviderUnavailableError ||
      (e.name === 'ProviderUnavailableError' && typeof (e as { provider?: unknown }).provider === 'string')
    )
      return e as ProviderUnavailableError;
    e = e.cause;
  }
  return undefined;
}
