/**
 * Which database errors mean "the app cannot take more work in time" (docs/contract.md, REST):
 * each is raised before the work began, so nothing was changed, and the same request may be sent
 * again shortly. What Prisma 7 with `@prisma/adapter-pg` (node-postgres' pg-pool) throws:
 *
 * - `transaction-start-timeout`: an interactive transaction did not start within its `maxWait`
 *   (DATABASE_TX_MAX_WAIT_MS): PrismaClientKnownRequestError P2028, "Transaction API error: Unable
 *   to start a transaction in the given time.". P2028 also names other transaction errors (expired,
 *   not found, already closed), which are not overload: only this one is.
 * - `pool-timeout`: no pooled connection was free within DATABASE_POOL_TIMEOUT_MS: pg-pool's own
 *   `Error('timeout exceeded when trying to connect')`, with no code; Prisma passes it through as
 *   it is (not as P2024, which Prisma 7 with a driver adapter never raises).
 * - `connect-timeout`: the pool had room, but the server did not accept a new connection within
 *   that same wait: pg-pool's `Error('Connection terminated due to connection timeout')`.
 * - `too-many-connections`: the server refused a new connection because its (or the role's)
 *   connection limit is reached: PostgreSQL 53300, which Prisma raises as P2037.
 *
 * - `write-conflict`: the transaction lost a deadlock or a serialization check (PostgreSQL 40P01,
 *   40001) and was rolled back whole: P2034, or P2010 whose driver adapter error is a
 *   `TransactionWriteConflict`. Running it again is the remedy, as for the others.
 *
 * A database that refuses connections or drops them (P1001, P1017) is an outage, not overload,
 * and is not classified here.
 */
export type OverloadReason =
  'transaction-start-timeout' | 'pool-timeout' | 'connect-timeout' | 'too-many-connections' | 'write-conflict';

const WRITE_CONFLICTS = new Set(['40P01', '40001']);

/** Prisma's P2010 carries the driver's verdict: `{ driverAdapterError: { cause: { kind, originalCode } } }`. */
function isWriteConflict(meta: unknown): boolean {
  const cause = (meta as { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } | undefined)
    ?.driverAdapterError?.cause;
  return cause?.kind === 'TransactionWriteConflict' || WRITE_CONFLICTS.has(String(cause?.originalCode));
}

const TRANSACTION_START_TIMEOUT = 'Transaction API error: Unable to start a transaction in the given time.';

// pg-pool raises these as plain Errors, without a code; their messages are all that identify them.
const POOL_ERRORS: Record<string, OverloadReason> = {
  'timeout exceeded when trying to connect': 'pool-timeout',
  'Connection terminated due to connection timeout': 'connect-timeout',
};

function classify(error: object): OverloadReason | undefined {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  if (code === 'P2028') {
    // Prisma may put the call site in front of the message ("Invalid `…` invocation: …").
    return message === TRANSACTION_START_TIMEOUT || message.endsWith(`\n${TRANSACTION_START_TIMEOUT}`)
      ? 'transaction-start-timeout'
      : undefined;
  }
  if (code === 'P2037') return 'too-many-connections';
  if (code === 'P2034') return 'write-conflict';
  if (code === 'P2010' && isWriteConflict((error as { meta?: unknown }).meta)) return 'write-conflict';
  if (code === undefined && error instanceof Error && Object.hasOwn(POOL_ERRORS, message)) return POOL_ERRORS[message];
  return undefined;
}

/** Why `error` (or an error it was caused by) is database overload, or undefined if it is not. */
export function overloadReason(error: unknown): OverloadReason | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const reason = classify(e);
    if (reason) return reason;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
